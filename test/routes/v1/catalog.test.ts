import t from 'tap'
import { minimalArticle, testApp } from '../../helpers.js'

t.test('topics: create, get by id and slug, list, patch with If-Match, delete', async (t) => {
  const h = await testApp(t)
  const created = await h.app.inject({
    method: 'POST',
    url: '/v1/topics',
    headers: h.as.write,
    payload: { kind: 'person', name: 'Vladimir Putin', aliases: ['Putin'] },
  })
  t.equal(created.statusCode, 201)
  const topic = created.json()
  t.match(topic, { kind: 'person', name: 'Vladimir Putin', slug: 'vladimir-putin', aliases: ['Putin'], description: null, version: 1 })
  t.equal(created.headers.location, `/v1/topics/${topic.id}`)
  t.same((await h.app.inject({ url: '/v1/topics/vladimir-putin' })).json(), topic)
  t.equal((await h.app.inject({ url: '/v1/topics' })).json().data.length, 1)

  const patched = await h.app.inject({
    method: 'PATCH',
    url: `/v1/topics/${topic.id}`,
    headers: { ...h.as.write, 'if-match': created.headers.etag! },
    payload: { description: 'President of Russia' },
  })
  t.equal(patched.statusCode, 200)
  t.match(patched.json(), { description: 'President of Russia', version: 2 })
  const cleared = await h.app.inject({ method: 'PATCH', url: `/v1/topics/${topic.id}`, headers: { ...h.as.write, 'if-match': '2' }, payload: { description: null } })
  t.equal(cleared.json().description, null)

  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/topics/${topic.id}`, headers: h.as.write })).statusCode, 428)
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/topics/${topic.id}`, headers: { ...h.as.write, 'if-match': '1' } })).statusCode, 412)
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/topics/${topic.id}`, headers: { ...h.as.write, 'if-match': '3' } })).statusCode, 204)
  t.equal((await h.app.inject({ url: `/v1/topics/${topic.id}` })).statusCode, 404)
})

t.test('catalogue creates reject unknown fields, bad kinds and taken slugs', async (t) => {
  const h = await testApp(t)
  const post = (url: string, payload: object) => h.app.inject({ method: 'POST', url, headers: h.as.write, payload })
  t.equal((await post('/v1/topics', { kind: 'mood', name: 'x' })).statusCode, 400)
  t.equal((await post('/v1/topics', { kind: 'place', name: 'x', id: 'mine' })).statusCode, 400)
  t.equal((await post('/v1/contributors', { kind: 'person', name: '' })).statusCode, 400)
  t.equal((await post('/v1/media', { kind: 'image', url: 'ftp://x/y.jpg' })).statusCode, 400)
  t.equal((await post('/v1/media', { kind: 'image', mimeType: 'text/html' })).statusCode, 400)
  t.equal((await post('/v1/topics', { kind: 'place', name: 'Syria' })).statusCode, 201)
  const clash = await post('/v1/topics', { kind: 'place', name: 'Syria' })
  t.equal(clash.statusCode, 409)
  t.match(clash.json().detail, /slug 'syria' is already taken/)
  t.equal((await post('/v1/topics', { kind: 'place', name: 'Syria', slug: 'syria-2' })).statusCode, 201)
})

t.test('deleting a contributor, topic or media item still in use is a 409 naming the articles', async (t) => {
  const h = await testApp(t)
  const post = async (url: string, payload: object) => (await h.app.inject({ method: 'POST', url, headers: h.as.write, payload })).json()
  const person = await post('/v1/contributors', { kind: 'person', name: 'Lena Marsh' })
  const topic = await post('/v1/topics', { kind: 'subject', name: 'Transport' })
  const photo = await post('/v1/media', { kind: 'image', caption: 'A bridge', credit: 'AP' })
  const article = await post('/v1/articles', {
    ...minimalArticle(),
    body: [{ type: 'image', mediaId: photo.id }],
    credits: [{ contributorId: person.id, role: 'byline' }],
    topics: [{ topicId: topic.id, primary: true }],
  })
  for (const url of [`/v1/contributors/${person.id}`, `/v1/topics/${topic.id}`, `/v1/media/${photo.id}`]) {
    const res = await h.app.inject({ method: 'DELETE', url, headers: { ...h.as.write, 'if-match': '*' } })
    t.equal(res.statusCode, 409, url)
    t.same(res.json().usedBy, [article.id], url)
  }
})

t.test('media: an imported photo may have no url yet; patching attaches it', async (t) => {
  const h = await testApp(t)
  const res = await h.app.inject({ method: 'POST', url: '/v1/media', headers: h.as.write, payload: { kind: 'image', caption: 'Pump trucks at work', credit: 'Photo desk' } })
  t.equal(res.statusCode, 201)
  t.equal(res.json().url, null)
  const patched = await h.app.inject({
    method: 'PATCH',
    url: `/v1/media/${res.json().id}`,
    headers: { ...h.as.write, 'if-match': res.headers.etag! },
    payload: { url: 'https://img.example/pumps.jpg', mimeType: 'image/jpeg', width: 1200, height: 800, renditions: [{ name: 'thumb', url: 'https://img.example/pumps-200.jpg', width: 200 }] },
  })
  t.equal(patched.statusCode, 200)
  t.match(patched.json(), { url: 'https://img.example/pumps.jpg', width: 1200, renditions: [{ name: 'thumb', width: 200 }] })
})

t.test('catalogue lists page by cursor and reject cursors they did not give out', async (t) => {
  const h = await testApp(t)
  for (let i = 0; i < 5; i++) {
    await h.app.inject({ method: 'POST', url: '/v1/contributors', headers: h.as.write, payload: { kind: 'person', name: `Reporter ${i}` } })
  }
  const names: string[] = []
  let url = '/v1/contributors?limit=2'
  for (;;) {
    const page = (await h.app.inject({ url })).json()
    names.push(...page.data.map((c: { name: string }) => c.name))
    if (!page.next) break
    url = `/v1/contributors?limit=2&cursor=${page.next}`
  }
  t.same(names, ['Reporter 0', 'Reporter 1', 'Reporter 2', 'Reporter 3', 'Reporter 4'])
  t.equal((await h.app.inject({ url: '/v1/contributors?cursor=eyJ4IjoxfQ' })).statusCode, 400)
})

t.test('catalogue writes need a write key', async (t) => {
  const h = await testApp(t)
  t.equal((await h.app.inject({ method: 'POST', url: '/v1/topics', payload: { kind: 'place', name: 'x' } })).statusCode, 401)
  t.equal((await h.app.inject({ method: 'POST', url: '/v1/topics', headers: h.as.read, payload: { kind: 'place', name: 'x' } })).statusCode, 403)
})
