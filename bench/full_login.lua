-- wrk script, scenario "full login": a new browser per flow, four requests:
--   POST /sso (AuthnRequest)          -> 303 to /login/{transaction}, sets varco_browser
--   GET  /login/{transaction}         -> the page of login methods
--   GET  /login/{transaction}/otp-app -> the form, with its csrf token
--   POST /login/{transaction}/otp-app -> ID + password + TOTP code -> signed Response
-- Each credential is used once (a TOTP code is accepted once per credential); a thread stops
-- when its share of the credentials is used up. Run with as many connections as threads:
-- each thread drives one flow at a time on its one connection.
--
-- Arguments after "--": ID prefix (unique per run), SP entityID, file of OTP IDs (one a line),
-- file of TOTP codes ("step code" lines), password, number of threads, signatures expected.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "?.lua;" .. package.path
local saml = require("saml")
local ffi = require("ffi")

ffi.cdef [[
int kill(int pid, int sig);
int getpid(void);
]]

-- wrk runs for its whole duration unless it gets SIGINT, which makes it stop and report at once.
-- Each thread raises its flag in this array (allocated in the main state, shared by address)
-- when its credentials are used up; the last one to finish sends the SIGINT.
local max_threads = 256
local finished_flags

local threads = {}

function setup(thread)
  finished_flags = finished_flags or ffi.new("int[?]", max_threads + 1)
  threads[#threads + 1] = thread
  thread:set("thread_number", #threads)
  thread:set("flags_address", tonumber(ffi.cast("intptr_t", finished_flags)))
end

function init(args)
  -- args[0] is the URL; ours follow.
  prefix = args[1] .. "t" .. thread_number .. "_"
  issuer = args[2]
  password = args[5]
  thread_count = tonumber(args[6])
  flags = ffi.cast("int *", flags_address)
  signatures = tonumber(args[7])
  destination = wrk.scheme .. "://" .. wrk.host .. ":" .. wrk.port .. "/sso"

  credentials = {}
  local line_number = 0
  for line in io.lines(args[3]) do
    if line ~= "" then
      if line_number % thread_count == thread_number - 1 then credentials[#credentials + 1] = line end
      line_number = line_number + 1
    end
  end
  codes = {}
  for line in io.lines(args[4]) do
    local step, code = line:match("^(%d+)%s+(%d+)")
    if step then codes[tonumber(step)] = code end
  end

  next_credential = 1
  counter = 0
  step = "sso"
  finished = false
  completed = 0
  latencies = {}
  first_start, last_end = 0, 0
  failures = {}
  if #credentials == 0 then finish() end
end

local credential, flow_start, login_path, browser, csrf

-- The credential is taken when the answer comes: wrk calls request() once more than it sends
-- (to check the script), so request() must not consume anything.
local function begin_flow()
  counter = counter + 1
  flow_start = saml.now()
  return saml.sso_post("/sso", prefix .. counter, destination, issuer, nil)
end

function request()
  if finished then
    -- Only reached if wrk asks for one more request after the thread was told to stop.
    return wrk.format("GET", "/static/varco.css")
  end
  if step == "sso" then
    return begin_flow()
  elseif step == "methods" then
    return wrk.format("GET", login_path, { Cookie = "varco_browser=" .. browser })
  elseif step == "form" then
    return wrk.format("GET", login_path .. "/otp-app", { Cookie = "varco_browser=" .. browser })
  else
    local code = codes[math.floor(os.time() / 30)] or "000000"
    local body = saml.form({ { "csrf", csrf }, { "otp_id", credential }, { "password", password }, { "code", code } })
    return wrk.format("POST", login_path .. "/otp-app",
      { Cookie = "varco_browser=" .. browser, ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
  end
end

local function fail(status, what)
  local key = step .. ":" .. status .. (what and (":" .. what) or "")
  failures[key] = (failures[key] or 0) + 1
  step = "sso"
end

-- No credentials left: stop this thread; the last thread to get here stops wrk.
function finish()
  finished = true
  if thread_count <= max_threads then
    flags[thread_number] = 1
    local all = true
    for i = 1, thread_count do
      if flags[i] == 0 then all = false end
    end
    if all then ffi.C.kill(ffi.C.getpid(), 2) end
  end
  wrk.thread:stop()
end

local function next_flow()
  step = "sso"
  if next_credential > #credentials then finish() end
end

function response(status, headers, body)
  if finished then return end
  if step == "sso" then
    credential = credentials[next_credential]
    next_credential = next_credential + 1
    if first_start == 0 then first_start = flow_start end
    local location = saml.header(headers, "location") or ""
    browser = saml.set_cookie(headers, "varco_browser")
    if status == 303 and browser and location:match("^/login/[%w_%-]+$") then
      login_path = location
      step = "methods"
    else
      fail(status)
      next_flow()
    end
  elseif step == "methods" then
    if status == 200 then step = "form" else fail(status); next_flow() end
  elseif step == "form" then
    csrf = body:match('name="csrf" value="([^"]+)"')
    if status == 200 and csrf then step = "post" else fail(status, "no-csrf"); next_flow() end
  else
    local outcome = status == 200 and saml.check_response(body, signatures) or "http"
    if outcome == "ok" and saml.set_cookie(headers, "varco_session") then
      last_end = saml.now()
      completed = completed + 1
      latencies[#latencies + 1] = last_end - flow_start
    else
      fail(status, outcome == "ok" and "no-session" or outcome)
    end
    next_flow()
  end
end

function done(summary, latency, requests)
  local total, all, failed = 0, {}, {}
  local first, last = math.huge, 0
  for _, thread in ipairs(threads) do
    local n = thread:get("completed")
    total = total + n
    for _, value in pairs(thread:get("latencies")) do all[#all + 1] = value end
    for key, count in pairs(thread:get("failures")) do failed[key] = (failed[key] or 0) + count end
    local started, ended = thread:get("first_start"), thread:get("last_end")
    if started > 0 and started < first then first = started end
    if ended > last then last = ended end
  end
  table.sort(all)
  local parts = {}
  for key, n in pairs(failed) do parts[#parts + 1] = key .. "=" .. n end
  local window = (total > 0 and last > first) and (last - first) or 0
  local errors = summary.errors
  io.write(string.format("BENCH flows=%d\n", total))
  io.write(string.format("BENCH requests=%d\n", summary.requests))
  io.write(string.format("BENCH seconds=%.3f\n", window))
  io.write(string.format("BENCH p50_ms=%.3f\n", saml.percentile(all, 50) * 1000))
  io.write(string.format("BENCH p99_ms=%.3f\n", saml.percentile(all, 99) * 1000))
  io.write(string.format("BENCH socket_errors=%d\n", errors.connect + errors.read + errors.write + errors.timeout))
  io.write(string.format("BENCH failures=%s\n", table.concat(parts, ",")))
end
