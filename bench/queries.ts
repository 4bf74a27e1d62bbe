/**
 * Delivery benchmark: N articles (default 100,000) in a SQLite file, then
 * list, filter and search queries through HTTP on 127.0.0.1 with autocannon,
 * and SQLite's query plan for each. Run: npx tsx bench/queries.ts [N] [seconds]
 * Bounded: seeding is N creates; each load run lasts `seconds` (default 10).
 * BENCH_DIR=dir keeps the database there, and a later run reuses it without seeding.
 */
import autocannon from 'autocannon'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../src/app.js'
import { testConfig } from '../src/config.js'
import type { ArticleFilter, ArticleSort } from '../src/db/index.js'
import { atVersion } from '../src/services/preconditions.js'

const N = Number(process.argv[2] ?? 100_000)
const SECONDS = Number(process.argv[3] ?? 10)
const keep = process.env.BENCH_DIR
const dir = keep ?? mkdtempSync(join(tmpdir(), 'newsdesk-bench-'))
const reuse = keep !== undefined && existsSync(join(dir, 'bench.db'))
const { app, services, data } = await buildApp(testConfig({ databasePath: join(dir, 'bench.db'), rateLimitPerMinute: 0 }))
const editor = { keyId: null, scope: 'admin' as const }

const words = ['harbour', 'tunnel', 'council', 'election', 'ferry', 'storm', 'school', 'festival', 'budget', 'hospital', 'river', 'bridge', 'market', 'police', 'museum']
const pick = (i: number, k: number) => words[(i * 7 + k * 13) % words.length]!

const topicIds: string[] = []
if (reuse) {
  topicIds.push(...(await services.topics.list({ limit: 100 })).items.map((x) => x.id))
  process.stdout.write(`reusing ${dir}/bench.db\n\n`)
} else await seed()

async function seed() {
// Catalogue: a section tree, topics, contributors.
const news = await services.sections.create({ name: 'News' })
const world = await services.sections.create({ name: 'World', parentId: news.id })
const sectionIds = [news.id, world.id, (await services.sections.create({ name: 'Asia', parentId: world.id })).id, (await services.sections.create({ name: 'Sport' })).id]
for (let i = 0; i < 200; i++) topicIds.push((await services.topics.create({ kind: 'subject', name: `Topic ${i}` })).id)
const contributorIds: string[] = []
for (let i = 0; i < 100; i++) contributorIds.push((await services.contributors.create({ kind: 'person', name: `Reporter ${i}` })).id)

// Seeding only: trade durability for speed on this throwaway file.
data.sqlite!.pragma('synchronous = OFF')
const seedStart = Date.now()
for (let i = 0; i < N; i++) {
  const agg = await services.articles.create(
    {
      headlines: { basic: `The ${pick(i, 1)} ${pick(i, 2)} story number ${i}` },
      summary: `A standfirst about the ${pick(i, 3)} and the ${pick(i, 4)}.`,
      type: i % 10 === 0 ? 'brief' : 'news',
      sectionId: sectionIds[i % sectionIds.length]!,
      topics: [{ topicId: topicIds[i % topicIds.length]!, primary: true }, { topicId: topicIds[(i * 3 + 1) % topicIds.length]! }],
      credits: [{ contributorId: contributorIds[i % contributorIds.length]!, role: 'byline' }],
      body: [
        { type: 'paragraph', html: `The ${pick(i, 5)} met on <b>Tuesday</b> to discuss the ${pick(i, 6)} and the ${pick(i, 7)}.` },
        { type: 'paragraph', html: `Officials said the ${pick(i, 8)} would reopen after the ${pick(i, 9)}.` },
      ],
    },
    editor,
  )
  if (i % 5 !== 4) await services.articles.act(agg.article.id, atVersion(1), 'publish', editor)
  if (i > 0 && i % 10_000 === 0) process.stdout.write(`seeded ${i} (${Math.round(i / ((Date.now() - seedStart) / 1000))}/s)\n`)
}
data.sqlite!.pragma('synchronous = FULL')
data.sqlite!.exec('ANALYZE')
const seedSeconds = (Date.now() - seedStart) / 1000
process.stdout.write(`seeded ${N} articles (80% published) in ${seedSeconds.toFixed(0)} s\n\n`)
}

const address = await app.listen({ host: '127.0.0.1', port: 0 })
const oneSlug = (await services.articles.list({ limit: 1, sort: 'oldest' }, { keyId: null, scope: null })).items[0]!.articleId
const cases: { name: string; path: string; filter: ArticleFilter; sort: ArticleSort }[] = [
  { name: 'newest 20', path: '/v1/articles', filter: {}, sort: 'newest' },
  {
    name: 'three filters (section subtree + topic + type)',
    path: `/v1/articles?section=news&topic=${topicIds[7]}&type=news`,
    filter: { section: 'news', topicsAny: [topicIds[7]!], types: ['news'] },
    sort: 'newest',
  },
  {
    name: 'search + filter',
    path: `/v1/articles?q=harbour%20tunnel&section=news/world`,
    filter: { search: 'harbour tunnel', section: 'news/world' },
    sort: 'relevance',
  },
  { name: 'search, prefix', path: '/v1/articles?q=hosp*&limit=10', filter: { search: 'hosp*' }, sort: 'relevance' },
  { name: 'one article by slug', path: `/v1/articles/${oneSlug}`, filter: {}, sort: 'newest' },
]
for (const c of cases) {
  const plan = await data.repos.articles.explainList({ visibility: { publicOnly: true, now: new Date().toISOString() }, filter: c.filter, sort: c.sort, limit: 21, after: null })
  const result = await autocannon({ url: `${address}${c.path}`, connections: 8, duration: SECONDS })
  process.stdout.write(
    `${c.name}: ${c.path}\n  ${Math.round(result.requests.average)} req/s, latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
      `non-2xx ${result.non2xx}, errors ${result.errors}\n  plan: ${plan.join(' | ')}\n\n`,
  )
}
await app.close()
if (!keep) rmSync(dir, { recursive: true, force: true })
