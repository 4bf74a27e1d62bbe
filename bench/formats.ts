/**
 * What the output formats cost, to decide where they are made: at write time
 * (stored beside the JSON rendering, like it) or at read time (derived from
 * the stored JSON rendering). Run: npx tsx bench/formats.ts [N]
 *
 * Imports N generated articles (bench/generate.ts: ~800 words, photos, a
 * video, topics, credits) into a throwaway SQLite file with the archive import,
 * timed, then renders every stored article in each format, and builds feeds
 * of 20 items, timing each in CPU time of this process. Timings on a shared
 * machine are indicative only.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../src/app.js'
import { testConfig } from '../src/config.js'
import { writeArchive } from './generate.js'
import { renderArticle } from '../src/routes/formats.js'
import { formatContext } from '../src/formats/context.js'
import { buildFeed } from '../src/formats/feeds.js'
import { createArticleRenderer } from '../src/mappers/rendering.js'
import type { ArticleOut } from '../src/schemas/article.js'

const N = Number(process.argv[2] ?? 2000)
const dir = mkdtempSync(join(tmpdir(), 'newsdesk-formats-'))
const cpuMs = () => process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000
try {
  const archive = join(dir, 'archive.ndjson')
  await writeArchive(archive, N)
  const { app, services, data } = await buildApp(testConfig({ databasePath: join(dir, 'bench.db') }))
  let t0 = cpuMs()
  await services.archive.importArchive(createReadStream(archive))
  const importMs = cpuMs() - t0
  process.stdout.write(`import of ${N} articles: ${importMs.toFixed(0)} ms CPU (${(importMs / N).toFixed(3)} ms/article, of which the JSON rendering is part)\n`)

  const page = await services.articles.list({ limit: 100, status: 'published,draft,archived' }, { keyId: null, scope: 'admin' })
  let renderings = page.items
  for (let next = page.next; next !== null && renderings.length < N; ) {
    const more = await services.articles.list({ limit: 100, cursor: next, status: 'published,draft,archived' }, { keyId: null, scope: 'admin' })
    renderings = renderings.concat(more.items)
    next = more.next
  }
  const ctx = formatContext({ publicUrl: 'https://news.example' })
  const perArticle = (name: string, fn: (json: Buffer) => unknown) => {
    const start = cpuMs()
    for (const r of renderings) fn(r.json)
    const ms = (cpuMs() - start) / renderings.length
    process.stdout.write(`${name.padEnd(44)} ${(ms * 1000).toFixed(0).padStart(6)} µs/article\n`)
    return ms
  }
  // The JSON rendering as the write path makes it: map the aggregate and serialise (the aggregate loading is not counted).
  const aggregates = await data.repos.articles.aggregates(renderings.slice(0, 500).map((r) => r.articleId))
  const render = createArticleRenderer()
  t0 = cpuMs()
  for (const agg of aggregates) render(agg)
  process.stdout.write(`${'JSON rendering (write path, today)'.padEnd(44)} ${(((cpuMs() - t0) / aggregates.length) * 1000).toFixed(0).padStart(6)} µs/article\n`)
  perArticle('parse the stored JSON only', (json) => JSON.parse(json.toString('utf8')))
  const formats = ['jsonld', 'ninjs', 'ninjs3'] as const
  const total = formats.map((f) => perArticle(`${f} from the stored JSON`, (json) => renderArticle(f, json, ctx))).reduce((a, b) => a + b, 0)
  process.stdout.write(`storing all three at write time would add ~${(total * 1000).toFixed(0)} µs/article to every write and import (${((total * N) / 1000).toFixed(1)} s CPU for these ${N}), and ~${((renderings.reduce((s, r) => s + r.json.length, 0) / renderings.length) * 2.4 / 1024).toFixed(0)} KiB/article of storage\n`)
  const articles = renderings.slice(0, 20).map((r) => JSON.parse(r.json.toString('utf8')) as ArticleOut)
  for (const f of ['rss', 'atom', 'json'] as const) {
    for (const full of [false, true]) {
      const start = cpuMs()
      for (let i = 0; i < 200; i++) buildFeed(f, articles, { url: 'https://news.example/v1/feeds/latest', title: 't', description: 'd', link: 'https://news.example' }, ctx, { full })
      process.stdout.write(`${`feed of 20, ${f}${full ? ', full text' : ''}`.padEnd(44)} ${(((cpuMs() - start) / 200) * 1000).toFixed(0).padStart(6)} µs/feed\n`)
    }
  }
  await app.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
