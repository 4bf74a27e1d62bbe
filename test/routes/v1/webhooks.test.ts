import t from 'tap'
import { minimalArticle, testApp } from '../../helpers.js'

// One app for the file, with no allowlist: every non-public address is refused.
const h = await testApp(t)
const admin = h.as.admin
const PUBLIC_URL = 'https://93.184.215.14/hooks/newsdesk'
const create = (payload: object, headers = admin) => h.app.inject({ method: 'POST', url: '/v1/webhooks', headers, payload })
const events = async () =>
  (await h.sql<{ type: string; data: string | { id: string; version: number } }>('select type, data from webhook_events order by seq')).map((e) => ({
    type: e.type,
    data: typeof e.data === 'string' ? (JSON.parse(e.data) as { id: string; version: number }) : e.data,
  }))
const clearEvents = () => h.sql('delete from webhook_events')

t.test('POST /v1/webhooks creates a subscription and shows its whsec_ secret once', async (t) => {
  const res = await create({ url: PUBLIC_URL, events: ['article.published', 'topic.*'], description: 'partner mirror' })
  t.equal(res.statusCode, 201)
  const body = res.json()
  t.match(body, { url: PUBLIC_URL, events: ['article.published', 'topic.*'], active: true, disabledReason: null, version: 1, description: 'partner mirror' })
  t.match(body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/)
  t.equal(Buffer.from(body.secret.slice(6), 'base64').length, 32)
  t.equal(res.headers['cache-control'], 'no-store')
  t.equal(res.headers.location, `/v1/webhooks/${body.id}`)
  const got = await h.app.inject({ url: `/v1/webhooks/${body.id}`, headers: admin })
  t.equal(got.statusCode, 200)
  t.notOk('secret' in got.json(), 'never shown again')
  t.ok((await h.app.inject({ url: '/v1/webhooks', headers: admin })).json().data.some((w: { id: string }) => w.id === body.id))
})

t.test('webhooks need the admin scope', async (t) => {
  t.equal((await create({ url: PUBLIC_URL, events: ['*'] }, h.as.write)).statusCode, 403)
  t.equal((await h.app.inject({ url: '/v1/webhooks', headers: h.as.read })).statusCode, 403)
  t.equal((await h.app.inject({ url: '/v1/webhooks' })).statusCode, 401)
})

t.test('POST /v1/webhooks refuses bad bodies: unknown events, no events, unknown fields, a client-set secret', async (t) => {
  t.equal((await create({ url: PUBLIC_URL, events: ['article.drafted'] })).statusCode, 400)
  t.equal((await create({ url: PUBLIC_URL, events: [] })).statusCode, 400)
  t.equal((await create({ url: PUBLIC_URL, events: ['*'], secret: 'whsec_bWluZQ==' })).statusCode, 400)
  t.equal((await create({ url: 'x'.repeat(2001), events: ['*'] })).statusCode, 400)
})

t.test('URLs aimed at loopback, private, link-local, CGNAT or metadata addresses are refused (400, naming /body/url), in every spelling', async (t) => {
  const refused = [
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://2130706433/hook',
    'http://0177.0.0.1/hook',
    'http://0x7f.0.0.1/hook',
    'http://127.1/hook',
    'http://[::1]:8080/hook',
    'http://[fd00:ec2::254]/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://192.168.1.10/',
    'http://localhost:3000/',
    'ftp://93.184.215.14/hook',
    'https://user:pw@93.184.215.14/hook',
    'not a url',
  ]
  for (const url of refused) {
    const res = await create({ url, events: ['*'] })
    t.equal(res.statusCode, 400, url)
    t.equal(res.json().errors?.[0]?.path, '/body/url', url)
  }
  t.equal((await create({ url: 'http://93.184.215.14:8080/any/port', events: ['*'] })).statusCode, 201, 'any port on a public address')
})

t.test('PATCH needs If-Match, checks the URL again, and DELETE removes the subscription', async (t) => {
  const made = (await create({ url: PUBLIC_URL, events: ['*'] })).json()
  const url = `/v1/webhooks/${made.id}`
  t.equal((await h.app.inject({ method: 'PATCH', url, headers: admin, payload: { active: false } })).statusCode, 428)
  t.equal((await h.app.inject({ method: 'PATCH', url, headers: { ...admin, 'if-match': '9' }, payload: { active: false } })).statusCode, 412)
  t.equal((await h.app.inject({ method: 'PATCH', url, headers: { ...admin, 'if-match': '1' }, payload: { url: 'http://10.0.0.1/' } })).statusCode, 400)
  const patched = await h.app.inject({ method: 'PATCH', url, headers: { ...admin, 'if-match': '1' }, payload: { active: false, events: ['media.*'] } })
  t.equal(patched.statusCode, 200)
  t.match(patched.json(), { active: false, events: ['media.*'], version: 2 })
  t.equal((await h.app.inject({ method: 'DELETE', url, headers: { ...admin, 'if-match': '2' } })).statusCode, 204)
  t.equal((await h.app.inject({ url, headers: admin })).statusCode, 404)
  t.equal((await h.app.inject({ url: `${url}/deliveries`, headers: admin })).statusCode, 404)
  t.equal((await h.app.inject({ method: 'POST', url: `${url}/rotate-secret`, headers: admin })).statusCode, 404)
})

t.test('rotate-secret shows a new secret once and keeps the old one valid for the overlap', async (t) => {
  const made = (await create({ url: PUBLIC_URL, events: ['*'] })).json()
  const res = await h.app.inject({ method: 'POST', url: `/v1/webhooks/${made.id}/rotate-secret`, headers: admin })
  t.equal(res.statusCode, 200)
  t.not(res.json().secret, made.secret)
  t.ok(Date.parse(res.json().previousSecretValidUntil) > Date.now())
  t.equal(res.headers['cache-control'], 'no-store')
})

t.test('redeliver answers 404 for a delivery of another subscription or none', async (t) => {
  const made = (await create({ url: PUBLIC_URL, events: ['*'] })).json()
  t.equal((await h.app.inject({ method: 'POST', url: `/v1/webhooks/${made.id}/deliveries/nope/redeliver`, headers: admin })).statusCode, 404)
  t.same((await h.app.inject({ url: `/v1/webhooks/${made.id}/deliveries`, headers: admin })).json(), { data: [], next: null })
})

t.test('the outbox gets article events for public changes only: a draft and its edits never produce one', async (t) => {
  await clearEvents()
  const a = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle('Secret draft headline') })).json()
  await h.app.inject({ method: 'PATCH', url: `/v1/articles/${a.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { summary: 'still a draft' } })
  t.same(await events(), [], 'nothing for a draft')
  const act = (action: string, version: number, payload?: object) =>
    h.app.inject({ method: 'POST', url: `/v1/articles/${a.id}/${action}`, headers: { ...h.as.write, 'if-match': String(version) }, ...(payload ? { payload } : {}) })
  t.equal((await act('publish', 2)).statusCode, 200)
  await h.app.inject({ method: 'PATCH', url: `/v1/articles/${a.id}`, headers: { ...h.as.write, 'if-match': '3' }, payload: { summary: 'now public' } })
  t.equal((await act('corrections', 4, { text: 'An earlier version misspelt the minister.' })).statusCode, 200)
  t.equal((await act('unpublish', 5)).statusCode, 200)
  await h.app.inject({ method: 'PATCH', url: `/v1/articles/${a.id}`, headers: { ...h.as.write, 'if-match': '6' }, payload: { summary: 'a draft edit again' } })
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/articles/${a.id}`, headers: { ...h.as.write, 'if-match': '7' } })).statusCode, 204)
  t.same(await events(), [
    { type: 'article.published', data: { id: a.id, version: 3 } },
    { type: 'article.updated', data: { id: a.id, version: 4 } },
    { type: 'article.updated', data: { id: a.id, version: 5 } },
    { type: 'article.corrected', data: { id: a.id, version: 5 } },
    { type: 'article.unpublished', data: { id: a.id, version: 6 } },
  ], 'the delete of an unpublished article is not public either')
})

t.test('catalogue and section edits write their events to the outbox', async (t) => {
  await clearEvents()
  const topic = (await h.app.inject({ method: 'POST', url: '/v1/topics', headers: h.as.write, payload: { kind: 'place', name: 'Harbour' } })).json()
  await h.app.inject({ method: 'PATCH', url: `/v1/topics/${topic.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { description: 'the harbour' } })
  await h.app.inject({ method: 'DELETE', url: `/v1/topics/${topic.id}`, headers: { ...h.as.write, 'if-match': '2' } })
  const news = (await h.app.inject({ method: 'POST', url: '/v1/sections', headers: h.as.write, payload: { name: 'News' } })).json()
  const world = (await h.app.inject({ method: 'POST', url: '/v1/sections', headers: h.as.write, payload: { name: 'World', parentId: news.id } })).json()
  await h.app.inject({ method: 'PATCH', url: `/v1/sections/${news.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { slug: 'the-news' } })
  const photo = (await h.app.inject({ method: 'POST', url: '/v1/media', headers: h.as.write, payload: { kind: 'image', url: 'https://cdn.example/p.jpg' } })).json()
  const person = (await h.app.inject({ method: 'POST', url: '/v1/contributors', headers: h.as.write, payload: { kind: 'person', name: 'Ann Writer' } })).json()
  t.same(
    (await events()).map((e) => `${e.type} ${e.data.id} ${e.data.version}`),
    [
      `topic.created ${topic.id} 1`,
      `topic.updated ${topic.id} 2`,
      `topic.deleted ${topic.id} 2`,
      `section.created ${news.id} 1`,
      `section.created ${world.id} 1`,
      `section.updated ${world.id} 2`,
      `section.updated ${news.id} 2`,
      `media.created ${photo.id} 1`,
      `contributor.created ${person.id} 1`,
    ],
    'a moved subsection is section.updated too, at its new version (its path changed)',
  )
})

t.test('the archive import writes the events of what it adds: a published article, a catalogue item', async (t) => {
  const topic = (await h.app.inject({ method: 'POST', url: '/v1/topics', headers: h.as.write, payload: { kind: 'event', name: 'Regatta' } })).json()
  const a = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle('Regatta returns') })).json()
  await h.app.inject({ method: 'POST', url: `/v1/articles/${a.id}/publish`, headers: { ...h.as.write, 'if-match': '1' } })
  const archive = (await h.app.inject({ url: '/v1/archive/export', headers: admin })).body
  await h.app.inject({ method: 'DELETE', url: `/v1/articles/${a.id}`, headers: { ...h.as.write, 'if-match': '2' } })
  await h.app.inject({ method: 'DELETE', url: `/v1/topics/${topic.id}`, headers: { ...h.as.write, 'if-match': '1' } })
  await clearEvents()
  const imported = await h.app.inject({ method: 'POST', url: '/v1/archive/import', headers: { ...admin, 'content-type': 'application/x-ndjson' }, payload: archive })
  t.equal(imported.statusCode, 200, imported.body)
  t.same((await events()).map((e) => `${e.type} ${e.data.id}`).sort(), [`article.published ${a.id}`, `topic.created ${topic.id}`].sort())
})

t.test('POST /v1/webhooks with an Idempotency-Key stores no secret; a replay is a 409 naming the subscription', async (t) => {
  const headers = { ...admin, 'idempotency-key': 'subscribe-mirror' }
  const first = await create({ url: PUBLIC_URL, events: ['*'] }, headers)
  t.equal(first.statusCode, 201)
  const { id, secret } = first.json()
  const stored = JSON.stringify(await h.sql('select * from idempotency_keys'))
  t.match(stored, 'subscribe-mirror')
  t.notMatch(stored, secret.slice(6, 26), 'never the secret')
  const replay = await create({ url: PUBLIC_URL, events: ['*'] }, headers)
  t.equal(replay.statusCode, 409)
  t.equal(replay.headers.location, `/v1/webhooks/${id}`)
  t.notMatch(replay.body, secret.slice(6, 26))
  t.match(replay.json(), { type: '/problems/webhook-secret-shown-once', status: 409, detail: new RegExp(id) })
})

t.test('subscription reads are private, no-store, and answer 304 to a matching If-None-Match', async (t) => {
  const made = (await create({ url: PUBLIC_URL, events: ['*'] })).json()
  const got = await h.app.inject({ url: `/v1/webhooks/${made.id}`, headers: admin })
  t.equal(got.headers['cache-control'], 'private, no-store')
  t.equal((await h.app.inject({ url: `/v1/webhooks/${made.id}`, headers: { ...admin, 'if-none-match': String(got.headers.etag) } })).statusCode, 304)
})
