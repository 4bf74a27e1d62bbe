import t from 'tap'
import { testApp } from '../../helpers.js'

t.test('POST /v1/api-keys shows the secret once; lists never show it; only admins manage keys', async (t) => {
  const h = await testApp(t)
  const res = await h.app.inject({ method: 'POST', url: '/v1/api-keys', headers: h.as.admin, payload: { name: 'website', scope: 'read' } })
  t.equal(res.statusCode, 201)
  t.equal(res.headers['cache-control'], 'no-store')
  const created = res.json()
  t.match(created, { name: 'website', scope: 'read', key: /^nd_[A-Za-z0-9_-]{43}$/, revokedAt: null })
  t.equal(created.prefix, created.key.slice(0, 10))
  const list = await h.app.inject({ url: '/v1/api-keys', headers: h.as.admin })
  t.equal(list.statusCode, 200)
  t.notMatch(list.body, created.key)
  t.ok(list.json().data.every((k: object) => !('key' in k)))
  t.equal((await h.app.inject({ url: '/v1/api-keys', headers: h.as.write })).statusCode, 403)
  t.equal((await h.app.inject({ url: '/v1/api-keys' })).statusCode, 401)
  t.equal((await h.app.inject({ method: 'POST', url: '/v1/api-keys', headers: h.as.admin, payload: { name: 'x', scope: 'root' } })).statusCode, 400)
})

t.test('a new key works at once and stops working when revoked', async (t) => {
  const h = await testApp(t, { anonymousReads: false })
  const { id, key } = (await h.app.inject({ method: 'POST', url: '/v1/api-keys', headers: h.as.admin, payload: { name: 'partner', scope: 'read' } })).json()
  const auth = { authorization: `Bearer ${key}` }
  t.equal((await h.app.inject({ url: '/v1/articles', headers: auth })).statusCode, 200)
  const revoked = await h.app.inject({ method: 'POST', url: `/v1/api-keys/${id}/revoke`, headers: h.as.admin })
  t.equal(revoked.statusCode, 200)
  t.ok(revoked.json().revokedAt)
  t.equal((await h.app.inject({ url: '/v1/articles', headers: auth })).statusCode, 401)
  const again = await h.app.inject({ method: 'POST', url: `/v1/api-keys/${id}/revoke`, headers: h.as.admin })
  t.equal(again.json().revokedAt, revoked.json().revokedAt, 'revoking twice keeps the first time')
  t.equal((await h.app.inject({ method: 'POST', url: '/v1/api-keys/nope/revoke', headers: h.as.admin })).statusCode, 404)
})

t.test('keys are stored only as hashes', async (t) => {
  const h = await testApp(t)
  const { key } = (await h.app.inject({ method: 'POST', url: '/v1/api-keys', headers: h.as.admin, payload: { name: 'x', scope: 'write' } })).json()
  const dump = JSON.stringify(await h.sql('select * from api_keys'))
  t.notMatch(dump, key)
})

t.test('a malformed Authorization header is a 401 problem', async (t) => {
  const h = await testApp(t)
  for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b']) {
    const res = await h.app.inject({ url: '/v1/articles', headers: { authorization } })
    t.equal(res.statusCode, 401, authorization)
    t.equal(res.json().type, '/problems/unauthorized')
  }
})

t.test('POST /v1/api-keys with an Idempotency-Key stores no secret; a replay is a 409 naming the key, never the secret again', async (t) => {
  const h = await testApp(t)
  const headers = { ...h.as.admin, 'idempotency-key': 'create-partner-key' }
  const first = await h.app.inject({ method: 'POST', url: '/v1/api-keys', headers, payload: { name: 'partner', scope: 'read' } })
  t.equal(first.statusCode, 201)
  const { id, key } = first.json()
  const secret = key.slice('nd_'.length)
  const stored = JSON.stringify(await h.sql('select * from idempotency_keys'))
  t.match(stored, 'create-partner-key', 'the claim is stored')
  t.notMatch(stored, secret, 'but never the secret')
  t.notMatch(stored, secret.slice(0, 16), 'nor a piece of it')

  const replay = await h.app.inject({ method: 'POST', url: '/v1/api-keys', headers, payload: { name: 'partner', scope: 'read' } })
  t.equal(replay.statusCode, 409)
  t.match(replay.headers['content-type'], /^application\/problem\+json/)
  t.equal(replay.headers['idempotent-replayed'], 'true')
  t.equal(replay.headers.location, `/v1/api-keys/${id}`)
  t.notMatch(replay.body, secret)
  t.match(replay.json(), { type: '/problems/api-key-secret-shown-once', status: 409, detail: new RegExp(id) })
  const list = (await h.app.inject({ url: '/v1/api-keys', headers: h.as.admin })).json().data as { name: string }[]
  t.equal(list.filter((k) => k.name === 'partner').length, 1, 'the replay created no second key')
})

t.test('the last active admin key cannot be revoked (409); with another admin key it can', async (t) => {
  const h = await testApp(t)
  const list = async () => (await h.app.inject({ url: '/v1/api-keys', headers: h.as.admin })).json().data as { id: string; scope: string; revokedAt: string | null }[]
  const [only] = (await list()).filter((k) => k.scope === 'admin' && k.revokedAt === null)
  const refused = await h.app.inject({ method: 'POST', url: `/v1/api-keys/${only!.id}/revoke`, headers: h.as.admin })
  t.equal(refused.statusCode, 409)
  t.match(refused.json(), { type: '/problems/last-admin-key', detail: /last active admin key/ })
  t.equal((await list()).find((k) => k.id === only!.id)?.revokedAt, null, 'still active')
  const second = (await h.app.inject({ method: 'POST', url: '/v1/api-keys', headers: h.as.admin, payload: { name: 'second admin', scope: 'admin' } })).json()
  t.equal((await h.app.inject({ method: 'POST', url: `/v1/api-keys/${only!.id}/revoke`, headers: h.as.admin })).statusCode, 200, 'another admin key is active')
  const last = await h.app.inject({ method: 'POST', url: `/v1/api-keys/${second.id}/revoke`, headers: { authorization: `Bearer ${second.key}` } })
  t.equal(last.statusCode, 409, 'and now that one is the last')
})
