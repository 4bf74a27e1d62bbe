-- The write mix (wrk ... -- READS_FILE CREATE_BODY_FILE API_KEY WRITE_SHARE):
-- 1 - WRITE_SHARE of the requests are GETs from READS_FILE; the rest are writes,
-- half creates (POST /v1/articles) and half If-Match PATCHes of an article this
-- run created, with the ETag of its last write (so a 412 means a real conflict).
dofile(debug.getinfo(1, 'S').source:match('^@(.*/)') .. 'common.lua')
extra_counters = { 'creates', 'patches', 'failed' }
creates, patches, failed = 0, 0, 0

local reads, create_body, auth, write_share
local pool, pool_size, mine, counter = {}, 0, {}, 0
local writing = {}

function init(args)
  reads = build_gets(args[1])
  local f = assert(io.open(args[2]))
  create_body = f:read('*a')
  f:close()
  auth = 'Bearer ' .. args[3]
  write_share = tonumber(args[4])
end

function request()
  if math.random() >= write_share then return reads[math.random(#reads)] end
  counter = counter + 1
  local headers = { ['Authorization'] = auth, ['Content-Type'] = 'application/json' }
  if pool_size > 0 and math.random() < 0.5 then
    local id, etag = next(pool)
    pool[id] = nil
    pool_size = pool_size - 1
    writing[id] = true
    headers['If-Match'] = etag
    return wrk.format('PATCH', '/v1/articles/' .. id, headers, '{"summary":"An updated standfirst, edit ' .. counter .. '."}')
  end
  local body = create_body:gsub('__N__', tostring(counter))
  return wrk.format('POST', '/v1/articles', headers, body)
end

function response(status, headers, body)
  if status ~= 200 and status ~= 201 then
    if status >= 400 then failed = failed + 1 end
    return
  end
  local id = body:match('^{"id":"([^"]+)"')
  local etag = headers['etag'] or headers['ETag']
  if id == nil or etag == nil then return end
  if status == 201 then
    creates = creates + 1
    mine[id] = true
  elseif writing[id] then
    patches = patches + 1
    writing[id] = nil
  else
    return
  end
  pool[id] = etag
  pool_size = pool_size + 1
end
