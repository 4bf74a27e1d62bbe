import t from 'tap'
import { join } from 'node:path'
import { startWorker } from '../../db/workers/start.js'
import { minimalArticle, testApp, testEngine, type TestApp } from '../../helpers.js'
import { openDataLayer } from '../../../src/db/index.js'
import type { ArticleOut } from '../../../src/schemas/article.js'

// One app for the tests of this file that can share it; each works on its own articles.
let h: TestApp
t.before(async () => {
  h = await testApp(t)
})

const post = async (h: TestApp, url: string, payload: object = {}, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'POST', url, headers: { ...h.as.write, ...headers }, payload })
const read = (h: TestApp, key: string, headers: Record<string, string> = {}) => h.app.inject({ url: `/v1/articles/${key}`, headers })

async function published(h: TestApp, payload: object) {
  const created = (await post(h, '/v1/articles', payload)).json()
  const res = await post(h, `/v1/articles/${created.id}/publish`, {}, { 'if-match': '1' })
  return { article: res.json(), etag: String(res.headers.etag) }
}

t.test('GET /v1/articles/:idOrSlug answers with the same bytes and ETag as the write that made the version', async (t) => {
  const { article, etag } = await published(h, { ...minimalArticle('Harbour bridge opens'), summary: 'Standfirst' })
  for (const key of [article.id, article.slug]) {
    const res = await read(h, key)
    t.equal(res.statusCode, 200)
    t.equal(res.headers.etag, etag, `the ETag by ${key === article.id ? 'id' : 'slug'}`)
    t.match(res.headers['content-type'], /^application\/json; charset=utf-8/)
    t.same(res.json(), article)
    t.equal(res.headers['surrogate-key'], `article-${article.id}`)
    t.equal(res.headers['last-modified'], new Date(article.updatedAt).toUTCString())
    t.match(res.headers['cache-control'], /^public/)
  }
  const head = await h.app.inject({ method: 'HEAD', url: `/v1/articles/${article.id}` })
  t.equal(head.statusCode, 200)
  t.equal(head.headers.etag, etag)
})

t.test('GET /v1/articles/:id returns 304 when If-None-Match matches, and never for a changed article', async (t) => {
  const { article, etag } = await published(h, minimalArticle('Tide tables revised'))
  const same = await read(h, article.id, { 'if-none-match': etag })
  t.equal(same.statusCode, 304)
  t.equal(same.body, '')
  t.equal(same.headers['content-length'], undefined, 'no Content-Length: a 304 may send one only with the length of the 200 (RFC 9110 8.6)')
  t.equal(same.headers['content-type'], undefined)
  t.equal(same.headers.etag, etag)
  t.match(same.headers['cache-control'], /^public/)
  t.equal((await read(h, article.slug, { 'if-none-match': `"other", W/${etag}` })).statusCode, 304, 'a weak match in a list')
  t.equal((await read(h, article.id, { 'if-none-match': '"1-0000000000000000"' })).statusCode, 200)

  await h.app.inject({ method: 'PATCH', url: `/v1/articles/${article.id}`, headers: { ...h.as.write, 'if-match': '2' }, payload: { summary: 'Now with a standfirst' } })
  const changed = await read(h, article.id, { 'if-none-match': etag })
  t.equal(changed.statusCode, 200, 'the old tag no longer matches')
  t.not(changed.headers.etag, etag)
  t.equal(changed.json().summary, 'Now with a standfirst')
})

t.test('readers never get the rendering of an article they may not see, not even a 304', async (t) => {
  const { article, etag } = await published(h, minimalArticle('Ferry strike called off'))
  await post(h, `/v1/articles/${article.id}/unpublish`, {}, { 'if-match': '2' })
  for (const key of [article.id, article.slug]) {
    t.equal((await read(h, key)).statusCode, 404)
    t.equal((await read(h, key, { 'if-none-match': etag })).statusCode, 404)
    t.equal((await read(h, key, h.as.read)).statusCode, 404)
  }
  const editor = await read(h, article.id, h.as.write)
  t.equal(editor.statusCode, 200)
  t.equal(editor.json().status, 'draft')
  t.equal(editor.headers['cache-control'], 'private, no-store')
  const list = (await h.app.inject({ url: '/v1/articles?limit=100' })).json()
  t.notOk(list.data.some((a: { id: string }) => a.id === article.id))
})

t.test('an edit, a publish, an unpublish, an embargo, a catalogue rename and a restore each give a new ETag and body', async (t) => {
  const reporter = (await post(h, '/v1/contributors', { kind: 'person', name: 'Ana Reporter' })).json()
  const topic = (await post(h, '/v1/topics', { kind: 'subject', name: 'Harbours' })).json()
  const section = (await post(h, '/v1/sections', { name: 'Local', slug: 'local' })).json()
  const photo = (await post(h, '/v1/media', { kind: 'image', caption: 'The bridge at dawn', credit: 'AP' })).json()
  const created = (
    await post(h, '/v1/articles', {
      ...minimalArticle('Bridge vote today'),
      sectionId: section.id,
      credits: [{ contributorId: reporter.id, role: 'byline' }],
      topics: [{ topicId: topic.id }],
      body: [{ type: 'image', mediaId: photo.id }],
    })
  ).json()
  const seen: { etag: string; body: string }[] = []
  let version = 1
  const snapshot = async (why: string, check: (a: ArticleOut) => void) => {
    const res = await read(h, created.id, h.as.write)
    t.equal(res.statusCode, 200, why)
    const etag = String(res.headers.etag)
    t.notOk(seen.some((s) => s.etag === etag), `${why}: a new ETag`)
    t.notOk(seen.some((s) => s.body === res.body), `${why}: a new body`)
    seen.push({ etag, body: res.body })
    check(res.json() as ArticleOut)
    version = res.json().version
  }
  const ifMatch = () => ({ 'if-match': String(version) })
  await snapshot('created', (a) => t.equal(a.status, 'draft'))
  await h.app.inject({ method: 'PATCH', url: `/v1/articles/${created.id}`, headers: { ...h.as.write, ...ifMatch() }, payload: { headlines: { basic: 'Bridge vote tonight' } } })
  await snapshot('edit', (a) => t.equal(a.headlines.basic, 'Bridge vote tonight'))
  await post(h, `/v1/articles/${created.id}/publish`, {}, ifMatch())
  await snapshot('publish', (a) => t.equal(a.status, 'published'))
  await post(h, `/v1/articles/${created.id}/unpublish`, {}, ifMatch())
  await snapshot('unpublish', (a) => t.equal(a.status, 'draft'))
  const until = new Date(Date.now() + 3_600_000).toISOString()
  await h.app.inject({ method: 'PATCH', url: `/v1/articles/${created.id}`, headers: { ...h.as.write, ...ifMatch() }, payload: { embargoUntil: until } })
  await snapshot('embargo', (a) => t.equal(a.embargoUntil, until))
  // Renames of what the article embeds: same article version, new rendering.
  await h.app.inject({ method: 'PATCH', url: `/v1/contributors/${reporter.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { name: 'Ana Correspondent' } })
  await snapshot('contributor rename', (a) => t.same(a.credits.map((c) => c.contributor.name), ['Ana Correspondent']))
  await h.app.inject({ method: 'PATCH', url: `/v1/topics/${topic.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { name: 'Ports' } })
  await snapshot('topic rename', (a) => t.same(a.topics.map((x) => x.name), ['Ports']))
  await h.app.inject({ method: 'PATCH', url: `/v1/media/${photo.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { caption: 'The bridge at dusk' } })
  await snapshot('media caption', (a) => t.match(a.body, [{ type: 'image', caption: 'The bridge at dusk' }]))
  const parent = (await post(h, '/v1/sections', { name: 'News', slug: 'news' })).json()
  await h.app.inject({ method: 'PATCH', url: `/v1/sections/${section.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { parentId: parent.id } })
  await snapshot('section moved', (a) => t.equal(a.section?.path, 'news/local'))
  await h.app.inject({ method: 'PATCH', url: `/v1/sections/${parent.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { slug: 'latest' } })
  await snapshot('parent section renamed', (a) => t.equal(a.section?.path, 'latest/local'))
  await post(h, `/v1/articles/${created.id}/revisions/1/restore`, {}, ifMatch())
  await snapshot('restore', (a) => t.equal(a.headlines.basic, 'Bridge vote today'))
  t.equal(seen.length, 11)
})

t.test('lists are made of the stored renderings, with search snippets and sparse fields', async (t) => {
  const { article } = await published(h, { ...minimalArticle('Lighthouse keeper retires'), summary: 'After forty years' })
  const one = (await read(h, article.id)).json()
  const list = (await h.app.inject({ url: '/v1/articles?limit=100' })).json()
  t.same(
    list.data.find((a: { id: string }) => a.id === article.id),
    one,
  )
  const search = await h.app.inject({ url: '/v1/articles?q=lighthouse' })
  t.equal(search.statusCode, 200)
  const [hit] = search.json().data
  t.equal(hit.id, article.id)
  t.match(hit.snippet, /<mark>Lighthouse<\/mark>/i)
  t.type(hit.score, 'number')
  t.same({ ...hit, snippet: undefined, score: undefined }, { ...one, snippet: undefined, score: undefined })
  const sparse = (await h.app.inject({ url: '/v1/articles?q=lighthouse&fields=headlines' })).json().data[0]
  t.same(Object.keys(sparse).sort(), ['headlines', 'id', 'score', 'snippet'])
  const related = await h.app.inject({ url: `/v1/articles/${article.id}/related` })
  t.same(related.json(), { data: [], next: null })
})

t.test('a read builds and compiles no SQL statement', async (t) => {
  const topic = (await post(h, '/v1/topics', { kind: 'subject', name: 'Weather' })).json()
  const { article, etag } = await published(h, { ...minimalArticle('Storm warning lifted'), topics: [{ topicId: topic.id }] })
  const urls = [
    `/v1/articles/${article.id}`,
    `/v1/articles/${article.slug}`,
    '/v1/articles',
    `/v1/articles?topic=${topic.id}&publishedFrom=2000-01-01T00:00:00Z&limit=5`,
    `/v1/articles?topic=${topic.slug},${topic.id}&publishedFrom=2001-01-01T00:00:00Z&limit=7`,
  ]
  // Warm up: the first request of each query shape prepares its statement.
  for (const url of urls) t.equal((await h.app.inject({ url, headers: h.as.read })).statusCode, 200)
  if (!h.data.sqlite) {
    t.comment('SQLite only: it counts what better-sqlite3 compiles (PostgreSQL reads run as named prepared statements)')
    return
  }
  const sqlite = h.data.sqlite
  const prepare = sqlite.prepare.bind(sqlite)
  const compiled: string[] = []
  sqlite.prepare = ((source: string) => {
    compiled.push(source)
    return prepare(source)
  }) as typeof sqlite.prepare
  t.teardown(() => {
    sqlite.prepare = prepare
  })
  for (const url of urls) t.equal((await h.app.inject({ url, headers: h.as.read })).statusCode, 200, url)
  t.equal((await h.app.inject({ url: `/v1/articles/${article.id}`, headers: { ...h.as.read, 'if-none-match': etag } })).statusCode, 304)
  t.same(compiled, [], 'no statement prepared after the first request of each shape')
})

t.test('a second process writing to the same database is seen at once', { skip: testEngine !== 'sqlite' && 'SQLite only: a worker thread opens the same database file' }, async (t) => {
  const file = join(t.testdir(), 'shared.db')
  const h = await testApp(t, { databasePath: file })
  const { article, etag } = await published(h, minimalArticle('Council meets'))
  const version = await new Promise<number>((resolve, reject) => {
    const worker = startWorker(new URL('../../db/workers/edit-article.ts', import.meta.url), { file, id: article.id, version: 2, headline: 'Council meets in emergency session' })
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  t.equal(version, 3)
  const res = await read(h, article.id, { 'if-none-match': etag })
  t.equal(res.statusCode, 200, 'no 304 for the old tag')
  t.equal(res.json().headlines.basic, 'Council meets in emergency session')
  t.match(res.headers.etag, /^"3-/)
})

t.test('renderings missing from an older database are made when it is opened', { skip: testEngine !== 'sqlite' && 'SQLite only: the database is a file opened again' }, async (t) => {
  const file = join(t.testdir(), 'older.db')
  const first = await testApp(t, { databasePath: file })
  const { article, etag } = await published(first, minimalArticle('Old archive story'))
  first.data.sqlite!.exec('delete from article_renderings')
  await first.app.close()
  const data = await openDataLayer(file)
  t.teardown(() => data.close())
  const found = await data.repos.articles.read(article.id, { publicOnly: true, now: new Date().toISOString() })
  t.equal(found?.etag, etag, 'the same rendering as before')
})

t.test('an article whose related block names a draft reads without it for readers, with its own ETag and 304s', async (t) => {
  const draft = (await post(h, '/v1/articles', minimalArticle('Embargoed follow-up'))).json()
  const body = [...minimalArticle().body, { type: 'related', articleId: draft.id }]
  const { article, etag } = await published(h, { ...minimalArticle('Main story with a follow-up'), body })
  const editor = await read(h, article.id, h.as.write)
  t.equal(editor.headers.etag, etag)
  t.equal(editor.json().body.length, 2, 'editors see the related block')
  const reader = await read(h, article.id)
  t.equal(reader.json().body.length, 1, 'readers do not')
  t.not(reader.headers.etag, etag, 'and get another ETag')
  t.equal((await read(h, article.id, { 'if-none-match': etag })).statusCode, 200, "the editor's tag is no 304 for a reader")
  const again = await read(h, article.id, { 'if-none-match': String(reader.headers.etag) })
  t.equal(again.statusCode, 304)
  await post(h, `/v1/articles/${draft.id}/publish`, {}, { 'if-match': '1' })
  const now = await read(h, article.id, { 'if-none-match': String(reader.headers.etag) })
  t.equal(now.statusCode, 200, 'once the target is published, the block is back')
  t.equal(now.headers.etag, etag)
  t.equal(now.json().body.length, 2)
})
