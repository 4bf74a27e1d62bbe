import t, { type Test } from 'tap'
import { buildApp } from '../../../src/app.js'
import { testConfig } from '../../../src/config.js'
import { openDataLayer } from '../../../src/db/index.js'
import { lsnOf } from '../../../src/db/pg/replica.js'
import { reuseCompiled } from '../../compilers.js'
import { minimalArticle } from '../../helpers.js'
import { pgliteCopy, serverTarget } from '../../pg.js'
import type { PgDb } from '../../../src/db/pg/client.js'

/*
 * Read replicas (DATABASE_REPLICA_URL), with a second database standing in
 * for the replica: writes reach only the primary, so a read that finds a new
 * article was answered by the primary, and one that does not, by the
 * "replica". How far the replica has replayed is the test's to say (the
 * data layer's seam, `replayed`). test/slow/replica.slow.ts does the same
 * with a real streaming standby.
 */

interface Database {
  db: PgDb
  close(): Promise<void>
}

async function pglite(): Promise<Database> {
  const { client, db } = await pgliteCopy()
  let closing: Promise<void> | undefined
  return { db, close: () => (closing ??= client.close()) }
}

t.test('LSNs compare as 64-bit positions; anything else is not one', async (t) => {
  t.equal(lsnOf('0/16B3748'), 0x16b3748n)
  t.ok(lsnOf('1/0')! > lsnOf('0/FFFFFFFF')!, 'the high half counts first')
  t.equal(lsnOf('16/b374d848'), (0x16n << 32n) + 0xb374d848n, 'either case')
  for (const bad of ['', '0/', '/1', '0x1/2', '1/2/3', '123456789/0', null]) t.equal(lsnOf(bad), null, `${String(bad)} is not an LSN`)
})

async function routing(t: Test, primary: Database, replica: Database) {
  let replayed: string | null = '0/0'
  const warnings: string[] = []
  const built = await buildApp(testConfig(), {
    dataSource: { postgres: primary.db, close: primary.close },
    replicaSource: { postgres: replica.db, close: replica.close, replayed: async () => replayed },
    compilers: reuseCompiled,
    logStream: { write: (line) => void warnings.push(line) },
  })
  const { app } = built
  t.teardown(() => app.close())
  const write = { authorization: `Bearer ${(await built.services.apiKeys.create('writer', 'write')).key}` }

  t.ok(built.data.reads.replicated, 'the data layer routes reads')
  const created = await app.inject({ method: 'POST', url: '/v1/articles', headers: write, payload: minimalArticle('Only on the primary') })
  t.equal(created.statusCode, 201, 'a write goes to the primary (the API key, made there, is found there too)')
  const token = created.headers['consistency-token'] as string
  t.match(token, /^[0-9A-F]+\/[0-9A-F]+$/, 'a write answers with a token: the primary\'s WAL position')
  const id = created.json().id as string
  const get = (headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: `/v1/articles/${id}`, headers: { ...write, ...headers } })

  t.equal((await get()).statusCode, 404, 'a read without a token goes to the replica, which does not have the article yet')
  t.equal((await app.inject({ method: 'GET', url: '/v1/articles', headers: write })).json().data.length, 0, 'so does a list')
  const fresh = await get({ 'consistency-token': token })
  t.equal(fresh.statusCode, 200, 'a read with the token goes to the primary while the replica is behind it')
  t.equal(fresh.json().headlines.basic, 'Only on the primary')
  t.notOk(fresh.headers['consistency-token'], 'reads give no token')
  t.equal((await app.inject({ method: 'HEAD', url: `/v1/articles/${id}`, headers: { ...write, 'consistency-token': token } })).statusCode, 200, 'HEAD too')

  replayed = null
  t.equal((await get({ 'consistency-token': token })).statusCode, 200, 'a replica that is not replaying (promoted, or not a standby) is never taken as caught up')
  replayed = token
  t.equal((await get({ 'consistency-token': token })).statusCode, 404, 'once the replica has replayed up to the token, the read goes to it')
  replayed = '0/0'
  t.equal((await get({ 'consistency-token': token })).statusCode, 404, 'a replay position only grows: the furthest seen still answers')
  t.equal((await get({ 'consistency-token': 'not-an-lsn' })).statusCode, 200, 'a well-formed token the engine cannot read goes to the primary (safe)')

  const patched = await app.inject({ method: 'PATCH', url: `/v1/articles/${id}`, headers: { ...write, 'if-match': '1' }, payload: { summary: 'Edited' } })
  t.equal(patched.statusCode, 200, 'the write started from the primary\'s article (load never reads a replica)')
  const next = patched.headers['consistency-token'] as string
  t.ok(lsnOf(next)! > lsnOf(token)!, 'a later write, a later position')
  t.equal((await get({ 'consistency-token': next })).json().summary, 'Edited', 'and the writer reads its edit')
  const failed = await app.inject({ method: 'PATCH', url: `/v1/articles/${id}`, headers: { ...write, 'if-match': '1' }, payload: { summary: 'Stale' } })
  t.equal(failed.statusCode, 412)
  t.notOk(failed.headers['consistency-token'], 'a write that failed gives no token')
  t.same(warnings.filter((l) => l.includes('replica')), [], 'no replica warnings')
}

t.test('on PGlite: GETs read the replica; a client presenting its write\'s token reads the primary until the replica has replayed past it', async (t) => {
  await routing(t, await pglite(), await pglite())
})

t.test('on a server: the same, with a second database standing in for the replica', async (t) => {
  const primary = await serverTarget(t)
  if ('skip' in primary) {
    t.comment(`skipped: ${primary.skip}`)
    return
  }
  const replica = await serverTarget(t)
  if ('skip' in replica) throw new Error(replica.skip)
  await routing(t, primary, replica)
})

t.test('a replica that does not answer: its reads go to the primary, and it is reported; without a replica nothing is routed', async (t) => {
  const primary = await pglite()
  t.teardown(() => primary.close())
  const unavailable: unknown[] = []
  // Nothing listens on port 9 (discard) here: connecting is refused at once. (The database closes at the end, not with this layer.)
  const data = await openDataLayer({ postgres: primary.db, close: async () => {} }, { replica: 'postgres://postgres@127.0.0.1:9/none', onReplicaUnavailable: (err) => unavailable.push(err) })
  const at = new Date().toISOString()
  await data.repos.topics.create({ id: 'topic-1', name: 'Harbour', slug: 'harbour', kind: 'subject', aliases: [], description: null, createdAt: at, updatedAt: at })
  const found = await data.reads.reading(undefined, () => data.repos.topics.find('harbour'))
  t.equal(found?.id, 'topic-1', 'the read was answered by the primary')
  t.equal(unavailable.length, 1, 'the failure was reported once')
  const cause = (unavailable[0] as Error).cause as Error & { code?: string }
  t.equal(cause.code, 'ECONNREFUSED', 'a refused connection')
  const again = await data.reads.reading(undefined, () => data.repos.topics.list(10, null))
  t.equal(again.length, 1, 'the next reads go straight to the primary')
  t.equal(unavailable.length, 1, 'without trying the replica again for a while')
  t.match(await data.reads.token(), /^[0-9A-F]+\/[0-9A-F]+$/, 'tokens still come from the primary')
  await data.close()

  const plain = await openDataLayer({ postgres: primary.db, close: async () => {} })
  t.teardown(() => plain.close())
  t.equal(plain.reads.replicated, false, 'without a replica, PostgreSQL routes nothing')
  t.equal(await plain.reads.token(), undefined, 'and gives no token')
  t.equal(plain.reads.reading('0/1', () => 42), 42)
})
