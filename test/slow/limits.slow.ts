/**
 * Resource limits: every limit answers a clear problem+json 4xx (or 503), never
 * a crash, a 5xx or an unbounded answer; and a sustained, bounded loop of large
 * requests leaves memory bounded. (test/plugins/problemBeforeRouting.test.ts
 * already covers the 414 of a long id, the 431 of one big header and a non-HTTP
 * request; this extends them.) Real HTTP on 127.0.0.1 for what Node's parser
 * decides (header and URL sizes, the request timeout), app.inject for the rest.
 */
import t from 'tap'
import type { AddressInfo } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { testApp, minimalArticle, rawRequest } from '../helpers.js'

const REQUEST_TIMEOUT_MS = 1000
const h = await testApp(t, { requestTimeoutMs: REQUEST_TIMEOUT_MS })
const limit = h.app.initialConfig.bodyLimit!
await h.app.listen({ host: '127.0.0.1', port: 0 })
const { port } = h.app.server.address() as AddressInfo

/** The raw answer to raw bytes sent to the app (see rawRequest). */
const raw = async (request: string, deadlineMs?: number) => (await rawRequest(port, request, deadlineMs)).answer
const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)
const problemOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { status: number; type: string }

const figures: string[] = []
const inject = (url: string, extra: object = {}) => h.app.inject({ url, headers: h.as.admin, ...extra })
function isProblem(test: Pick<typeof t, 'ok' | 'match' | 'equal'>, r: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, statuses: number[], what: string) {
  test.ok(statuses.includes(r.statusCode), `${what}: ${r.statusCode} is one of ${statuses.join(', ')}`)
  test.match(String(r.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`)
  test.equal((r.json() as { status: number }).status, r.statusCode, `${what}: the problem carries its status`)
}

t.test('a body over the limit is a 413 naming the limit, whether or not it says its length', async (t) => {
  const big = JSON.stringify({ ...minimalArticle(), summary: 'x'.repeat(limit) })
  const r = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: { ...h.as.write, 'content-type': 'application/json' }, payload: big })
  isProblem(t, r, [413], 'a declared 1 MiB+ body')
  t.equal((r.json() as { limitBytes: number }).limitBytes, limit)
  // Chunked: no Content-Length, the server counts as it reads.
  const chunk = 'x'.repeat(64 * 1024)
  const chunks = Math.ceil((limit + 1) / chunk.length)
  const body = `{"summary":"${Array.from({ length: chunks }, () => chunk).join('')}"}`
  const request = `POST /v1/articles HTTP/1.1\r\nHost: localhost\r\n${`Authorization: ${h.as.write.authorization}`}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`
  const answer = await raw(request)
  t.equal(statusOf(answer), 413, 'a chunked body over the limit is a 413')
  t.match(problemOf(answer), { status: 413, type: '/problems/body-too-large' })
})

t.test('headers and URLs over what the server reads are 431 problems; long query values are 400s', async (t) => {
  const many = Array.from({ length: 1500 }, (_, i) => `X-H${i}: ${'v'.repeat(10)}`).join('\r\n')
  const manyAnswer = await raw(`GET /v1/articles HTTP/1.1\r\nHost: localhost\r\n${many}\r\n\r\n`)
  t.equal(statusOf(manyAnswer), 431, 'many small headers adding up over the limit: 431')
  t.match(problemOf(manyAnswer), { status: 431 })
  const longUrl = await raw(`GET /v1/articles?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
  t.equal(statusOf(longUrl), 431, 'a 20 kB URL is refused by the parser with a problem (Node counts the request line with the headers)')
  t.match(problemOf(longUrl), { status: 431, type: '/problems/headers-too-large' })
  // Under the parser's limit, the query schema decides.
  const longQ = await inject(`/v1/articles?q=${'a'.repeat(5000)}`)
  isProblem(t, longQ, [400], 'a 5000-character q')
  const unknown = await inject(`/v1/articles?${Array.from({ length: 300 }, (_, i) => `p${i}=1`).join('&')}`)
  isProblem(t, unknown, [400], '300 unknown query parameters')
  const repeated = await inject(`/v1/articles?${Array.from({ length: 1000 }, () => 'limit=5').join('&')}`)
  isProblem(t, repeated, [400], 'limit given 1000 times')
})

t.test('page sizes, include and fields lists are bounded', async (t) => {
  for (const l of ['101', '1000000', '1e20', '-1', '0', '1.5', 'NaN']) isProblem(t, await inject(`/v1/articles?limit=${l}`), [400], `limit=${l}`)
  for (const path of ['/v1/media', '/v1/topics', '/v1/contributors', '/v1/sections']) isProblem(t, await inject(`${path}?limit=101`), [400], `${path}?limit=101`)
  isProblem(t, await inject('/v1/changes?limit=1001'), [400], '/v1/changes?limit=1001 (its pages go to 1000)')
  const include = Array.from({ length: 200 }, () => 'contributors').join(',')
  isProblem(t, await inject(`/v1/articles?include=${include}`), [400], '200 includes')
  const fields = Array.from({ length: 200 }, () => 'headlines').join(',')
  isProblem(t, await inject(`/v1/articles?fields=${fields}`), [400], '200 fields')
  const topics = Array.from({ length: 21 }, (_, i) => `t${i}`).join(',')
  isProblem(t, await inject(`/v1/articles?topic=${topics}`), [400], '21 topics')
  const ok = await inject('/v1/articles?include=contributors,topics,sections&fields=id,headlines,body&limit=100')
  t.equal(ok.statusCode, 200, 'the longest valid combination answers')
})

t.test('search queries of any shape answer 200 or a 400 problem, bounded in size', async (t) => {
  for (let i = 0; i < 30; i++) {
    await h.app.inject({ method: 'POST', url: '/v1/articles', headers: { ...h.as.write, 'content-type': 'application/json' }, payload: JSON.stringify(minimalArticle(`Harbour tunnel story number ${i} alpha beta gamma`)) })
  }
  const queries = [
    Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '),
    Array.from({ length: 30 }, () => 'a*').join(' OR '),
    Array.from({ length: 30 }, () => 'harbour').join(' AND '),
    '('.repeat(60) + 'harbour' + ')'.repeat(60),
    '"' + 'harbour '.repeat(24) + '"',
    Array.from({ length: 20 }, () => 'NEAR(harbour tunnel, 10)').join(' '),
    'NEAR(' + 'a '.repeat(90) + ')',
    '*'.repeat(200),
    '"'.repeat(199),
    'harbour NOT tunnel NOT alpha NOT beta NOT gamma',
    '^harbour -tunnel',
    'AND OR NOT',
    'h'.repeat(200),
    'x*'.repeat(100),
  ]
  const statuses = new Map<number, number>()
  for (const q of queries) {
    for (const query of [`q=${encodeURIComponent(q)}&limit=100`, `q=${encodeURIComponent(q)}&sort=relevance&total=true&limit=100`]) {
      const r = await inject(`/v1/articles?${query}`)
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1)
      t.ok(r.statusCode === 200 || r.statusCode === 400, `q=${q.slice(0, 40)}…: ${r.statusCode}`)
      if (r.statusCode === 400) t.match(String(r.headers['content-type']), /^application\/problem\+json/)
      if (r.statusCode === 200) t.ok((r.json() as { data: unknown[] }).data.length <= 100, 'at most one page')
    }
  }
  figures.push(`search shapes ${queries.length * 2}: ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')}`)
})

t.test('a request whose headers or body do not arrive within the request timeout is a 408 problem, and the server keeps serving', async (t) => {
  // Headers that never end: Node gives up after requestTimeout, checking every 30 s (its connectionsCheckingInterval).
  const started = Date.now()
  const answer = await raw(`GET /v1/articles HTTP/1.1\r\nHost: localhost\r\nX-Slow: a`, 90_000)
  figures.push(`request with unfinished headers answered after ${Date.now() - started} ms (timeout ${REQUEST_TIMEOUT_MS} ms)`)
  t.equal(statusOf(answer), 408, 'unfinished headers: 408')
  t.match(problemOf(answer), { status: 408, type: '/problems/request-timeout' })
  // A body that stops after the headers: Node's own timeout does not cover it; the app's deadline does (src/app.ts, bodyDeadline).
  const bodyStarted = Date.now()
  const stalled = await raw(`POST /v1/articles HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${h.as.write.authorization}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"head`, 90_000)
  figures.push(`request with a stalled body answered after ${Date.now() - bodyStarted} ms`)
  t.equal(statusOf(stalled), 408, 'a stalled body: 408')
  t.match(problemOf(stalled), { status: 408, type: '/problems/request-timeout' })
  const after = await raw('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
  t.equal(statusOf(after), 200, 'the server still answers')
})

t.test('a sustained loop of large requests leaves memory bounded', async (t) => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const measure = () => {
    gc()
    gc()
    return process.memoryUsage()
  }
  // A valid article near the body limit: 45 paragraphs of 20 000 characters (~900 kB). A few are stored, so that list pages are large;
  // the loop itself stores nothing more (what is stored lives in SQLite's memory, outside the JS heap, and would blur the figure).
  const paragraphs = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'paragraph', html: `${i} ${'word '.repeat(3999)}` }))
  const near = JSON.stringify({ ...minimalArticle('A long read'), body: paragraphs(45) })
  const over = near + ' '.repeat(limit - near.length + 1)
  /** Valid by the schema, refused by the service after parsing: a related block naming no article. */
  const lateInvalid = JSON.stringify({ ...minimalArticle('A long read'), body: [...paragraphs(44), { type: 'related', articleId: '01934b7e-0000-7000-8000-000000000000' }] })
  t.ok(near.length < limit && near.length > limit * 0.8, `the near-limit body is ${near.length} bytes`)
  const write = { ...h.as.write, 'content-type': 'application/json' }
  for (let i = 0; i < 8; i++) {
    const r = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: write, payload: JSON.stringify({ ...minimalArticle(`Long read ${i}`), body: paragraphs(10) }) })
    t.equal(r.statusCode, 201)
  }
  const counts = { tooLarge: 0, invalid: 0, refused: 0, pages: 0, other: 0 }
  let pageBytes = 0
  const round = async () => {
    for (let i = 0; i < 2; i++) {
      const r = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: write, payload: over })
      if (r.statusCode === 413) counts.tooLarge++
      else counts.other++
    }
    const invalid = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: write, payload: near.replace('"paragraph"', '"nonsense"') })
    if (invalid.statusCode === 400) counts.invalid++
    else counts.other++
    const refused = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: write, payload: lateInvalid })
    if (refused.statusCode === 400) counts.refused++
    else counts.other++
    const page = await inject('/v1/articles?limit=100&include=contributors,topics,sections&status=draft', { headers: h.as.write })
    if (page.statusCode === 200) counts.pages++
    else counts.other++
    pageBytes = page.body.length
  }
  // Warm up, so that what is made once (statements, compiled serialisers) is not counted as growth.
  for (let i = 0; i < 5; i++) await round()
  const before = measure()
  for (let i = 0; i < 80; i++) await round()
  const after = measure()
  const mb = (n: number) => Math.round(n / 1e5) / 10
  const heapGrowth = after.heapUsed - before.heapUsed
  figures.push(
    `memory loop: ${counts.tooLarge} over-limit bodies, ${counts.invalid} schema-invalid and ${counts.refused} service-refused near-limit bodies, ${counts.pages} list pages of ${Math.round(pageBytes / 1000)} kB (${counts.other} other); ` +
      `heapUsed ${mb(before.heapUsed)} -> ${mb(after.heapUsed)} MB, rss ${mb(before.rss)} -> ${mb(after.rss)} MB`,
  )
  t.equal(counts.other, 0, 'every request answered as expected')
  // Generous bounds: nothing is stored in the loop, so the heap should come back to where it was.
  t.ok(heapGrowth < 32 * 1024 * 1024, `the JS heap grew by ${mb(heapGrowth)} MB (< 32 MB)`)
  t.ok(after.rss - before.rss < 256 * 1024 * 1024, `rss grew by ${mb(after.rss - before.rss)} MB (< 256 MB)`)
})

t.test('figures', async (t) => {
  for (const f of figures) t.comment(f)
  t.pass()
})
