import t from 'tap'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { testApp, type TestApp } from '../../helpers.js'
import type { Actor } from '../../../src/services/actor.js'
import { ANY_VERSION } from '../../../src/services/preconditions.js'

const admin: Actor = { keyId: null, scope: 'admin' }
const NDJSON = 'application/x-ndjson'

/** A little newsroom: a section tree, a topic, a contributor, a photo, a published article and a draft. */
async function content(h: TestApp) {
  const s = h.services
  const news = await s.sections.create({ name: 'News' })
  const city = await s.sections.create({ name: 'City', parentId: news.id })
  const topic = await s.topics.create({ kind: 'place', name: 'Harbour' })
  const lena = await s.contributors.create({ kind: 'person', name: 'Lena Marsh' })
  const photo = await s.media.create({ kind: 'image', caption: 'The east pier at dawn', credit: 'Port Authority' })
  const body = [
    { type: 'paragraph' as const, html: 'The operator adds sailings at <b>5.40</b>.' },
    { type: 'image' as const, mediaId: photo.id },
    { type: 'ad' as const, slot: 'ad-1' },
  ]
  const story = { sectionId: city.id, leadMedia: { mediaId: photo.id }, body, credits: [{ contributorId: lena.id, role: 'byline' as const }], topics: [{ topicId: topic.id, primary: true }] }
  const published = (await s.articles.create({ ...story, headlines: { basic: 'Ferry adds early sailings' } }, admin)).article.id
  await s.articles.act(published, ANY_VERSION, 'publish', admin)
  await s.articles.correct(published, ANY_VERSION, 'The first sailing is at 5.40, not 5.30.', admin)
  const draft = (await s.articles.create({ ...story, headlines: { basic: 'Ferry fares to rise' } }, admin)).article.id
  return { published, draft }
}

const exportOf = (h: TestApp, query = '') => h.app.inject({ url: `/v1/archive/export${query}`, headers: h.as.admin })
const importInto = (h: TestApp, payload: string, query = '', headers: Record<string, string> = h.as.admin) =>
  h.app.inject({ method: 'POST', url: `/v1/archive/import${query}`, headers: { ...headers, 'content-type': NDJSON }, payload })
const afterHeader = (text: string) => text.slice(text.indexOf('\n') + 1)

t.test('GET /v1/archive/export streams the archive as NDJSON to admin keys only', async (t) => {
  const h = await testApp(t)
  await content(h)
  t.equal((await h.app.inject({ url: '/v1/archive/export' })).statusCode, 401, 'anonymous: 401')
  for (const key of [h.as.read, h.as.write]) {
    const res = await h.app.inject({ url: '/v1/archive/export', headers: key })
    t.equal(res.statusCode, 403)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
  }
  const res = await exportOf(h)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], `${NDJSON}; charset=utf-8`)
  t.equal(res.headers['cache-control'], 'no-store')
  t.match(res.headers['content-disposition'], /^attachment; filename="newsdesk-archive-.*\.ndjson"$/)
  const lines = res.body.trim().split('\n').map((l) => JSON.parse(l) as { kind: string })
  t.same(lines.map((l) => l.kind), ['header', 'section', 'section', 'topic', 'contributor', 'media', 'article', 'article', 'end'])
  t.match(lines[0], { format: 'newsdesk-archive', version: 1, revisions: false, counts: { articles: 2, revisions: 0 } })

  const withRevisions = await exportOf(h, '?revisions=true')
  t.equal(withRevisions.body.match(/"kind":"revision"/g)?.length, 4, 'created, published and corrected; created')
  t.equal((await exportOf(h, '?revisions=maybe')).statusCode, 400)
  t.equal((await exportOf(h, '?all=true')).statusCode, 400, 'unknown query parameters are refused')
})

t.test('POST /v1/archive/import reads an export back exactly, and again changes nothing', async (t) => {
  const a = await testApp(t)
  const ids = await content(a)
  const archive = (await exportOf(a, '?revisions=true')).body
  const b = await testApp(t)
  const res = await importInto(b, archive)
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), {
    imported: { sections: 2, topics: 1, contributors: 1, media: 1, articles: 2, revisions: 4 },
    unchanged: { sections: 0, topics: 0, contributors: 0, media: 0, articles: 0, revisions: 0 },
    lines: 13,
    failed: null,
    resumeFrom: null,
  })
  t.equal(afterHeader((await exportOf(b, '?revisions=true')).body), afterHeader(archive), 'the export of the copy is the same archive')
  for (const id of [ids.published, ids.draft]) {
    const [x, y] = await Promise.all([a, b].map((h) => h.app.inject({ url: `/v1/articles/${id}`, headers: h.as.write })))
    t.equal(y!.body, x!.body)
    t.equal(y!.headers.etag, x!.headers.etag)
  }
  t.equal((await b.app.inject({ url: `/v1/articles/${ids.draft}` })).statusCode, 404, 'the draft is still hidden from anonymous readers')

  const gzipped = await b.app.inject({
    method: 'POST',
    url: '/v1/archive/import',
    headers: { ...b.as.admin, 'content-type': NDJSON, 'content-encoding': 'gzip' },
    payload: gzipSync(archive),
  })
  t.equal(gzipped.statusCode, 200, 'a gzipped archive is read too')
  const again = await importInto(b, archive)
  t.equal(again.statusCode, 200)
  t.match(again.json(), { imported: { articles: 0, revisions: 0 }, unchanged: { sections: 2, articles: 2, revisions: 4 } })
})

t.test('a bad line is a 422 problem with the import summary; resumeFrom carries on', async (t) => {
  const a = await testApp(t)
  await content(a)
  const lines = (await exportOf(a)).body.trim().split('\n')
  const broken = [...lines]
  broken[6] = broken[6]!.replace('"status":"published"', '"status":"live"') // line 7: the first article
  const b = await testApp(t)
  const res = await importInto(b, `${broken.join('\n')}\n`)
  t.equal(res.statusCode, 422)
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(res.json(), {
    type: '/problems/archive-line-failed',
    status: 422,
    detail: /^Line 7: \/data\/status must be equal to one of the allowed values\. Nothing from line 2 on was imported/,
    imported: { sections: 0, articles: 0 },
    failed: { line: 7, error: '/data/status must be equal to one of the allowed values' },
    resumeFrom: 2,
  })
  t.equal((await b.app.inject({ url: '/v1/sections', headers: b.as.admin })).json().data.length, 0, 'the batch of lines 2-7 was rolled back')

  const fixed = await importInto(b, `${lines.join('\n')}\n`, '?resumeFrom=2')
  t.equal(fixed.statusCode, 200, fixed.body)
  t.match(fixed.json(), { imported: { sections: 2, articles: 2 }, failed: null })
  t.equal((await importInto(b, '', '?resumeFrom=0')).statusCode, 400)
})

t.test('the import needs an admin key and NDJSON', async (t) => {
  const h = await testApp(t)
  const archive = (await exportOf(h)).body
  t.equal((await importInto(h, archive, '', {})).statusCode, 401)
  t.equal((await importInto(h, archive, '', h.as.write)).statusCode, 403)
  const json = await h.app.inject({ method: 'POST', url: '/v1/archive/import', headers: { ...h.as.admin, 'content-type': 'application/json' }, payload: '{"kind":"header"}' })
  t.equal(json.statusCode, 415)
  t.match(json.json(), { type: '/problems/unsupported-media-type', detail: /application\/x-ndjson/ })
  const plain = await h.app.inject({ method: 'POST', url: '/v1/archive/import', headers: { ...h.as.admin, 'content-type': 'text/plain' }, payload: archive })
  t.equal(plain.statusCode, 415)
  t.equal(plain.headers['content-type'], 'application/problem+json; charset=utf-8')
  const tooLarge = await h.app.inject({
    method: 'POST',
    url: '/v1/archive/import',
    headers: { ...h.as.admin, 'content-type': NDJSON, 'content-length': String(2 * 1024 ** 3) },
    payload: archive,
  })
  t.equal(tooLarge.statusCode, 413, 'a Content-Length over 1 GiB is refused before anything is read')
  t.match(tooLarge.json(), { type: '/problems/body-too-large' })
  const empty = await importInto(h, '')
  t.equal(empty.statusCode, 422)
  t.match(empty.json(), { failed: { line: 1, error: 'the archive is empty' } })
})

t.test('over a real connection, a failing line is answered while the upload is still coming', async (t) => {
  const h = await testApp(t)
  const address = await h.app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => h.app.close())
  const { port } = new URL(address)
  const header = JSON.stringify({ kind: 'header', format: 'newsdesk-archive', version: 1, exportedAt: new Date().toISOString(), revisions: false, counts: { sections: 0, topics: 0, contributors: 0, media: 0, articles: 0, revisions: 0 } })
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    // agent: false, so no keep-alive: the connection ends with the answer and closing the app does not wait for it.
    const req = httpRequest({ host: '127.0.0.1', port: Number(port), method: 'POST', path: '/v1/archive/import', agent: false, headers: { ...h.as.admin, 'content-type': NDJSON } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.write(`${header}\nnot json\n`)
    // Keep sending (chunked) until the answer is in: the server must answer without waiting for the end.
    const filler = `${'x'.repeat(1000)}\n`
    const timer = setInterval(() => req.write(filler), 5)
    req.on('response', () => {
      clearInterval(timer)
      req.end()
    })
  })
  t.equal(answer.status, 422)
  t.match(JSON.parse(answer.body), { failed: { line: 2, error: /^not valid JSON/ }, resumeFrom: 2 })
  t.ok((h.app.server.address() as AddressInfo).port > 0)
})
