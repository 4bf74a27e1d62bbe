import t from 'tap'
import { createApiKeyRepository, createIdempotencyRepository } from '../../../src/db/pg/repositories/apiKeys.js'
import { writeTransaction } from '../../../src/db/pg/writes.js'
import { withClaimedKey } from '../../../src/db/idempotencyScope.js'
import { apiKeys } from '../../../src/db/pg/schema.js'
import { LastAdminKeyError } from '../../../src/errors.js'
import { pgliteTarget } from '../../pg.js'

/* The PostgreSQL API key and Idempotency-Key repositories (the route and plugin tests run them too, under TEST_ENGINE=pglite). */

const key = (id: string, scope: 'read' | 'write' | 'admin') => ({ id, name: id, scope, keyHash: `hash-${id}`, prefix: id.slice(0, 4), createdAt: '2026-01-01T00:00:00.000Z' })
const request = (over: Partial<{ requestHash: string; createdAt: string }> = {}) => ({
  apiKeyId: 'k1',
  key: 'idem-1',
  method: 'POST',
  path: '/v1/articles',
  requestHash: 'h1',
  createdAt: '2026-01-01T10:00:00.000Z',
  ...over,
})

t.test('API keys: found by hash while active, touched at most once a minute, and the last admin key is never revoked', async (t) => {
  const pg = await pgliteTarget(t)
  const repo = createApiKeyRepository(pg.db)
  await repo.create(key('a1', 'admin'))
  await repo.create(key('a2', 'admin'))
  await repo.create(key('w1', 'write'))
  t.equal(await repo.count(), 3)
  t.equal((await repo.findActiveByHash('hash-w1'))?.id, 'w1')
  t.equal(await repo.findActiveByHash('hash-none'), null)
  t.same((await repo.list()).map((k) => k.id), ['a1', 'a2', 'w1'])

  await repo.touch('w1', '2026-01-01T10:00:00.000Z')
  await repo.touch('w1', '2026-01-01T10:00:30.000Z')
  t.equal((await repo.findActiveByHash('hash-w1'))?.lastUsedAt, '2026-01-01T10:00:00.000Z', 'not again within the minute')
  await repo.touch('w1', '2026-01-01T10:01:01.000Z')
  t.equal((await repo.findActiveByHash('hash-w1'))?.lastUsedAt, '2026-01-01T10:01:01.000Z')

  // Both admin keys revoked at once: one of them must stay.
  const results = await Promise.allSettled([repo.revoke('a1', '2026-01-02T00:00:00.000Z'), repo.revoke('a2', '2026-01-02T00:00:00.000Z')])
  t.same(results.map((r) => r.status).sort(), ['fulfilled', 'rejected'])
  t.ok(results.some((r) => r.status === 'rejected' && r.reason instanceof LastAdminKeyError))
  const revoked = await repo.revoke('w1', '2026-01-03T00:00:00.000Z')
  t.equal((await repo.revoke('w1', '2026-01-04T00:00:00.000Z')).revokedAt, revoked.revokedAt, 'revoking twice keeps the first time')
  t.equal(await repo.findActiveByHash('hash-w1'), null)
  await t.rejects(repo.revoke('nope', '2026-01-04T00:00:00.000Z'), { code: 'not-found' })
})

t.test('Idempotency-Key claims: claimed, in progress, mismatch, replay, expired and taken over, released, purged', async (t) => {
  const pg = await pgliteTarget(t)
  const repo = createIdempotencyRepository(pg.db)
  const stale = '2026-01-01T09:59:00.000Z'
  t.same(await repo.claim(request(), stale), { state: 'claimed' })
  t.same(await repo.claim(request(), stale), { state: 'in-progress' })
  t.same(await repo.claim(request({ requestHash: 'other' }), stale), { state: 'mismatch' })
  t.same(await repo.claim(request({ requestHash: 'other' }), '2026-01-01T10:00:00.001Z'), { state: 'claimed' }, 'an abandoned claim is taken over, whatever its request')
  await repo.complete('k1', 'idem-1', 201, '{"id":"a"}', { location: '/v1/articles/a' })
  t.same(await repo.claim(request({ requestHash: 'other' }), stale), { state: 'replay', statusCode: 201, body: '{"id":"a"}', headers: { location: '/v1/articles/a' } })
  t.same(await repo.claim(request(), '2099-01-01T00:00:00.000Z'), { state: 'mismatch' }, 'an answered claim never expires into a new one')
  await repo.release('k1', 'idem-1')
  t.same(await repo.claim(request(), stale), { state: 'claimed' }, 'released: free again')
  await repo.claim({ ...request(), key: 'idem-2', createdAt: '2026-01-02T00:00:00.000Z' }, stale)
  t.equal(await repo.purgeOlderThan('2026-01-01T12:00:00.000Z'), 1)
  t.same((await pg.query<{ key: string }>('select key from idempotency_keys')).map((r) => r.key), ['idem-2'])
})

t.test('a write transaction of a request holding a claim marks it carried out in its own commit; a failed one does not', async (t) => {
  const pg = await pgliteTarget(t)
  const repo = createIdempotencyRepository(pg.db)
  const status = async () => (await pg.query<{ status_code: number | null }>("select status_code from idempotency_keys where key = 'idem-1'"))[0]?.status_code
  t.same(await repo.claim(request(), '2026-01-01T09:59:00.000Z'), { state: 'claimed' })
  const claim = { apiKeyId: 'k1', key: 'idem-1' }

  await t.rejects(
    withClaimedKey(claim, () =>
      writeTransaction(pg.db, async (tx) => {
        await tx.insert(apiKeys).values(key('x1', 'read'))
        throw new Error('rolled back')
      }),
    ),
  )
  t.equal(await status(), null, 'a rolled-back write marks nothing')
  await writeTransaction(pg.db, async (tx) => tx.insert(apiKeys).values(key('x2', 'read')))
  t.equal(await status(), null, 'a write outside the claim marks nothing')
  await withClaimedKey(claim, () => writeTransaction(pg.db, async (tx) => tx.insert(apiKeys).values(key('x3', 'read'))))
  t.equal(await status(), 0, 'carried out')
  t.same(await repo.claim(request(), '2026-01-01T10:00:00.001Z'), { state: 'unanswered' }, 'once expired: unanswered, never run again')
  t.same(await repo.claim(request(), '2026-01-01T09:59:00.000Z'), { state: 'in-progress' }, 'before that: in progress')
})
