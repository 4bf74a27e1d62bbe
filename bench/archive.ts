/**
 * Archive benchmark: N articles (default 100,000) with their catalogue and two
 * revisions each in a SQLite file, exported to NDJSON, imported into a fresh
 * database, and exported again to check the round trip. Each phase runs in its
 * own process, so its peak RSS (getrusage maxRSS, and RSS sampled while it runs)
 * is its own. Run: npx tsx bench/archive.ts [N]
 * Bounded: generation writes N articles in batches of 500 through the archive
 * repository (no HTTP), each later phase reads or writes the archive once.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { openDataLayer, type ArchiveEntry } from '../src/db/index.js'
import { bodyText, wordCount } from '../src/services/bodyText.js'
import { createArchiveService, type ArchiveProgress } from '../src/services/archive.js'
import type { BodyBlockValue } from '../src/schemas/article.js'

const MB = 1024 * 1024

/** An archive entry before it is given its line number. */
type EntryInput = ArchiveEntry extends infer E ? (E extends unknown ? Omit<E, 'line'> : never) : never

interface PhaseResult {
  phase: string
  seconds: number
  startRssMb: number
  peakRssMb: number
  maxRssMb: number
  note: string
}

/** RSS sampled on a timer and whenever the work reports progress (a batch is synchronous, so the timer waits for it). */
function rssSampler() {
  let peak = process.memoryUsage().rss
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }
  const timer = setInterval(sample, 25)
  return { sample, stop: () => (clearInterval(timer), sample(), peak) }
}

const words = ['harbour', 'tunnel', 'council', 'election', 'ferry', 'storm', 'school', 'festival', 'budget', 'hospital', 'river', 'bridge', 'market', 'police', 'museum']
const pick = (i: number, k: number) => words[(i * 7 + k * 13) % words.length]!
const id = (prefix: string, i: number) => `${prefix}${String(i).padStart(8, '0')}`
const at = (i: number, minutes = 0) => new Date(Date.UTC(2020, 0, 1) + i * 60_000 + minutes * 60_000).toISOString()

/** The catalogue and articles, written through the archive repository in batches, as an import would. */
async function generate(dbPath: string, n: number): Promise<string> {
  const data = await openDataLayer(dbPath)
  // Generation only: trade durability for speed on this throwaway file (the import phase keeps the real settings).
  data.sqlite!.pragma('synchronous = OFF')
  const repo = data.repos.archive
  const options = { at: at(0), revisionsIncluded: true }
  let batch: ArchiveEntry[] = []
  let line = 1
  const push = async (entry: EntryInput, flushable = true) => {
    if (flushable && batch.length >= 500) {
      const result = await repo.importBatch(batch, options)
      if (result.failed) throw new Error(`line ${result.failed.line}: ${JSON.stringify(result.failed.problem)}`)
      batch = []
    }
    batch.push({ ...entry, line: ++line } as ArchiveEntry)
  }
  const stamp = { version: 1, createdAt: at(0), updatedAt: at(0) }
  const sectionIds: string[] = []
  for (let r = 0; r < 5; r++) {
    const root = id('sec', r * 10)
    sectionIds.push(root)
    await push({ kind: 'section', data: { id: root, name: `Desk ${r}`, slug: `desk-${r}`, parentId: null, path: `desk-${r}`, description: null, ...stamp } })
    for (let c = 1; c <= 5; c++) {
      const child = id('sec', r * 10 + c)
      sectionIds.push(child)
      await push({ kind: 'section', data: { id: child, name: `Beat ${r}.${c}`, slug: `beat-${c}`, parentId: root, path: `desk-${r}/beat-${c}`, description: 'A beat.', ...stamp } })
    }
  }
  const topics = 500
  const contributors = 300
  for (let i = 0; i < topics; i++) {
    await push({ kind: 'topic', data: { id: id('top', i), kind: 'subject', name: `Topic ${i}`, slug: `topic-${i}`, description: null, aliases: [`T${i}`], ...stamp } })
  }
  for (let i = 0; i < contributors; i++) {
    await push({ kind: 'contributor', data: { id: id('con', i), kind: 'person', name: `Reporter ${i}`, slug: `reporter-${i}`, bio: null, avatarUrl: null, aliases: [], ...stamp } })
  }
  const media = Math.ceil(n / 2)
  for (let i = 0; i < media; i++) {
    await push({
      kind: 'media',
      data: {
        id: id('med', i), kind: 'image', url: `https://img.example.org/${i}.jpg`, mimeType: 'image/jpeg', width: 1600, height: 900, durationSeconds: null,
        sizeBytes: 250_000, alt: `Photo ${i}`, caption: `The ${pick(i, 1)} at dawn.`, credit: 'Photo: AP', copyright: null,
        renditions: [{ name: 'thumb', url: `https://img.example.org/${i}-t.jpg`, width: 320 }], ...stamp,
      },
    })
  }
  const statuses = ['published', 'published', 'published', 'draft', 'scheduled', 'archived'] as const
  for (let i = 0; i < n; i++) {
    const paragraph = (k: number) =>
      `The ${pick(i, k)} met on <b>Tuesday</b> to discuss the ${pick(i, k + 1)}, the ${pick(i, k + 2)} and the ${pick(i, k + 3)}; ` +
      `officials said the ${pick(i, k + 4)} would reopen after the ${pick(i, k + 5)} once the ${pick(i, k + 6)} had been inspected by engineers.`
    const mediaId = i % 2 === 0 ? id('med', i / 2) : null
    const body: BodyBlockValue[] = [
      { type: 'paragraph', html: paragraph(1) },
      { type: 'paragraph', html: paragraph(2) },
      ...(mediaId ? [{ type: 'image' as const, mediaId, caption: `Seen from the ${pick(i, 9)}.` }] : []),
      { type: 'paragraph', html: paragraph(3) },
      { type: 'ad', slot: 'ad-1' },
      { type: 'paragraph', html: paragraph(4) },
      { type: 'quote', text: `We will rebuild the ${pick(i, 5)}.`, attribution: 'The mayor' },
      { type: 'paragraph', html: paragraph(5) },
      ...(i % 10 === 0 ? [{ type: 'video' as const, url: `https://video.example.org/${i}`, title: 'Watch: the scene' }] : []),
    ]
    const status = statuses[i % statuses.length]!
    const published = status === 'published' || status === 'archived'
    const article = {
      id: id('art', i),
      slug: `the-${pick(i, 1)}-story-${i}`,
      type: i % 10 === 0 ? ('brief' as const) : ('news' as const),
      status,
      language: 'en',
      sectionId: sectionIds[i % sectionIds.length]!,
      headlines: { basic: `The ${pick(i, 1)} ${pick(i, 2)} story number ${i}`, ...(i % 3 === 0 ? { print: `${pick(i, 3)} story` } : {}) },
      summary: `A standfirst about the ${pick(i, 3)} and the ${pick(i, 4)}.`,
      leadMedia: mediaId ? { mediaId } : null,
      body,
      credits: [
        { contributorId: id('con', i % contributors), role: 'byline' as const },
        { contributorId: id('con', (i * 7 + 1) % contributors), role: 'additional-reporting' as const },
      ],
      topics: [
        { topicId: id('top', i % topics), primary: true },
        { topicId: id('top', (i * 3 + 1) % topics), primary: false },
        { topicId: id('top', (i * 11 + 2) % topics), primary: false },
      ].filter((t, k, all) => all.findIndex((u) => u.topicId === t.topicId) === k),
      printEdition: i % 3 === 0 ? { publication: 'The Courier', page: 'A1' } : null,
      corrections: i % 20 === 0 ? [{ at: at(i, 30), text: 'An earlier version misspelt the name of the bridge.' }] : [],
      canonicalUrl: null,
      wordCount: wordCount(body),
      contentHash: null,
      version: 2,
      createdAt: at(i),
      updatedAt: at(i, 10),
      listedAt: published ? at(i, 10) : at(i),
      firstPublishedAt: published ? at(i, 10) : null,
      publishedAt: published ? at(i, 10) : null,
      scheduledAt: status === 'scheduled' ? '2030-01-01T00:00:00.000Z' : null,
      embargoUntil: null,
    }
    await push({ kind: 'article', data: article, bodyText: bodyText(body, { captions: true }) })
    const { id: articleId, credits, topics: topicList, contentHash: _h, version: _v, createdAt: _c, updatedAt: _u, listedAt: _l, ...rest } = article
    const snapshot = { ...rest, credits, topics: topicList }
    await push({ kind: 'revision', data: { articleId, version: 1, createdAt: at(i), actorKeyId: null, message: 'created', snapshot: { ...snapshot, status: 'draft', firstPublishedAt: null, publishedAt: null, scheduledAt: null } } }, false)
    await push({ kind: 'revision', data: { articleId, version: 2, createdAt: at(i, 10), actorKeyId: null, message: status, snapshot } }, false)
  }
  const result = await repo.importBatch(batch, options)
  if (result.failed) throw new Error(`line ${result.failed.line}: ${JSON.stringify(result.failed.problem)}`)
  await data.close()
  return `${n} articles, ${media} media, ${topics} topics, ${contributors} contributors, ${sectionIds.length} sections, ${2 * n} revisions`
}

async function exportTo(dbPath: string, file: string, onProgress: (p: ArchiveProgress) => void): Promise<string> {
  const data = await openDataLayer(dbPath)
  try {
    const service = createArchiveService(data.repos.archive)
    await pipeline(Readable.from(service.exportArchive({ revisions: true, onProgress }), { objectMode: false }), createWriteStream(file))
    return `${(statSync(file).size / MB).toFixed(0)} MiB archive`
  } finally {
    await data.close()
  }
}

async function importFrom(dbPath: string, file: string, onProgress: (p: ArchiveProgress) => void): Promise<string> {
  const data = await openDataLayer(dbPath)
  try {
    const service = createArchiveService(data.repos.archive)
    const summary = await service.importArchive(createReadStream(file, { highWaterMark: MB }), { onProgress })
    if (summary.failed) throw new Error(`import failed at line ${summary.failed.line}: ${summary.failed.error}`)
    return `${summary.lines} lines: ${summary.imported.articles} articles, ${summary.imported.revisions} revisions, ${summary.imported.media} media imported`
  } finally {
    await data.close()
  }
}

/** The hash of a file from its second line on (the header holds the export time). */
async function hashAfterHeader(file: string): Promise<string> {
  const hash = createHash('sha256')
  let first = true
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!first) hash.update(`${line}\n`)
    first = false
  }
  return hash.digest('hex')
}

async function runPhase(phase: string, dir: string, n: number): Promise<void> {
  const startRss = process.memoryUsage().rss
  const sampler = rssSampler()
  const started = process.hrtime.bigint()
  const progress = () => sampler.sample()
  let note: string
  if (phase === 'generate') note = await generate(join(dir, 'a.db'), n)
  else if (phase === 'export') note = await exportTo(join(dir, 'a.db'), join(dir, 'a.ndjson'), progress)
  else if (phase === 'import') note = await importFrom(join(dir, 'b.db'), join(dir, 'a.ndjson'), progress)
  else if (phase === 're-export') note = await exportTo(join(dir, 'b.db'), join(dir, 'b.ndjson'), progress)
  else throw new Error(`unknown phase ${phase}`)
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const peak = sampler.stop()
  const result: PhaseResult = {
    phase,
    seconds: Math.round(seconds * 10) / 10,
    startRssMb: Math.round(startRss / MB),
    peakRssMb: Math.round(peak / MB),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    note,
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

const self = fileURLToPath(import.meta.url)
if (process.argv[2] === '--phase') {
  await runPhase(process.argv[3]!, process.argv[4]!, Number(process.argv[5]))
} else {
  const n = Number(process.argv[2] ?? 100_000)
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-archive-bench-'))
  try {
    const results: PhaseResult[] = []
    for (const phase of ['generate', 'export', 'import', 're-export']) {
      const run = spawnSync(process.execPath, ['--import', 'tsx', self, '--phase', phase, dir, String(n)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 })
      if (run.status !== 0) throw new Error(`phase ${phase} failed (${run.status ?? run.signal})`)
      const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as PhaseResult
      results.push(result)
      process.stdout.write(
        `${result.phase.padEnd(10)} ${String(result.seconds).padStart(7)} s   RSS at start ${String(result.startRssMb).padStart(4)} MiB, ` +
          `peak sampled ${String(result.peakRssMb).padStart(4)} MiB, maxRSS ${String(result.maxRssMb).padStart(4)} MiB   ${result.note}\n`,
      )
    }
    const same = (await hashAfterHeader(join(dir, 'a.ndjson'))) === (await hashAfterHeader(join(dir, 'b.ndjson')))
    process.stdout.write(`round trip: the second export is ${same ? 'identical to' : 'DIFFERENT from'} the first (after the header)\n`)
    if (!same) process.exitCode = 1
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
