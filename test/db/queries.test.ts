import t from 'tap'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { manualClock, testApp } from '../helpers.js'
import { openDataLayer } from '../../src/db/index.js'
import { testConfig } from '../../src/config.js'
import { createServices } from '../../src/services/index.js'
import { startWorker } from './workers/start.js'
import { atVersion } from '../../src/services/preconditions.js'

t.test('one article read is a bounded number of SQL statements, whatever its size', async (t) => {
  const h = await testApp(t)
  const post = async (url: string, payload: object) => (await h.app.inject({ method: 'POST', url, headers: h.as.write, payload })).json()
  const statementsFor = async (blocks: number) => {
    const media = []
    const credits = []
    const topics = []
    for (let i = 0; i < blocks; i++) {
      media.push(await post('/v1/media', { kind: 'image', caption: `Photo ${i}`, credit: 'AP' }))
      credits.push({ contributorId: (await post('/v1/contributors', { kind: 'person', name: `Reporter ${blocks}-${i}` })).id, role: 'byline' })
      topics.push({ topicId: (await post('/v1/topics', { kind: 'subject', name: `Topic ${blocks}-${i}` })).id })
    }
    const article = await post('/v1/articles', {
      headlines: { basic: `Story with ${blocks} of everything` },
      body: media.map((m) => ({ type: 'image', mediaId: m.id })),
      credits,
      topics,
    })
    const sqlite = h.data.sqlite!
    const prepare = sqlite.prepare.bind(sqlite)
    let count = 0
    sqlite.prepare = ((source: string) => {
      count++
      return prepare(source)
    }) as typeof sqlite.prepare
    const res = await h.app.inject({ url: `/v1/articles/${article.id}`, headers: h.as.write })
    sqlite.prepare = prepare
    t.equal(res.statusCode, 200)
    t.equal(res.json().body.length, blocks)
    return count
  }
  const small = await statementsFor(1)
  const large = await statementsFor(30)
  t.equal(large, small, `the same number of statements (${small}) for 1 and 30 photos, credits and topics`)
  t.ok(small <= 8, `${small} statements, including the API key lookup`)
})

t.test('two connections (threads) publishing due articles at once publish each exactly once', async (t) => {
  const file = join(t.testdir(), 'shared.db')
  const first = await openDataLayer(file)
  t.teardown(() => {
    return first.close()
  })
  const now = Date.now()
  const runtime = { now: () => new Date(now), newId: () => crypto.randomUUID() }
  const a = createServices(first.repos, runtime)
  const editor = { keyId: null, scope: 'write' as const }
  for (let i = 0; i < 20; i++) {
    const agg = await a.articles.create({ headlines: { basic: `Scheduled story ${i}` }, body: [] }, editor)
    await a.articles.act(agg.article.id, atVersion(1), 'schedule', editor, { at: new Date(now + 1000).toISOString() })
  }
  // Two threads, each with its own connection, race to publish: each article must be claimed once.
  const race = () =>
    new Promise<number>((resolve, reject) => {
      const worker = startWorker(new URL('./workers/publish-due.ts', import.meta.url), { file, now: now + 1000 })
      worker.once('message', resolve)
      worker.once('error', reject)
    })
  const [x, y] = await Promise.all([race(), race()])
  t.equal(x + y, 20, `published ${x} + ${y}`)
  const revisions = first.sqlite!.prepare("select count(*) as n from article_revisions where message = 'published on schedule'").get() as { n: number }
  t.equal(revisions.n, 20, 'one publish revision per article')
})

t.test('the scheduler leaves due articles for its next tick while another process holds the write lock', async (t) => {
  const file = join(t.testdir(), 'locked.db')
  // The server's wait for a write lock (DB_BUSY_TIMEOUT_MS, 200 ms by default), not the 2 s tools wait.
  const data = await openDataLayer(file, { busyTimeoutMs: testConfig().dbBusyTimeoutMs })
  t.teardown(() => data.close())
  const clock = manualClock()
  const services = createServices(data.repos, clock)
  const editor = { keyId: null, scope: 'write' as const }
  const agg = await services.articles.create({ headlines: { basic: 'Scheduled while locked' }, body: [] }, editor)
  await services.articles.act(agg.article.id, atVersion(1), 'schedule', editor, { at: new Date(clock.now().getTime() + 1000).toISOString() })
  clock.advance(2000)
  const other = new Database(file)
  other.exec('BEGIN IMMEDIATE')
  t.equal(await services.articles.publishDue(), 0, 'nothing published, nothing thrown')
  other.exec('ROLLBACK')
  other.close()
  t.equal(await services.articles.publishDue(), 1, 'published on the next tick')
  t.equal((await services.articles.get(agg.article.id, editor)).article.status, 'published')
})
