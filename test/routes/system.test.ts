import t from 'tap'
import { minimalArticle, testApp } from '../helpers.js'

t.test('GET /healthz and /readyz answer without a key and are never cached', async (t) => {
  const h = await testApp(t, { anonymousReads: false })
  const health = await h.app.inject({ url: '/healthz' })
  t.equal(health.statusCode, 200)
  t.match(health.json(), { status: 'ok', uptimeSeconds: Number })
  t.equal(health.headers['cache-control'], 'no-store')
  const ready = await h.app.inject({ url: '/readyz' })
  t.same(ready.json(), { status: 'ok', database: 'ok' })
})

t.test('GET /readyz is 503 when the database does not answer', async (t) => {
  const h = await testApp(t)
  await h.data.close()
  const ready = await h.app.inject({ url: '/readyz' })
  t.equal(ready.statusCode, 503)
  t.same(ready.json(), { status: 'unavailable', database: 'unavailable' })
})

t.test('GET /metrics exposes requests by route and status, latency and database timings', async (t) => {
  const h = await testApp(t)
  await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle() })
  await h.app.inject({ url: '/v1/articles/missing' })
  const res = await h.app.inject({ url: '/metrics', headers: h.as.admin })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain/)
  t.match(res.body, /http_requests_total\{method="POST",route="\/v1\/articles",status_code="201"\} 1/)
  t.match(res.body, /http_requests_total\{method="GET",route="\/v1\/articles\/:idOrSlug",status_code="404"\} 1/)
  t.match(res.body, /http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/v1\/articles"/)
  t.match(res.body, /db_operation_duration_seconds_count\{operation="articles.create",outcome="ok"\} 1/)
  t.match(res.body, /process_cpu_user_seconds_total/)
})

t.test('GET /metrics needs an admin key or the configured metrics token (issue 11, defect 8)', async (t) => {
  const token = 'a-scraper-token-of-enough-length'
  const h = await testApp(t, { metricsToken: token })
  const anonymous = await h.app.inject({ url: '/metrics' })
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.equal((await h.app.inject({ url: '/metrics', headers: h.as.read })).statusCode, 403)
  t.equal((await h.app.inject({ url: '/metrics', headers: h.as.write })).statusCode, 403)
  t.equal((await h.app.inject({ url: '/metrics', headers: h.as.admin })).statusCode, 200)
  t.equal((await h.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } })).statusCode, 200, 'the scraper token')
  t.equal((await h.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}x` } })).statusCode, 401)
  t.equal((await h.app.inject({ url: '/v1/articles', headers: { authorization: `Bearer ${token}` } })).statusCode, 401, 'the token opens /metrics only')
  const without = await testApp(t)
  t.equal((await without.app.inject({ url: '/metrics' })).statusCode, 401, 'without a token, admin keys only')
})

t.test('every response carries X-Request-Id; a sane incoming one is kept, others replaced', async (t) => {
  const h = await testApp(t)
  const mine = await h.app.inject({ url: '/healthz', headers: { 'x-request-id': 'edge-42.abc' } })
  t.equal(mine.headers['x-request-id'], 'edge-42.abc')
  const evil = await h.app.inject({ url: '/healthz', headers: { 'x-request-id': 'x\n{"level":60}' } })
  t.match(evil.headers['x-request-id'], /^[0-9a-f-]{36}$/)
  const problem = await h.app.inject({ url: '/nowhere' })
  t.equal(problem.json().requestId, problem.headers['x-request-id'])
})

t.test('unknown routes are 404 problems', async (t) => {
  const h = await testApp(t)
  const res = await h.app.inject({ method: 'DELETE', url: '/v2/whatever?x=1' })
  t.equal(res.statusCode, 404)
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(res.json(), { type: '/problems/not-found', title: 'Not Found', status: 404, instance: '/v2/whatever' })
})

t.test('an unexpected error is a 500 problem without stack or SQL', async (t) => {
  const h = await testApp(t)
  await h.sql('DROP TABLE article_revisions')
  const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle() })
  t.equal(res.statusCode, 500)
  t.match(res.json(), { type: '/problems/internal', status: 500 })
  t.notMatch(res.body, /article_revisions|SQLITE|relation|at \w+ \(/)
})

t.test('GET /docs serves Swagger UI from local assets and /openapi.json the spec', async (t) => {
  const h = await testApp(t, { anonymousReads: false })
  const docs = await h.app.inject({ url: '/docs/' })
  t.equal(docs.statusCode, 200)
  t.match(docs.body, /swagger-ui/)
  t.notMatch(docs.body, /https?:\/\/(?!127\.0\.0\.1)[a-z]/i, 'no remote assets')
  const spec = await h.app.inject({ url: '/openapi.json' })
  t.equal(spec.statusCode, 200)
  t.equal(spec.json().openapi, '3.1.0')
})

t.test('public operations answer a key that is not valid with the 401 problem their documents list, never as anonymous', async (t) => {
  const h = await testApp(t)
  const spec = JSON.parse((await h.app.inject({ url: '/openapi.json' })).body) as { paths: Record<string, { get: { responses: Record<string, unknown> } }> }
  for (const url of ['/healthz', '/readyz', '/openapi.json', '/problems', '/problems/validation']) {
    const r = await h.app.inject({ url, headers: { authorization: 'Bearer not-a-key' } })
    t.equal(r.statusCode, 401, `${url} with a bad key`)
    t.match(r.headers['content-type'], /^application\/problem\+json/)
    const path = url === '/problems/validation' ? '/problems/{code}' : url
    t.ok(spec.paths[path]?.get.responses['401'], `${path} documents 401`)
  }
})
