import t from 'tap'
import { minimalArticle, testApp, type TestApp } from '../../helpers.js'

/*
 * Issue 11, defect 6: a related block must name an article that exists, and
 * readers never learn the id of an article they cannot see: for them a related
 * block whose target is not visible is left out of the body.
 */

const related = (articleId: string) => ({ ...minimalArticle('Council approves harbour bridge'), body: [{ type: 'paragraph', html: 'Text.' }, { type: 'related', articleId }] })

async function post(h: TestApp, payload: object) {
  const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json() as { id: string; version: number }
}
const publish = (h: TestApp, id: string, version = 1) => h.app.inject({ method: 'POST', url: `/v1/articles/${id}/publish`, headers: { ...h.as.write, 'if-match': String(version) } })

t.test('a related block naming no article is a 400 naming the block, on create, replace and patch', async (t) => {
  const h = await testApp(t)
  const missing = '0190a2b4-0000-7000-8000-000000000000'
  const created = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: related(missing) })
  t.equal(created.statusCode, 400)
  t.match(created.json().errors, [{ path: '/body/body/1/articleId', message: /no article/ }])
  const a = await post(h, minimalArticle())
  const patched = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${a.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { body: related(missing).body } })
  t.equal(patched.statusCode, 400)
  t.match(patched.json().errors, [{ path: '/body/body/1/articleId' }])
  const replaced = await h.app.inject({ method: 'PUT', url: `/v1/articles/${a.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { ...minimalArticle(), slug: 'x', type: 'news', language: 'en', sectionId: null, summary: null, leadMedia: null, body: related(missing).body, credits: [], topics: [], printEdition: null, canonicalUrl: null, embargoUntil: null } })
  t.equal(replaced.statusCode, 400)
})

t.test('readers never see the id of a draft in a related block; editors do; once published, readers do too', async (t) => {
  const h = await testApp(t)
  const draft = await post(h, minimalArticle('Secret draft'))
  const story = await post(h, related(draft.id))
  await publish(h, story.id)
  const ids = (body: string) => body.includes(draft.id)

  const anonymous = await h.app.inject({ url: `/v1/articles/${story.id}` })
  t.equal(anonymous.statusCode, 200)
  t.notOk(ids(anonymous.body), 'get: no trace of the draft')
  t.same(anonymous.json().body.map((b: { type: string }) => b.type), ['paragraph'], 'the block is left out')
  t.notOk(ids((await h.app.inject({ url: `/v1/articles/${story.id}`, headers: h.as.read })).body), 'read keys: the same')
  t.notOk(ids((await h.app.inject({ url: '/v1/articles' })).body), 'lists: the same')
  t.notOk(ids((await h.app.inject({ url: '/v1/articles?q=council' })).body), 'search: the same')
  t.ok(ids((await h.app.inject({ url: `/v1/articles/${story.id}`, headers: h.as.write })).body), 'editors see the block')

  await publish(h, draft.id)
  const after = await h.app.inject({ url: `/v1/articles/${story.id}` })
  t.match(after.json().body, [{ type: 'paragraph' }, { type: 'related', articleId: draft.id }], 'a published target is shown')
  t.not(after.headers.etag, anonymous.headers.etag, 'and the ETag changes with what readers see')
})
