import t from 'tap'
import { gunzipSync } from 'node:zlib'
import { minimalArticle, testApp } from '../helpers.js'

t.test('large responses are compressed with gzip or br and keep their ETag', async (t) => {
  const h = await testApp(t)
  for (let i = 0; i < 5; i++) await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle(`Story ${i}`) })
  const plain = await h.app.inject({ url: '/v1/articles', headers: h.as.write })
  const gz = await h.app.inject({ url: '/v1/articles', headers: { ...h.as.write, 'accept-encoding': 'gzip' } })
  t.equal(gz.headers['content-encoding'], 'gzip')
  t.same(JSON.parse(gunzipSync(gz.rawPayload).toString()), plain.json())
  t.equal(gz.headers.etag, plain.headers.etag)
  const br = await h.app.inject({ url: '/v1/articles', headers: { ...h.as.write, 'accept-encoding': 'br' } })
  t.equal(br.headers['content-encoding'], 'br')
})

t.test('CORS lets browsers read the API and its caching and rate-limit headers', async (t) => {
  const h = await testApp(t)
  const preflight = await h.app.inject({
    method: 'OPTIONS',
    url: '/v1/articles',
    headers: { origin: 'https://reader.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,if-none-match' },
  })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], 'https://reader.example')
  t.match(preflight.headers['access-control-allow-headers'], /If-None-Match/)
  const get = await h.app.inject({ url: '/v1/articles', headers: { origin: 'https://reader.example' } })
  t.match(get.headers['access-control-expose-headers'], /ETag/)
})

t.test('CORS_ORIGINS limits which origins may call', async (t) => {
  const h = await testApp(t, { corsOrigins: ['https://allowed.example'] })
  const other = await h.app.inject({ url: '/v1/articles', headers: { origin: 'https://evil.example' } })
  t.equal(other.headers['access-control-allow-origin'], undefined)
  const ok = await h.app.inject({ url: '/v1/articles', headers: { origin: 'https://allowed.example' } })
  t.equal(ok.headers['access-control-allow-origin'], 'https://allowed.example')
})

t.test('rate limits are per API key, with RateLimit headers and a 429 problem', async (t) => {
  const h = await testApp(t, { rateLimitPerMinute: 3 })
  const statuses = []
  let last
  for (let i = 0; i < 4; i++) {
    last = await h.app.inject({ url: '/v1/articles', headers: h.as.read })
    statuses.push(last.statusCode)
  }
  t.same(statuses, [200, 200, 200, 429])
  t.equal(last!.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(last!.json(), { type: '/problems/rate-limited', status: 429 })
  t.ok(last!.headers['retry-after'])
  t.equal(last!.headers['ratelimit-limit'], '3')
  t.equal(last!.headers['ratelimit-remaining'], '0', 'the headers the spec documents on every 429')
  t.ok(last!.headers['ratelimit-reset'])
  t.equal((await h.app.inject({ url: '/v1/articles', headers: h.as.write })).statusCode, 200, 'another key has its own budget')
  t.equal((await h.app.inject({ url: '/healthz' })).statusCode, 200, 'health is never limited')
})

t.test('a rate-limited create does not use up its Idempotency-Key', async (t) => {
  const h = await testApp(t, { rateLimitPerMinute: 1 })
  await h.app.inject({ url: '/v1/articles', headers: h.as.write })
  const limited = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: { ...h.as.write, 'idempotency-key': 'k' }, payload: minimalArticle() })
  t.equal(limited.statusCode, 429)
  const [rows] = await h.sql<{ n: number | string }>('select count(*) as n from idempotency_keys')
  t.equal(Number(rows!.n), 0)
})
