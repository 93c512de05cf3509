-- Helpers shared by the wrk scripts: AuthnRequests for the HTTP-POST binding, form encoding,
-- base64, a monotonic clock, header and cookie lookup, and the check of a returned SAMLResponse.
local bit = require("bit")
local ffi = require("ffi")

local M = {}

ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local timespec = ffi.new("bench_timespec")

-- Seconds on CLOCK_MONOTONIC (the same clock in every wrk thread).
function M.now()
  ffi.C.clock_gettime(1, timespec)
  return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) * 1e-9
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local encode_table, decode_table = {}, {}
for i = 0, 63 do
  local c = alphabet:sub(i + 1, i + 1)
  encode_table[i] = c
  decode_table[c:byte()] = i
end
local band, rshift, lshift, bor = bit.band, bit.rshift, bit.lshift, bit.bor

function M.base64(s)
  local out, n = {}, #s
  for i = 1, n - 2, 3 do
    local a, b, c = s:byte(i, i + 2)
    local v = a * 65536 + b * 256 + c
    out[#out + 1] = encode_table[rshift(v, 18)] .. encode_table[band(rshift(v, 12), 63)]
      .. encode_table[band(rshift(v, 6), 63)] .. encode_table[band(v, 63)]
  end
  local rest = n % 3
  if rest == 1 then
    local v = s:byte(n) * 65536
    out[#out + 1] = encode_table[rshift(v, 18)] .. encode_table[band(rshift(v, 12), 63)] .. "=="
  elseif rest == 2 then
    local a, b = s:byte(n - 1, n)
    local v = a * 65536 + b * 256
    out[#out + 1] = encode_table[rshift(v, 18)] .. encode_table[band(rshift(v, 12), 63)]
      .. encode_table[band(rshift(v, 6), 63)] .. "="
  end
  return table.concat(out)
end

-- Decodes standard base64, skipping whitespace; nil if anything else is found.
function M.unbase64(s)
  s = s:gsub("%s", "")
  local out, n = {}, #s
  if n % 4 ~= 0 then return nil end
  local chunk = {}
  for i = 1, n, 4 do
    local a, b, c, d = s:byte(i, i + 3)
    local va, vb = decode_table[a], decode_table[b]
    if not va or not vb then return nil end
    local vc, vd = decode_table[c], decode_table[d]
    local v = bor(lshift(va, 18), lshift(vb, 12), lshift(vc or 0, 6), vd or 0)
    if d == 61 then
      if c == 61 then
        chunk[#chunk + 1] = string.char(rshift(v, 16))
      else
        chunk[#chunk + 1] = string.char(rshift(v, 16), band(rshift(v, 8), 255))
      end
    else
      if not vc or not vd then return nil end
      chunk[#chunk + 1] = string.char(rshift(v, 16), band(rshift(v, 8), 255), band(v, 255))
    end
    if #chunk >= 256 then
      out[#out + 1] = table.concat(chunk)
      chunk = {}
    end
  end
  out[#out + 1] = table.concat(chunk)
  return table.concat(out)
end

function M.urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

function M.form(fields)
  local parts = {}
  for _, pair in ipairs(fields) do
    parts[#parts + 1] = M.urlencode(pair[1]) .. "=" .. M.urlencode(pair[2])
  end
  return table.concat(parts, "&")
end

-- An unsigned AuthnRequest; IssueInstant is now (UTC). `id` must be unique for the whole run.
function M.authn_request(id, destination, issuer)
  return '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
    .. 'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="' .. id .. '" Version="2.0" '
    .. 'IssueInstant="' .. os.date("!%Y-%m-%dT%H:%M:%SZ") .. '" Destination="' .. destination .. '">'
    .. '<saml:Issuer>' .. issuer .. '</saml:Issuer></samlp:AuthnRequest>'
end

-- The HTTP-POST binding request a browser sends to the SSO endpoint.
function M.sso_post(path, id, destination, issuer, cookie)
  local body = M.form({ { "SAMLRequest", M.base64(M.authn_request(id, destination, issuer)) }, { "RelayState", id } })
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  if cookie and cookie ~= "" then headers["Cookie"] = cookie end
  return wrk.format("POST", path, headers, body)
end

-- A response header, whatever the case of its name.
function M.header(headers, name)
  name = name:lower()
  for key, value in pairs(headers) do
    if key:lower() == name then return value end
  end
  return nil
end

-- The value of cookie `name` in a Set-Cookie header.
function M.set_cookie(headers, name)
  local value = M.header(headers, "set-cookie")
  if not value then return nil end
  return value:match("^%s*" .. name .. "=([^;]*)")
end

-- Whether an HTML page carries a SAMLResponse with status Success and `signatures` signatures.
-- Returns "ok", "no-form", "not-success" or "signatures".
function M.check_response(body, signatures)
  local value = body:match('name="SAMLResponse" value="([^"]*)"')
  if not value then return "no-form" end
  local xml = M.unbase64(value)
  if not xml or not xml:find("urn:oasis:names:tc:SAML:2.0:status:Success", 1, true) then return "not-success" end
  local count = 0
  for _ in xml:gmatch("<[%w]*:?SignatureValue[ >]") do count = count + 1 end
  if signatures and count ~= signatures then return "signatures" end
  return "ok"
end

-- Percentile (0-100) of a sorted list of numbers, nearest rank.
function M.percentile(sorted, p)
  if #sorted == 0 then return 0 end
  local rank = math.ceil(p / 100 * #sorted)
  if rank < 1 then rank = 1 end
  return sorted[rank]
end

return M
