import t from 'tap'
import { minimalArticle, testApp } from '../../helpers.js'

t.test('every change stores a revision with version, time, actor and message', async (t) => {
  const h = await testApp(t)
  const a = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle('First headline') })).json()
  await h.app.inject({ method: 'PATCH', url: `/v1/articles/${a.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { headlines: { basic: 'Second headline' }, message: 'sharper' } })
  await h.app.inject({ method: 'POST', url: `/v1/articles/${a.id}/publish`, headers: { ...h.as.write, 'if-match': '2' } })
  const list = await h.app.inject({ url: `/v1/articles/${a.slug}/revisions`, headers: h.as.write })
  t.equal(list.statusCode, 200)
  t.same(list.json().data.map((r: { version: number; message: string }) => [r.version, r.message]), [
    [3, 'publish'],
    [2, 'sharper'],
    [1, 'created'],
  ])
  t.ok(list.json().data.every((r: { actorKeyId: string | null }) => typeof r.actorKeyId === 'string'))
  const one = await h.app.inject({ url: `/v1/articles/${a.id}/revisions/1`, headers: h.as.write })
  t.match(one.json(), { version: 1, snapshot: { headlines: { basic: 'First headline' }, status: 'draft' } })
  const paged = await h.app.inject({ url: `/v1/articles/${a.id}/revisions?limit=2`, headers: h.as.write })
  const next = await h.app.inject({ url: `/v1/articles/${a.id}/revisions?limit=2&cursor=${paged.json().next}`, headers: h.as.write })
  t.same(next.json().data.map((r: { version: number }) => r.version), [1])
})

t.test('diff names the changed fields between two revisions', async (t) => {
  const h = await testApp(t)
  const a = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle('First headline') })).json()
  await h.app.inject({ method: 'PATCH', url: `/v1/articles/${a.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { headlines: { basic: 'Second headline' }, summary: 'New standfirst' } })
  const diff = await h.app.inject({ url: `/v1/articles/${a.id}/revisions/diff?from=1&to=2`, headers: h.as.write })
  t.equal(diff.statusCode, 200)
  t.same(diff.json(), {
    from: 1,
    to: 2,
    changes: [
      { field: 'headlines', from: { basic: 'First headline' }, to: { basic: 'Second headline' } },
      { field: 'summary', from: null, to: 'New standfirst' },
    ],
  })
  t.equal((await h.app.inject({ url: `/v1/articles/${a.id}/revisions/diff?from=1&to=9`, headers: h.as.write })).statusCode, 404)
  t.equal((await h.app.inject({ url: `/v1/articles/${a.id}/revisions/diff?from=1`, headers: h.as.write })).statusCode, 400)
})

t.test('restoring a revision brings its content back as a new revision, keeping status and corrections', async (t) => {
  const h = await testApp(t)
  const a = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle('Original'), summary: 'Original standfirst' } })).json()
  await h.app.inject({ method: 'PATCH', url: `/v1/articles/${a.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { headlines: { basic: 'Botched' }, summary: null } })
  await h.app.inject({ method: 'POST', url: `/v1/articles/${a.id}/publish`, headers: { ...h.as.write, 'if-match': '2' } })
  const stale = await h.app.inject({ method: 'POST', url: `/v1/articles/${a.id}/revisions/1/restore`, headers: { ...h.as.write, 'if-match': '2' } })
  t.equal(stale.statusCode, 412)
  const restored = await h.app.inject({ method: 'POST', url: `/v1/articles/${a.id}/revisions/1/restore`, headers: { ...h.as.write, 'if-match': '3' } })
  t.equal(restored.statusCode, 200)
  t.match(restored.json(), { version: 4, status: 'published', headlines: { basic: 'Original' }, summary: 'Original standfirst' })
  const top = (await h.app.inject({ url: `/v1/articles/${a.id}/revisions?limit=1`, headers: h.as.write })).json().data[0]
  t.match(top, { version: 4, message: 'restored version 1' })
})

t.test('revisions are for write keys only and 404 for unknown articles or versions', async (t) => {
  const h = await testApp(t)
  const a = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle() })).json()
  t.equal((await h.app.inject({ url: `/v1/articles/${a.id}/revisions`, headers: h.as.read })).statusCode, 403)
  t.equal((await h.app.inject({ url: `/v1/articles/${a.id}/revisions` })).statusCode, 401)
  t.equal((await h.app.inject({ url: '/v1/articles/nope/revisions', headers: h.as.write })).statusCode, 404)
  t.equal((await h.app.inject({ url: `/v1/articles/${a.id}/revisions/7`, headers: h.as.write })).statusCode, 404)
  t.equal((await h.app.inject({ url: `/v1/articles/${a.id}/revisions/zero`, headers: h.as.write })).statusCode, 400)
})

t.test('DELETE ?force=true detaches a topic, contributor or photo from its articles, recorded in revisions', async (t) => {
  const h = await testApp(t)
  const post = async (url: string, payload: object) => (await h.app.inject({ method: 'POST', url, headers: h.as.write, payload })).json()
  const topic = await post('/v1/topics', { kind: 'subject', name: 'Transport' })
  const person = await post('/v1/contributors', { kind: 'person', name: 'Lena Marsh' })
  const photo = await post('/v1/media', { kind: 'image', caption: 'Bridge', credit: 'AP' })
  const a = await post('/v1/articles', {
    ...minimalArticle(),
    leadMedia: { mediaId: photo.id },
    body: [{ type: 'paragraph', html: 'Text.' }, { type: 'image', mediaId: photo.id }],
    credits: [{ contributorId: person.id, role: 'byline' }],
    topics: [{ topicId: topic.id, primary: true }],
  })
  for (const url of [`/v1/topics/${topic.id}`, `/v1/contributors/${person.id}`, `/v1/media/${photo.id}`]) {
    const res = await h.app.inject({ method: 'DELETE', url: `${url}?force=true`, headers: { ...h.as.write, 'if-match': '*' } })
    t.equal(res.statusCode, 204, url)
  }
  const after = (await h.app.inject({ url: `/v1/articles/${a.id}`, headers: h.as.write })).json()
  t.match(after, { version: 4, topics: [], credits: [], leadMedia: null, body: [{ type: 'paragraph', html: 'Text.' }] })
  t.equal(after.body.length, 1)
  const messages = (await h.app.inject({ url: `/v1/articles/${a.id}/revisions`, headers: h.as.write })).json().data.map((r: { message: string }) => r.message)
  t.same(messages.slice(0, 3), [
    "detached media 'Bridge', which was deleted".replace('Bridge', photo.id),
    "detached contributor 'Lena Marsh', which was deleted",
    "detached topic 'Transport', which was deleted",
  ])
})
