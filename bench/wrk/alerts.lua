-- wrk script for POST /alerts/{source}: bodies cycled from a file (one JSON body a line), Bearer token.
--   wrk -t1 -c50 -d5s --latency -s bench/wrk/alerts.lua URL -- BODIES TOKEN [QUOTA [ACKED]]
-- Every thread counts what it sent and what came back; done() prints one line "BENCH {json}".
-- With ACKED (a path prefix), the alert ids of the 2xx answers ("alert": 7) go to ACKED-<thread>.txt, one a
-- line, so the bench can check that every acknowledged alert is in the table.
-- With QUOTA, a thread stops once QUOTA of its answers came back (wrk then still runs for -d, so the bench
-- sends it SIGINT when it prints "QUOTA-DONE"); requests still in flight then are counted as in flight.

local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk, bench_timespec *ts);
]]
local timespec = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, timespec)  -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) / 1e9
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local requests = {}
local quota = nil
local i = 0
local acked_file = nil
local batch, batched = {}, 0
sent, answered, ok2xx, other, first, last, pending, acked_path = 0, 0, 0, 0, 0, 0, "", ""

function init(args)
  local path, token = args[1], args[2]
  quota = tonumber(args[3])
  if quota ~= nil and quota <= 0 then quota = nil end
  if args[4] ~= nil and args[4] ~= "" then
    acked_path = args[4]
    acked_file = io.open(acked_path .. "-" .. (id or 1) .. ".txt", "w")
  end
  local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  for line in io.lines(path) do
    if #line > 0 then
      table.insert(requests, wrk.format("POST", nil, headers, line))
    end
  end
  assert(#requests > 0, "no bodies in " .. path)
  i = ((id or 1) - 1) * 7919 % #requests  -- threads start at different places in the cycle
end

function request()
  i = i % #requests + 1
  sent = sent + 1
  if first == 0 then first = now() end
  return requests[i]
end

function response(status, headers, body)
  answered = answered + 1
  last = now()
  if status >= 200 and status < 300 then
    ok2xx = ok2xx + 1
    if acked_file ~= nil then
      batched = batched + 1
      batch[batched] = body:match('"alert":%s*(%d+)') or "?"
      if batched >= 256 then  -- written in batches; the last one is handed over in `pending` (done() reads it)
        acked_file:write(table.concat(batch, "\n"), "\n")
        acked_file:flush()
        batch, batched = {}, 0
      end
      pending = table.concat(batch, "\n")
    end
  else
    other = other + 1
  end
  if quota ~= nil and answered >= quota then
    io.write("QUOTA-DONE\n")
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, reqs)
  local t = {sent = 0, answered = 0, ok2xx = 0, other = 0, first = nil, last = 0}
  for _, thread in ipairs(threads) do
    t.sent = t.sent + thread:get("sent")
    t.answered = t.answered + thread:get("answered")
    t.ok2xx = t.ok2xx + thread:get("ok2xx")
    t.other = t.other + thread:get("other")
    local f, l = thread:get("first"), thread:get("last")
    if f > 0 and (t.first == nil or f < t.first) then t.first = f end
    if l > t.last then t.last = l end
    local rest, prefix = thread:get("pending"), thread:get("acked_path")
    if prefix ~= "" and #rest > 0 then
      local f = io.open(prefix .. "-" .. thread:get("id") .. ".txt", "a")
      f:write(rest, "\n")
      f:close()
    end
  end
  io.write(string.format(
    'BENCH {"sent": %d, "answered": %d, "ok2xx": %d, "other": %d, "seconds": %.6f, ' ..
    '"wrk_requests": %d, "wrk_duration_us": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    t.sent, t.answered, t.ok2xx, t.other, (t.first and t.last - t.first or 0),
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
