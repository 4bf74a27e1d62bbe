/**
 * myNEWS feed benchmark: N articles (default 100,000) in a SQLite file, a
 * reader with 50 follows (and one with 200), then GET /v1/me/feed through HTTP
 * on 127.0.0.1 with autocannon at 1 connection. Target: p99 under 20 ms for 50
 * follows over 100,000 articles. Also prints the plan of each kind of follow's
 * statement. Run: npx tsx bench/feed.ts [N] [seconds]
 * (`npx tsx bench/feed.ts 2000 2` is a quick check that it works.)
 * BENCH_DIR=dir keeps the database there, and a later run reuses it without seeding.
 */
import autocannon from 'autocannon'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../src/app.js'
import { testConfig } from '../src/config.js'
import { atVersion } from '../src/services/preconditions.js'

const N = Number(process.argv[2] ?? 100_000)
const SECONDS = Number(process.argv[3] ?? 10)
const TARGET_P99_MS = 20
const keep = process.env.BENCH_DIR
const dir = keep ?? mkdtempSync(join(tmpdir(), 'newsdesk-feed-bench-'))
const reuse = keep !== undefined && existsSync(join(dir, 'feed.db'))
const { app, services, data } = await buildApp(testConfig({ databasePath: join(dir, 'feed.db'), rateLimitPerMinute: 0 }))
const editor = { keyId: null, scope: 'admin' as const }

const TOPICS = 500
const CONTRIBUTORS = 300
if (!reuse) await seed()
else process.stdout.write(`reusing ${dir}/feed.db\n\n`)

/** The catalogue and N articles, 80 % published, a minute apart, each with 3 topics (one of 20 popular ones), a byline and a section. */
async function seed() {
  const desks: string[] = []
  for (let d = 0; d < 5; d++) {
    const desk = await services.sections.create({ name: `Desk ${d}` })
    desks.push(desk.id)
    for (let b = 0; b < 5; b++) desks.push((await services.sections.create({ name: `Beat ${d}-${b}`, parentId: desk.id })).id)
  }
  const topicIds: string[] = []
  for (let i = 0; i < TOPICS; i++) topicIds.push((await services.topics.create({ kind: 'subject', name: `Topic ${i}` })).id)
  const contributorIds: string[] = []
  for (let i = 0; i < CONTRIBUTORS; i++) contributorIds.push((await services.contributors.create({ kind: 'person', name: `Reporter ${i}` })).id)
  data.sqlite!.pragma('synchronous = OFF')
  const started = Date.now()
  for (let i = 0; i < N; i++) {
    const agg = await services.articles.create(
      {
        headlines: { basic: `Story number ${i}` },
        sectionId: desks[i % desks.length]!,
        topics: [{ topicId: topicIds[i % 20]!, primary: true }, { topicId: topicIds[20 + ((i * 7) % (TOPICS - 20))]! }, { topicId: topicIds[20 + ((i * 13 + 5) % (TOPICS - 20))]! }],
        credits: [{ contributorId: contributorIds[i % CONTRIBUTORS]!, role: 'byline' }],
        body: [{ type: 'paragraph', html: `Paragraph of story ${i}.` }],
      },
      editor,
    )
    if (i % 5 !== 4) await services.articles.act(agg.article.id, atVersion(1), 'publish', editor)
    if (i > 0 && i % 10_000 === 0) process.stdout.write(`seeded ${i} (${Math.round(i / ((Date.now() - started) / 1000))}/s)\n`)
  }
  data.sqlite!.pragma('synchronous = FULL')
  data.sqlite!.exec('ANALYZE')
  process.stdout.write(`seeded ${N} articles (80% published) in ${((Date.now() - started) / 1000).toFixed(0)} s\n\n`)
}

/** A reader following `follows` targets: mostly topics (popular and niche), some contributors, two desks (with their beats); three topics muted. */
async function reader(follows: number): Promise<string> {
  const { reader, token } = await services.readers.create()
  const targets: ['topic' | 'contributor' | 'section', string][] = [['section', 'desk-0'], ['section', 'desk-1']]
  for (let i = 0; i < Math.floor(follows / 6); i++) targets.push(['contributor', `reporter-${i}`])
  for (let i = 0; targets.length < follows; i++) targets.push(['topic', `topic-${i * 2}`])
  for (const [kind, target] of targets.slice(0, follows)) await services.readers.follow(reader.id, kind, target)
  for (const slug of ['topic-1', 'topic-3', 'topic-5']) await services.readers.mute(reader.id, 'topic', slug)
  return token
}

const address = await app.listen({ host: '127.0.0.1', port: 0 })
const reader50 = await reader(50)
const reader200 = await reader(200)
const cases = [
  { name: '50 follows, newest 20', token: reader50, path: '/v1/me/feed' },
  { name: '50 follows, unread only', token: reader50, path: '/v1/me/feed?unread=true' },
  { name: '50 follows, order=relevance', token: reader50, path: '/v1/me/feed?order=relevance' },
  { name: '200 follows, newest 20', token: reader200, path: '/v1/me/feed' },
]
for (const kind of ['topic', 'contributor', 'section'] as const) {
  const plan = await data.repos.readers.explainFeed(kind, { readerId: 'x', now: new Date().toISOString(), limit: 21, before: null, since: null, asOf: null, unread: true })
  process.stdout.write(`plan per ${kind} follow: ${plan.join(' | ')}\n`)
}
process.stdout.write('\n')
for (const c of cases) {
  const result = await autocannon({ url: `${address}${c.path}`, connections: 1, duration: SECONDS, headers: { authorization: `Bearer ${c.token}` } })
  const verdict = c.name.startsWith('50 follows, newest') ? (result.latency.p99 < TARGET_P99_MS ? ` (target p99 < ${TARGET_P99_MS} ms: met)` : ` (target p99 < ${TARGET_P99_MS} ms: NOT met)`) : ''
  process.stdout.write(
    `${c.name}: ${c.path}\n  ${Math.round(result.requests.average)} req/s at 1 connection, latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms${verdict}, ` +
      `non-2xx ${result.non2xx}, errors ${result.errors}\n\n`,
  )
}
await app.close()
if (!keep) rmSync(dir, { recursive: true, force: true })
