import t from 'tap'
import pg from 'pg'
import { sql } from 'drizzle-orm'
import { openDataLayer, type ArticleFilter, type ArticleSort } from '../../../src/db/index.js'
import { createServices } from '../../../src/services/index.js'
import { ANY_VERSION } from '../../../src/services/preconditions.js'
import type { Actor } from '../../../src/services/actor.js'
import { minimalArticle as minimal } from '../../helpers.js'
import type { ArticleCreateBody } from '../../../src/schemas/article.js'
import { pgliteCopy, serverTarget } from '../../pg.js'
import { LOCKS } from '../../../src/db/pg/locks.js'

/* The PostgreSQL articles repository where it differs from SQLite: the change feed under concurrent writers, SKIP LOCKED, and its plans. */

const editor: Actor = { keyId: null, scope: 'admin' }
const minimalArticle = (headline: string) => minimal(headline) as ArticleCreateBody

t.test('writers of the change feed take turns until they commit, so a later seq is never visible before an earlier one (a real server)', async (t) => {
  const server = await serverTarget(t)
  if ('skip' in server) {
    t.comment(`skipped: ${server.skip}`)
    return
  }
  const data = await openDataLayer(server.url, { poolSize: 4 })
  t.teardown(() => data.close())
  const services = createServices(data.repos)
  const first = await services.articles.create(minimalArticle('First'), editor)
  const second = await services.articles.create(minimalArticle('Second'), editor)
  const before = (await data.repos.articles.changes(0, 100, false)).map((c) => c.seq)
  t.equal(before.length, 2)

  // A slow writer takes its turn and the next seq, as the repositories' writers do, and has not committed yet.
  const slow = new pg.Client({ connectionString: server.url })
  await slow.connect()
  t.teardown(() => slow.end())
  await slow.query('begin')
  await slow.query('select pg_advisory_xact_lock($1)', [LOCKS.changeFeed])
  const [{ seq: slowSeq }] = (await slow.query(`insert into article_changes (article_id, kind, version, at) values ($1, 'updated', 2, $2) returning seq`, [first.article.id, new Date().toISOString()])).rows as [{ seq: string }]
  // A quick writer starts: it waits for its turn.
  let quickDone = false
  const quick = services.articles.patch(second.article.id, ANY_VERSION, { summary: 'Quick edit' }, editor).then(() => (quickDone = true))
  // Until the server shows the quick writer waiting for the turn (an advisory lock not granted).
  // (This database's wait for the feed's key only: other test files share the server. The deadline only bounds a hang.)
  const waiting = async () =>
    (
      await slow.query(
        `select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and objid = $1 and database = (select oid from pg_database where datname = current_database())`,
        [LOCKS.changeFeed],
      )
    ).rows[0].n as number
  const deadline = Date.now() + 30_000
  while ((await waiting()) === 0) {
    if (Date.now() > deadline) throw new Error('the quick writer never waited for its turn')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  t.notOk(quickDone, 'the quick writer waits for the slow one')
  t.same(await data.repos.articles.changes(before.at(-1)!, 100, false), [], 'nothing to read while the slow change is open')
  await slow.query('commit')
  await quick
  const after = (await data.repos.articles.changes(before.at(-1)!, 100, false)).map((c) => c.seq)
  t.equal(after[0], Number(slowSeq), 'the slow change first')
  t.equal(after.length, 2)
  t.ok(after[1]! > after[0]!, 'then the quick one, with the later seq')
})

t.test('a reader following the change feed while many writers commit out of order sees every change once', async (t) => {
  const server = await serverTarget(t)
  if ('skip' in server) {
    t.comment(`skipped: ${server.skip}`)
    return
  }
  const data = await openDataLayer(server.url, { poolSize: 8 })
  t.teardown(() => data.close())
  const services = createServices(data.repos)
  const articles = await Promise.all(Array.from({ length: 6 }, (_, i) => services.articles.create(minimalArticle(`Story ${i}`), editor)))
  const seen: number[] = []
  let since = 0
  let writing = true
  const reader = (async () => {
    for (;;) {
      // Whether the writers had finished before this read: only then does an empty page mean the end.
      const finished = !writing
      const page = await data.repos.articles.changes(since, 7, false)
      for (const change of page) seen.push(change.seq)
      if (page.length > 0) since = page.at(-1)!.seq
      else if (finished) return
      await new Promise((resolve) => setImmediate(resolve))
    }
  })()
  // Six writers, each editing its own article 8 times: their transactions interleave on the pool.
  await Promise.all(
    articles.map(async (a) => {
      for (let i = 0; i < 8; i++) await services.articles.patch(a.article.id, ANY_VERSION, { summary: `Edit ${i}` }, editor)
    }),
  )
  writing = false
  await reader
  const all = (await server.query<{ seq: string }>('select seq from article_changes order by seq')).map((r) => Number(r.seq))
  t.equal(all.length, 6 + 6 * 8)
  t.same(seen, all, 'every change, once, in seq order: none skipped')
})

t.test('dueScheduled passes over an article another transaction is publishing (SKIP LOCKED)', async (t) => {
  const server = await serverTarget(t)
  if ('skip' in server) {
    t.comment(`skipped: ${server.skip}`)
    return
  }
  const data = await openDataLayer(server.url, { poolSize: 2 })
  t.teardown(() => data.close())
  const services = createServices(data.repos)
  const at = new Date(Date.now() - 60_000).toISOString()
  const ids = []
  for (const headline of ['Due one', 'Due two']) {
    const { article } = await services.articles.create(minimalArticle(headline), editor)
    await server.query(`update articles set status = 'scheduled', scheduled_at = '${at}' where id = '${article.id}'`)
    ids.push(article.id)
  }
  const now = new Date().toISOString()
  t.same((await data.repos.articles.dueScheduled(now, 10)).map((a) => a.id).sort(), [...ids].sort())
  const publisher = new pg.Client({ connectionString: server.url })
  await publisher.connect()
  t.teardown(() => publisher.end())
  await publisher.query('begin')
  await publisher.query('select id from articles where id = $1 for update', [ids[0]])
  t.same((await data.repos.articles.dueScheduled(now, 10)).map((a) => a.id), [ids[1]], 'the locked one is skipped, not waited for')
  await publisher.query('rollback')
})

t.test('lists with filters and searches can be answered from indexes (EXPLAIN on PGlite, sequential scans priced out)', async (t) => {
  const { client, db } = await pgliteCopy()
  const data = await openDataLayer({ postgres: db, close: () => client.close() })
  t.teardown(() => data.close())
  // PGlite is one connection: this holds for every statement after it. A plan that still scans a table has no index for it.
  await db.execute(sql`set enable_seqscan = off`)
  const now = new Date().toISOString()
  const cases: [ArticleFilter, ArticleSort][] = [
    [{}, 'newest'],
    [{ section: 'news', topicsAny: ['harbour'], types: ['news'] }, 'newest'],
    [{ section: 'news/world', topicsAll: ['a', 'b'], contributors: ['lena-marsh'] }, 'oldest'],
    [{ topicsNone: ['x'], languages: ['en'], publishedFrom: now }, 'updated'],
    [{ search: 'harbour tunnel', section: 'news', topicsAny: ['transport'] }, 'relevance'],
    [{ search: '"harbour tunnel"', types: ['news', 'brief'] }, 'newest'],
    [{ search: 'zeppelin' }, 'oldest'],
  ]
  const fullScan = /Seq Scan on (articles|article_renderings|article_topics|article_credits|sections|topics|contributors)\b/
  for (const [filter, sort] of cases) {
    for (const publicOnly of [true, false]) {
      const plan = await data.repos.articles.explainList({ visibility: { publicOnly, now }, filter, sort, limit: 21, after: null })
      t.notOk(plan.some((line) => fullScan.test(line)), `${JSON.stringify(filter)} ${sort} public=${publicOnly}`, { plan })
    }
  }
  // Which index drives a search depends on the statistics (an empty table says every filter is selective); without filters, the matches do.
  for (const sort of ['newest', 'oldest', 'updated', 'relevance'] as const) {
    const plan = await data.repos.articles.explainList({ visibility: { publicOnly: false, now }, filter: { search: 'zeppelin' }, sort, limit: 21, after: null })
    t.ok(plan.some((line) => /^Bitmap Index Scan on articles_search\b/.test(line)), `a search sorted by ${sort} finds its matches in the GIN index`, { plan })
  }
})
