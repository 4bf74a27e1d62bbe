import t from 'tap'
import { minimalArticle, testApp } from '../helpers.js'

interface ProblemJson {
  type: string
  status: number
  detail: string
  errors?: { path: string; message: string }[]
  limitBytes?: number
  accepted?: string[]
  currentVersion?: number
}

t.test('error paths name what the client sent: /body/..., /query/NAME, /headers/NAME', async (t) => {
  const h = await testApp(t, { bodyLimitBytes: 4096 })
  const json = { ...h.as.write, 'content-type': 'application/json' }
  const created = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: json, payload: minimalArticle() })
  const id = created.json().id as string

  const problemOf = (res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) => {
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    return res.json() as ProblemJson
  }

  t.test('a missing body property is named by its own path', async (t) => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: json, payload: { headlines: { basic: 'No body' } } })
    t.equal(res.statusCode, 400)
    const p = problemOf(res)
    t.equal(p.detail, 'The request body is not valid.')
    t.same(p.errors, [{ path: '/body/body', message: 'is required' }])
  })

  t.test('a wrong nested body field and a service-found one share the /body convention', async (t) => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: json, payload: { ...minimalArticle(), headlines: { basic: '' } } })
    t.same(problemOf(res).errors, [{ path: '/body/headlines/basic', message: 'must NOT have fewer than 1 characters' }])
    const badHtml = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: json, payload: { ...minimalArticle(), body: [{ type: 'paragraph', html: '<script>x</script>' }] } })
    t.equal(problemOf(badHtml).errors?.[0]?.path, '/body/body/0/html')
  })

  t.test('query parameters are /query/NAME, also for errors the service finds', async (t) => {
    const limit = await h.app.inject({ url: '/v1/articles?limit=500' })
    t.same(problemOf(limit).errors?.map((e) => e.path), ['/query/limit'])
    t.equal(problemOf(limit).detail, 'The request query string is not valid.')
    const since = await h.app.inject({ url: '/v1/changes?since=garbage' })
    t.equal(since.statusCode, 400)
    t.same(problemOf(since).errors, [{ path: '/query/since', message: 'is not a cursor this API gave out' }])
    t.match(problemOf(since).detail, /since/)
    const cursor = await h.app.inject({ url: '/v1/media?cursor=garbage' })
    t.same(problemOf(cursor).errors?.map((e) => e.path), ['/query/cursor'])
  })

  t.test('If-Match: banana is a 400 that says what form is expected; a well-formed stale one stays 412', async (t) => {
    for (const value of ['banana', '"1-abc", banana', 'W/banana']) {
      const res = await h.app.inject({ method: 'POST', url: `/v1/articles/${id}/publish`, headers: { ...h.as.write, 'if-match': value } })
      t.equal(res.statusCode, 400, value)
      const p = problemOf(res)
      t.equal(p.type, '/problems/validation')
      t.equal(p.errors?.[0]?.path, '/headers/if-match')
      t.match(p.detail, /If-Match must be "\*", an ETag as sent in the ETag header \("3-9f86d081"\), or a version number \(3\)/)
    }
    for (const value of ['"99-abc"', '99', 'W/"someone-elses-tag"', '"opaque"']) {
      const res = await h.app.inject({ method: 'POST', url: `/v1/articles/${id}/publish`, headers: { ...h.as.write, 'if-match': value } })
      t.equal(res.statusCode, 412, value)
      t.equal(problemOf(res).currentVersion, 1)
    }
    const missing = await h.app.inject({ method: 'POST', url: `/v1/articles/${id}/publish`, headers: h.as.write })
    t.equal(missing.statusCode, 428)
  })

  t.test('header schema errors are /headers/NAME', async (t) => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: { ...json, 'idempotency-key': 'k'.repeat(300) }, payload: minimalArticle() })
    t.same(problemOf(res).errors?.map((e) => e.path), ['/headers/idempotency-key'])
  })

  t.test('a 413 says the limit', async (t) => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: json, payload: { ...minimalArticle(), summary: 'x'.repeat(5000) } })
    t.equal(res.statusCode, 413)
    const p = problemOf(res)
    t.equal(p.limitBytes, 4096)
    t.match(p.detail, /4096 bytes/)
  })

  t.test('a 415 lists the accepted types (merge-patch too for PATCH)', async (t) => {
    const post = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: { ...h.as.write, 'content-type': 'text/html' }, payload: '<p>hi</p>' })
    t.equal(post.statusCode, 415)
    t.same(problemOf(post).accepted, ['application/json'])
    t.match(problemOf(post).detail, /application\/json; the request sent text\/html/)
    t.equal(post.headers.accept, 'application/json')
    const patch = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${id}`, headers: { ...h.as.write, 'if-match': '1', 'content-type': 'text/plain' }, payload: 'x' })
    t.equal(patch.statusCode, 415)
    t.same(problemOf(patch).accepted, ['application/json', 'application/merge-patch+json'])
    t.equal(patch.headers['accept-patch'], 'application/json, application/merge-patch+json')
  })
})

t.test('a query number that is not finite (limit=1e309, which Ajv coerces to Infinity past any maximum) is a 400 at its path, never a 500', async (t) => {
  const h = await testApp(t)
  for (const url of ['/v1/articles?limit=1e309', '/v1/articles?limit=-Infinity', '/v1/feeds/latest?limit=1e309', '/v1/topics?limit=Infinity']) {
    const res = await h.app.inject({ url })
    t.equal(res.statusCode, 400, url)
    t.match(res.json<ProblemJson>(), { type: '/problems/validation', errors: [{ path: '/query/limit', message: 'must be a finite number' }] })
  }
  t.equal((await h.app.inject({ url: '/v1/articles?limit=1e1' })).statusCode, 200, 'a finite number in another spelling still counts')
})
