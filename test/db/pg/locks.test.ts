import t, { type Test } from 'tap'
import pg from 'pg'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { openDataLayer, SectionCycleError, type DataLayer } from '../../../src/db/index.js'
import { openPostgres, pgMigrationsFolder } from '../../../src/db/pg/client.js'
import { LOCKS } from '../../../src/db/pg/locks.js'
import { createServices } from '../../../src/services/index.js'
import type { Actor } from '../../../src/services/actor.js'
import type { ArticleCreateBody } from '../../../src/schemas/article.js'
import { minimalArticle } from '../../helpers.js'
import { pgliteCopy, serverTarget } from '../../pg.js'

/*
 * Each advisory lock of src/db/pg/locks.ts, raced: two sessions start the
 * work the lock guards at once. On a server, a third session holds the lock
 * first, until the server shows both waiting for it (pg_locks), so that they
 * are certainly in the race together when it is released; then the invariant
 * the lock protects is checked. PGlite has one connection, which serialises
 * everything anyway: there the same race runs and the same invariant is
 * checked, without the holder. (The change feed's lock has its own test of
 * commit order in articles.test.ts.)
 */

const editor: Actor = { keyId: null, scope: 'admin' }
const article = (headline: string) => minimalArticle(headline) as ArticleCreateBody

/** A server database's sessions: waiting for `key` in it, and a holder of it. */
async function holder(url: string, t: Test) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  t.teardown(() => client.end())
  const waiting = async (key: number) =>
    (
      await client.query(
        `select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and objid = $1 and database = (select oid from pg_database where datname = current_database())`,
        [key],
      )
    ).rows[0].n as number
  return {
    /**
     * Runs `racers` while holding `key` (a session lock: `session`, or a
     * transaction's), until all of them wait for it, then lets them go.
     */
    async race<T>(key: number, racers: (() => Promise<T>)[], session = false): Promise<PromiseSettledResult<T>[]> {
      if (session) await client.query('select pg_advisory_lock($1)', [key])
      else {
        await client.query('begin')
        await client.query('select pg_advisory_xact_lock($1)', [key])
      }
      let finished = 0
      const running = racers.map((r) => r().finally(() => finished++))
      const deadline = Date.now() + 60_000
      while ((await waiting(key)) < racers.length) {
        if (Date.now() > deadline) throw new Error(`the racers never all waited for lock ${key}`)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      t.equal(finished, 0, `both wait for lock ${key} while it is held`)
      if (session) await client.query('select pg_advisory_unlock($1)', [key])
      else await client.query('commit')
      return Promise.allSettled(running)
    },
  }
}

type Race = <T>(key: number, racers: (() => Promise<T>)[], session?: boolean) => Promise<PromiseSettledResult<T>[]>
const together: Race = (_key, racers) => Promise.allSettled(racers.map((r) => r()))

const values = <T>(settled: PromiseSettledResult<T>[]) => settled.filter((s): s is PromiseFulfilledResult<T> => s.status === 'fulfilled').map((s) => s.value)

type Query = (text: string) => Promise<Record<string, unknown>[]>

async function searchRow(t: Test, data: DataLayer, race: Race, query: Query) {
  const services = createServices(data.repos)
  const settled = await race(LOCKS.searchRow, [0, 1].map((i) => () => services.articles.create(article(`Racer ${i}`), editor)))
  t.same(settled.map((s) => s.status), ['fulfilled', 'fulfilled'], 'both new articles are written (no clash on articles_search_rowid_unique)')
  const ids = values(settled).map((c) => `'${c.article.id}'`)
  const rows = await query(`select search_rowid::int as r from articles where id in (${ids.join(', ')}) order by search_rowid`)
  t.equal(rows.length, 2)
  t.equal(Number(rows[1]!.r), Number(rows[0]!.r) + 1, 'with consecutive search rows: each drew max + 1 after the other committed')
}

async function sectionTree(t: Test, data: DataLayer, race: Race, _query: Query) {
  const at = new Date().toISOString()
  const a = await data.repos.sections.create({ id: `a-${randomBytes(3).toString('hex')}`, name: 'A', slug: 'a', parentId: null, description: null, at })
  const b = await data.repos.sections.create({ id: `b-${randomBytes(3).toString('hex')}`, name: 'B', slug: 'b', parentId: null, description: null, at })
  // A under B and B under A: each alone is a fine move; both would make a cycle.
  const settled = await race(LOCKS.sectionTree, [
    () => data.repos.sections.update(a.id, null, { parentId: b.id }, at),
    () => data.repos.sections.update(b.id, null, { parentId: a.id }, at),
  ])
  t.same(settled.map((s) => s.status).sort(), ['fulfilled', 'rejected'], 'one move is made, the other refused')
  const refused = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult
  t.ok(refused.reason instanceof SectionCycleError, 'as a cycle')
  const [sa, sb] = [await data.repos.sections.find(a.id), await data.repos.sections.find(b.id)]
  t.ok(sa!.parentId === null || sb!.parentId === null, 'one of them is still a root: no cycle')
  t.same([sa!.path, sb!.path].sort(), sa!.parentId === null ? ['a', 'a/b'] : ['b', 'b/a'], 'and the paths follow the tree')
}

async function archiveImport(t: Test, data: DataLayer, race: Race, _query: Query) {
  // An archive of another database: a section, a topic and an article.
  const source = await openDataLayer(':memory:')
  const from = createServices(source.repos)
  const section = await from.sections.create({ name: 'World' })
  const topic = await from.topics.create({ name: 'Harbour', kind: 'subject' } as never)
  await from.articles.create({ ...article('Imported twice at once'), sectionId: section.id, topics: [{ topicId: topic.id }] } as never, editor)
  let text = ''
  for await (const chunk of from.archive.exportArchive({ revisions: true })) text += chunk
  await source.close()

  const services = createServices(data.repos)
  // Batches of one line: both imports interleave line by line, each line's batch taking the turn.
  const settled = await race(LOCKS.archiveImport, [0, 1].map(() => () => services.archive.importArchive([text], { batchSize: 1 })))
  t.same(settled.map((s) => s.status), ['fulfilled', 'fulfilled'], 'both imports finish')
  const summaries = values(settled)
  t.same(summaries.map((s) => s.failed), [null, null], 'neither fails on a record the other wrote')
  t.equal(summaries[0]!.imported.articles + summaries[1]!.imported.articles, 1, 'the article is imported once')
  t.equal(summaries[0]!.unchanged.articles + summaries[1]!.unchanged.articles, 1, 'and found there, identical, by the other')
  t.equal(summaries[0]!.imported.sections + summaries[1]!.imported.sections, 1, 'so is the section')
}

const locks = { 'searchRow: new articles draw distinct search rows': searchRow, 'sectionTree: two moves cannot make a cycle': sectionTree, 'archiveImport: two imports of one archive each add what is missing, once': archiveImport }

t.test('on PGlite (one connection: the race is serialised there anyway)', async (t) => {
  // One database for the three (they touch different rows).
  const { client, db } = await pgliteCopy()
  const data = await openDataLayer({ postgres: db, close: () => client.close() })
  t.teardown(() => data.close())
  for (const [name, check] of Object.entries(locks)) {
    await t.test(name, (t) => check(t, data, together, async (text) => (await client.query<Record<string, unknown>>(text)).rows))
  }
})

t.test('on a server, with the lock held until both racers wait for it', async (t) => {
  const probe = await serverTarget(t)
  if ('skip' in probe) {
    t.comment(`skipped: ${probe.skip}`)
    return
  }
  for (const [name, check] of Object.entries(locks)) {
    await t.test(name, async (t) => {
      const server = await serverTarget(t)
      if ('skip' in server) throw new Error(server.skip)
      const data = await openDataLayer(server.url, { poolSize: 4 })
      t.teardown(() => data.close())
      const { race } = await holder(server.url, t)
      await check(t, data, race, (text) => server.query(text))
    })
  }

  await t.test('migrations: processes starting at once migrate one at a time, each migration once', async (t) => {
    const admin = new pg.Client({ connectionString: new URL(probe.url).toString().replace(/\/[^/]*$/, '/postgres') })
    await admin.connect()
    const name = `newsdesk_locks_${process.pid}_${randomBytes(3).toString('hex')}`
    await admin.query(`create database ${name}`)
    const url = probe.url.replace(/\/[^/]*$/, `/${name}`)
    const handles: { close(): Promise<void> }[] = []
    t.teardown(async () => {
      for (const h of handles) await h.close()
      await admin.query(`drop database if exists ${name} with (force)`)
      await admin.end()
    })
    const { race } = await holder(url, t)
    const settled = await race(LOCKS.migrations, [0, 1].map(() => async () => {
      const handle = await openPostgres(url, { poolSize: 1 })
      handles.push(handle)
      return handle
    }), true)
    t.same(settled.map((s) => s.status), ['fulfilled', 'fulfilled'], 'both processes start')
    const journal = JSON.parse(readFileSync(join(pgMigrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] }
    const check = new pg.Client({ connectionString: url })
    await check.connect()
    const applied = (await check.query('select count(*)::int as n from drizzle.__drizzle_migrations')).rows[0].n as number
    await check.end()
    t.equal(applied, journal.entries.length, 'every migration applied once')
  })
})
