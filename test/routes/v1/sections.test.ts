import t from 'tap'
import { minimalArticle, testApp, type TestApp } from '../../helpers.js'

async function section(h: TestApp, payload: object) {
  const res = await h.app.inject({ method: 'POST', url: '/v1/sections', headers: h.as.write, payload })
  return res.json()
}

t.test('sections form a tree with slug paths', async (t) => {
  const h = await testApp(t)
  const news = await section(h, { name: 'News' })
  const world = await section(h, { name: 'World', parentId: news.id })
  const asia = await section(h, { name: 'Asia', parentId: world.id })
  t.match(asia, { path: 'news/world/asia', parentId: world.id, slug: 'asia', version: 1 })
  t.same((await h.app.inject({ url: '/v1/sections' })).json().data.map((s: { path: string }) => s.path), ['news', 'news/world', 'news/world/asia'])
  t.equal((await h.app.inject({ url: `/v1/sections/${asia.id}` })).json().path, 'news/world/asia')
})

t.test('renaming or moving a section rewrites the paths below it', async (t) => {
  const h = await testApp(t)
  const news = await section(h, { name: 'News' })
  const world = await section(h, { name: 'World', parentId: news.id })
  const asia = await section(h, { name: 'Asia', parentId: world.id })
  const before = await h.app.inject({ url: `/v1/sections/${asia.id}` })
  const intl = await h.app.inject({ method: 'PATCH', url: `/v1/sections/${world.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { slug: 'international' } })
  t.equal(intl.statusCode, 200)
  t.equal(intl.json().path, 'news/international')
  const moved = await h.app.inject({ url: `/v1/sections/${asia.id}`, headers: { 'if-none-match': before.headers.etag as string } })
  t.equal(moved.statusCode, 200, 'a subsection whose path changed is not a 304 for its old tag')
  t.match(moved.json(), { path: 'news/international/asia', version: 2 }, 'it is a new version')
  const root = await h.app.inject({ method: 'PATCH', url: `/v1/sections/${world.id}`, headers: { ...h.as.write, 'if-match': '2' }, payload: { parentId: null } })
  t.equal(root.json().path, 'international')
  t.equal((await h.app.inject({ url: `/v1/sections/${asia.id}` })).json().path, 'international/asia')
})

t.test('a section cannot move under itself or under a missing parent, and paths are unique', async (t) => {
  const h = await testApp(t)
  const news = await section(h, { name: 'News' })
  const world = await section(h, { name: 'World', parentId: news.id })
  const cycle = await h.app.inject({ method: 'PATCH', url: `/v1/sections/${news.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { parentId: world.id } })
  t.equal(cycle.statusCode, 400)
  t.equal(cycle.json().errors[0].path, '/body/parentId')
  const missing = await h.app.inject({ method: 'POST', url: '/v1/sections', headers: h.as.write, payload: { name: 'X', parentId: 'nope' } })
  t.equal(missing.statusCode, 400)
  const dup = await h.app.inject({ method: 'POST', url: '/v1/sections', headers: h.as.write, payload: { name: 'World', parentId: news.id } })
  t.equal(dup.statusCode, 409)
})

t.test('an article sits in one section, embedded on read; sections in use or with children are not deleted', async (t) => {
  const h = await testApp(t)
  const news = await section(h, { name: 'News' })
  const world = await section(h, { name: 'World', parentId: news.id })
  const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle(), sectionId: world.id } })
  t.equal(res.statusCode, 201)
  t.same(res.json().section, { id: world.id, name: 'World', slug: 'world', path: 'news/world' })
  const bad = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle('Other'), sectionId: 'nope' } })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().errors[0].path, '/body/sectionId')
  const delParent = await h.app.inject({ method: 'DELETE', url: `/v1/sections/${news.id}`, headers: { ...h.as.write, 'if-match': '*' } })
  t.equal(delParent.statusCode, 409)
  const delUsed = await h.app.inject({ method: 'DELETE', url: `/v1/sections/${world.id}`, headers: { ...h.as.write, 'if-match': '*' } })
  t.equal(delUsed.statusCode, 409)
  t.same(delUsed.json().usedBy, [res.json().id])
  const moved = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${res.json().id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { sectionId: null } })
  t.equal(moved.json().section, null)
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/sections/${world.id}`, headers: { ...h.as.write, 'if-match': '1' } })).statusCode, 204)
})

t.test('DELETE /v1/sections/:id?force=true moves its articles out of it, recorded in their revisions', async (t) => {
  const h = await testApp(t)
  const news = await section(h, { name: 'News' })
  const a = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle(), sectionId: news.id } })).json()
  const del = await h.app.inject({ method: 'DELETE', url: `/v1/sections/${news.id}?force=true`, headers: { ...h.as.write, 'if-match': '1' } })
  t.equal(del.statusCode, 204)
  const after = (await h.app.inject({ url: `/v1/articles/${a.id}`, headers: h.as.write })).json()
  t.match(after, { section: null, version: 2 })
  const top = (await h.app.inject({ url: `/v1/articles/${a.id}/revisions?limit=1`, headers: h.as.write })).json().data[0]
  t.equal(top.message, "detached section 'news', which was deleted")
})
