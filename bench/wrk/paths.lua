-- GET requests picked at random from a list file (wrk ... -- LIST_FILE).
-- Each line: a path, or a path, a tab and an ETag to send as If-None-Match.
dofile(debug.getinfo(1, 'S').source:match('^@(.*/)') .. 'common.lua')

local requests
function init(args)
  requests = build_gets(args[1])
end

function request()
  return requests[math.random(#requests)]
end
