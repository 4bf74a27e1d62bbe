import t from 'tap'
import { minimalArticle, testApp, type TestApp } from '../../helpers.js'

/*
 * Issue 11, defects 1 and 2: every timestamp is stored in one UTC form and
 * compared as an instant; a date-time that is not a real instant (a leap
 * second) is a 400 naming the field, never a 500.
 */

const HOUR = 60 * 60 * 1000
const LEAP = '2016-12-31T23:59:60Z'

/** `iso` written with a -12:00 offset: the same instant, but its text sorts 12 hours earlier than the UTC form. */
function minusTwelve(iso: string): string {
  const local = new Date(Date.parse(iso) - 12 * HOUR).toISOString().slice(0, 23)
  return `${local}-12:00`
}

/** A one-article archive (with its header and end line), the article's fields overridden by `data`. */
function archiveOf(data: Record<string, unknown>): string {
  const at = '2024-05-01T10:00:00.000Z'
  const article = {
    id: 'art-embargo', slug: 'embargoed-report', type: 'news', status: 'published', language: 'en', sectionId: null,
    headlines: { basic: 'Embargoed report' }, summary: null, leadMedia: null,
    body: [{ type: 'paragraph', html: 'Confidential embargoed findings.' }], credits: [], topics: [],
    printEdition: null, corrections: [], canonicalUrl: null, wordCount: 3, contentHash: null, version: 1,
    createdAt: at, updatedAt: at, listedAt: at, firstPublishedAt: at, publishedAt: at, scheduledAt: null, embargoUntil: null,
    ...data,
  }
  const counts = { sections: 0, topics: 0, contributors: 0, media: 0, articles: 1, revisions: 0 }
  const lines = [
    { kind: 'header', format: 'newsdesk-archive', version: 1, exportedAt: at, revisions: false, counts },
    { kind: 'article', data: article },
    { kind: 'end', records: 1 },
  ]
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`
}

const importArchive = (h: TestApp, text: string) => h.services.archive.importArchive([text])

t.test('an archive line with a non-UTC embargo is stored in UTC and stays hidden until the embargo passes', async (t) => {
  const h = await testApp(t)
  const until = new Date(Date.now() + HOUR).toISOString()
  const summary = await importArchive(h, archiveOf({ embargoUntil: minusTwelve(until) }))
  t.equal(summary.failed, null)
  t.equal((await h.app.inject({ url: '/v1/articles/art-embargo' })).statusCode, 404, 'anonymous get: not found')
  t.same((await h.app.inject({ url: '/v1/articles?q=embargoed' })).json().data, [], 'search does not find it')
  const feed = (await h.app.inject({ url: '/v1/changes' })).json().data
  t.same(feed, [], 'the public feed does not hear of it')
  const stored = await h.app.inject({ url: '/v1/articles/art-embargo', headers: h.as.write })
  t.equal(stored.json().embargoUntil, until, 'stored as the UTC instant')
  const [row] = await h.sql<{ v: number | boolean }>("select public_visible as v from articles where id = 'art-embargo'")
  t.equal(Boolean(row?.v), false, 'not publicly visible (0 on SQLite, false on PostgreSQL)')
})

t.test('every timestamp of an imported article and revision is stored in the UTC form', async (t) => {
  const h = await testApp(t)
  const at = '2024-05-01T12:00:00+02:00'
  const summary = await importArchive(h, archiveOf({ createdAt: at, updatedAt: at, listedAt: at, firstPublishedAt: at, publishedAt: at, corrections: [{ at, text: 'A fix.' }] }))
  t.equal(summary.failed, null)
  const got = (await h.app.inject({ url: '/v1/articles/art-embargo', headers: h.as.write })).json()
  t.match(got, { createdAt: '2024-05-01T10:00:00.000Z', updatedAt: '2024-05-01T10:00:00.000Z', publishedAt: '2024-05-01T10:00:00.000Z', firstPublishedAt: '2024-05-01T10:00:00.000Z' })
  t.equal(got.corrections[0].at, '2024-05-01T10:00:00.000Z')
  const again = await importArchive(h, archiveOf({ createdAt: at, updatedAt: at, listedAt: at, firstPublishedAt: at, publishedAt: at, corrections: [{ at, text: 'A fix.' }] }))
  t.match(again, { failed: null, unchanged: { articles: 1 } }, 'the same archive again is recognised as unchanged')
})

t.test('the scheduler compares instants: a schedule written with an offset is not published early', async (t) => {
  const h = await testApp(t)
  const at = new Date(Date.now() + HOUR).toISOString()
  const summary = await importArchive(h, archiveOf({ status: 'scheduled', publishedAt: null, firstPublishedAt: null, scheduledAt: minusTwelve(at) }))
  t.equal(summary.failed, null)
  t.equal(await h.services.articles.publishDue(), 0, 'not due yet')
  t.match((await h.services.articles.get('art-embargo', { keyId: null, scope: 'write' })).article, { status: 'scheduled', scheduledAt: at })
})

t.test('API bodies: embargoUntil and schedule.at with an offset are stored in UTC', async (t) => {
  const h = await testApp(t)
  const until = new Date(Date.now() + HOUR).toISOString()
  const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle(), embargoUntil: minusTwelve(until) } })
  t.equal(res.statusCode, 201)
  t.equal(res.json().embargoUntil, until)
  const at = new Date(Date.now() + 2 * HOUR).toISOString()
  const scheduled = await h.app.inject({ method: 'POST', url: `/v1/articles/${res.json().id}/schedule`, headers: { ...h.as.write, 'if-match': '1' }, payload: { at: minusTwelve(at) } })
  t.equal(scheduled.statusCode, 200)
  t.equal(scheduled.json().scheduledAt, at)
})

t.test('a leap second is a 400 naming the field, on every date filter and date body field, anonymously too', async (t) => {
  const h = await testApp(t)
  for (const name of ['publishedFrom', 'publishedTo', 'updatedFrom', 'updatedTo']) {
    const res = await h.app.inject({ url: `/v1/articles?${name}=${LEAP}` })
    t.equal(res.statusCode, 400, name)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.match(res.json().errors, [{ path: `/query/${name}` }], name)
  }
  const created = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle(), embargoUntil: LEAP } })
  t.equal(created.statusCode, 400)
  t.match(created.json().errors, [{ path: '/body/embargoUntil' }])
  const id = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle() })).json().id
  const patched = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { embargoUntil: LEAP } })
  t.equal(patched.statusCode, 400)
  t.match(patched.json().errors, [{ path: '/body/embargoUntil' }])
  const scheduled = await h.app.inject({ method: 'POST', url: `/v1/articles/${id}/schedule`, headers: { ...h.as.write, 'if-match': '1' }, payload: { at: '2099-12-31T23:59:60Z' } })
  t.equal(scheduled.statusCode, 400)
  t.match(scheduled.json().errors, [{ path: '/body/at' }])
})

t.test('a leap second in an archive line stops the import at that line, naming the field', async (t) => {
  const h = await testApp(t)
  const summary = await importArchive(h, archiveOf({ embargoUntil: LEAP }))
  t.match(summary.failed, { line: 2, error: /\/data\/embargoUntil/ })
  t.equal((await h.app.inject({ url: '/v1/articles/art-embargo', headers: h.as.write })).statusCode, 404)
})
