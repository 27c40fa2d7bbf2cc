-- wrk script for bench_api.py: rotate over a list of request paths and print the result as JSON.
--
--     wrk -t1 -c10 -d15s --latency -s benchmarks/wrk_rotate.lua http://127.0.0.1:PORT -- PATHS [SEED]
--
-- PATHS is a file with one request path per line (for example /api/v1/registrations/reg-0000042).
-- Each wrk thread walks the list in order from its own offset (drawn with SEED plus the thread
-- number), so every connection keeps asking for different URLs and no single cached answer
-- flatters the result. done() prints one line "WRK_RESULT {...}" with the counts, the duration and
-- the latency percentiles in microseconds (wrk measures each request from sending it to the end of
-- its response, on keep-alive connections).

local paths = {}
local position = 1
local started = 0 -- threads set up so far (in the main Lua state)

function setup(thread)
   thread:set("thread_number", started) -- a global in that thread's own Lua state
   started = started + 1
end

function init(args)
   local file = assert(io.open(args[1], "r"), "cannot open " .. tostring(args[1]))
   for line in file:lines() do
      if #line > 0 then
         table.insert(paths, line)
      end
   end
   file:close()
   assert(#paths > 0, "no paths in " .. args[1])
   math.randomseed((tonumber(args[2]) or 1) * 1000 + (thread_number or 0))
   position = math.random(#paths)
end

function request()
   local path = paths[position]
   position = position + 1
   if position > #paths then
      position = 1
   end
   return wrk.format("GET", path)
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'WRK_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max))
end
