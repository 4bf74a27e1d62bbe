-- Shared by the benchmark's wrk scripts: reading request lists, and done(),
-- which prints the run's figures as one JSON line for bench/run.ts to parse.

-- Lines of a file, without the newline.
function read_lines(file)
  local lines = {}
  for line in io.lines(file) do
    if line ~= '' then lines[#lines + 1] = line end
  end
  if #lines == 0 then error('no lines in ' .. file) end
  return lines
end

-- One request per line: "path" or "path<TAB>etag" (sent as If-None-Match).
function build_gets(file)
  local requests = {}
  for _, line in ipairs(read_lines(file)) do
    local path, etag = line:match('^([^\t]+)\t?(.*)$')
    local headers = {}
    if etag ~= '' then headers['If-None-Match'] = etag end
    requests[#requests + 1] = wrk.format('GET', path, headers)
  end
  return requests
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

-- Counters a script keeps in its thread (globals named in extra_counters) are summed and reported.
extra_counters = extra_counters or {}

function done(summary, latency, _)
  local e = summary.errors
  local extra = ''
  for _, name in ipairs(extra_counters) do
    local sum = 0
    for _, t in ipairs(threads) do sum = sum + (t:get(name) or 0) end
    extra = extra .. string.format(',"%s":%d', name, sum)
  end
  io.write(string.format(
    '@@wrk {"requests":%d,"durationUs":%d,"bytes":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}%s}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, extra))
end
