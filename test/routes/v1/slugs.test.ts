import t from 'tap'
import { minimalArticle, testApp } from '../../helpers.js'

/* Issue 11, defect 8: a slug never shadows an article id (ids are UUIDv7, so no slug may look like a UUID). */

t.test('a slug shaped like an article id is a 400 on create and on change', async (t) => {
  const h = await testApp(t)
  const a = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle('First story') })).json()
  t.match(a.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'ids are UUIDv7')
  const taken = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle('Second story'), slug: a.id } })
  t.equal(taken.statusCode, 400)
  t.match(taken.json().errors, [{ path: '/body/slug', message: /looks like an article id/ }])
  const anyUuid = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle('Third story'), slug: '00000000-0000-4000-8000-000000000000' } })
  t.equal(anyUuid.statusCode, 400, 'any UUID shape, not only ids in use')
  const b = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle('Fourth story') })).json()
  const patched = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${b.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { slug: a.id } })
  t.equal(patched.statusCode, 400)
  t.equal((await h.app.inject({ url: `/v1/articles/${a.id}` , headers: h.as.write })).json().id, a.id, 'the first article is still reached by its id')
})

t.test('a slug equal to another article\'s id (ids from an archive need not be UUIDs) is a 409', async (t) => {
  const h = await testApp(t)
  const at = '2024-05-01T10:00:00.000Z'
  const article = {
    id: 'art-imported', slug: 'imported-story', type: 'news', status: 'draft', language: 'en', sectionId: null, headlines: { basic: 'Imported' }, summary: null,
    leadMedia: null, body: [], credits: [], topics: [], printEdition: null, corrections: [], canonicalUrl: null, wordCount: 0, contentHash: null, version: 1,
    createdAt: at, updatedAt: at, listedAt: at, firstPublishedAt: null, publishedAt: null, scheduledAt: null, embargoUntil: null,
  }
  const counts = { sections: 0, topics: 0, contributors: 0, media: 0, articles: 1, revisions: 0 }
  const lines = [{ kind: 'header', format: 'newsdesk-archive', version: 1, exportedAt: at, revisions: false, counts }, { kind: 'article', data: article }, { kind: 'end', records: 1 }]
  t.equal((await h.services.archive.importArchive([`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`])).failed, null)
  const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle(), slug: 'art-imported' } })
  t.equal(res.statusCode, 409)
  t.match(res.json().detail, /art-imported/)
})
