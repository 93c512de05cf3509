-- wrk script, scenario "SSO reuse": a browser that already holds an SSO session sends a new
-- AuthnRequest (HTTP-POST binding) and gets the auto-submit form with a signed Response back.
-- One request per flow.
--
-- Arguments after "--": ID prefix (unique per run), Cookie header value, SP entityID,
-- signatures expected in each Response.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "?.lua;" .. package.path
local saml = require("saml")

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("thread_number", #threads)
end

function init(args)
  -- args[0] is the URL; ours follow.
  prefix = args[1] .. "t" .. thread_number .. "_"
  cookie = args[2]
  issuer = args[3]
  signatures = tonumber(args[4])
  destination = wrk.scheme .. "://" .. wrk.host .. ":" .. wrk.port .. "/sso"
  counter = 0
  completed = 0
  -- Everything that is not a completed flow, by "status outcome".
  failures = {}
end

function request()
  counter = counter + 1
  return saml.sso_post("/sso", prefix .. counter, destination, issuer, cookie)
end

function response(status, headers, body)
  local outcome = status == 200 and saml.check_response(body, signatures) or "http"
  if outcome == "ok" then
    completed = completed + 1
  else
    local key = status .. " " .. outcome
    failures[key] = (failures[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total, failed = 0, {}
  for _, thread in ipairs(threads) do
    total = total + thread:get("completed")
    for key, n in pairs(thread:get("failures")) do failed[key] = (failed[key] or 0) + n end
  end
  local errors = summary.errors
  local parts = {}
  for key, n in pairs(failed) do parts[#parts + 1] = key:gsub(" ", ":") .. "=" .. n end
  io.write(string.format("BENCH flows=%d\n", total))
  io.write(string.format("BENCH requests=%d\n", summary.requests))
  io.write(string.format("BENCH seconds=%.3f\n", summary.duration / 1e6))
  io.write(string.format("BENCH p50_ms=%.3f\n", latency:percentile(50) / 1000))
  io.write(string.format("BENCH p99_ms=%.3f\n", latency:percentile(99) / 1000))
  io.write(string.format("BENCH socket_errors=%d\n", errors.connect + errors.read + errors.write + errors.timeout))
  io.write(string.format("BENCH failures=%s\n", table.concat(parts, ",")))
end
