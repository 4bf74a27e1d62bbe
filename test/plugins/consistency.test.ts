import t from 'tap'
import { minimalArticle, testApp } from '../helpers.js'

/*
 * Consistency-Token without a read replica (SQLite, or PostgreSQL without
 * DATABASE_REPLICA_URL): nothing to route, so no token is given, and one sent
 * back changes nothing; a malformed one is refused as on every deployment.
 * test/db/pg/replica.test.ts tests the routing with a replica.
 */
const h = await testApp(t)

t.test('without a replica a write gives no Consistency-Token, and a read presenting one answers as usual', async (t) => {
  const created = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle() })
  t.equal(created.statusCode, 201)
  t.notOk(created.headers['consistency-token'])
  const read = await h.app.inject({ method: 'GET', url: `/v1/articles/${created.json().id as string}`, headers: { ...h.as.write, 'consistency-token': '0/16B3748' } })
  t.equal(read.statusCode, 200)
  t.equal(read.json().id, created.json().id)
})

t.test('a malformed Consistency-Token is a 400 problem naming the header, on reads and writes', async (t) => {
  for (const [method, token] of [['GET', 'not a token'], ['GET', 'x'.repeat(65)], ['POST', '0/1;drop']] as const) {
    const res = await h.app.inject({ method, url: '/v1/articles', headers: { ...h.as.write, 'consistency-token': token }, ...(method === 'POST' ? { payload: minimalArticle() } : {}) })
    t.equal(res.statusCode, 400, `${method} with ${token.slice(0, 12)}`)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.same(res.json().errors.map((e: { path: string }) => e.path), ['/headers/consistency-token'])
  }
  const [count] = await h.sql<{ n: number }>('select cast(count(*) as integer) as n from articles')
  t.equal(count!.n, 1, 'the refused write did not run')
})
