-- wrk script: send absolute-form requests (GET http://host:port/ HTTP/1.1), which wrk cannot do from its
-- URL alone, to the forward proxy it connects to; print the run's summary as one JSON line.
local target = os.getenv("BENCH_TARGET")
if target ~= nil and target ~= "" then
  wrk.path = target
  wrk.headers["Host"] = os.getenv("BENCH_AUTHORITY")
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
