/**
 * A realistic archive for the benchmark, written as a Newsdesk NDJSON archive
 * (src/schemas/archive.ts describes the format) so that it goes in through the
 * public bulk import path. Deterministic: the same N gives the same file.
 *
 * Each article: ~800 words in paragraph blocks, with a lead photo, an in-body
 * photo, a video and two ad slots, 3-6 topics (a few of them popular), a byline
 * and a photo credit, a section, one revision. Two planted words make the search
 * scenarios: RARE_WORD in about 1 article in 500, COMMON_WORD in 9 in 10.
 */
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import type { Writable } from 'node:stream'

export const RARE_WORD = 'zeppelin'
export const COMMON_WORD = 'newsroom'

const SECTION_DESKS = 5
const BEATS_PER_DESK = 5
const TOPICS = 500
/** Topics 0..HOT_TOPICS-1 are popular: every article has one of them. */
const HOT_TOPICS = 20
const CONTRIBUTORS = 300
const BASE_TIME = Date.UTC(2022, 0, 1)
const MINUTES_APART = 10

// prettier-ignore
const VOCABULARY = (
  'council mayor harbour tunnel election ferry storm school festival budget hospital river bridge market police museum ' +
  'minister parliament vote tax housing rent transport railway station airport flight weather flood drought farmer harvest ' +
  'court judge trial verdict report inquiry union strike wage worker factory company profit shares investor bank rate ' +
  'inflation price energy power grid wind solar climate carbon emission forest wildlife park beach coast island village ' +
  'city district street neighbour family child teacher student university research science doctor nurse patient vaccine ' +
  'health clinic ambulance fire crew rescue volunteer charity church concert theatre film artist gallery book author ' +
  'library match team coach player season league final goal record champion stadium crowd fans ticket museum history ' +
  'war peace treaty border migrant refugee embassy summit leader president opposition party campaign poll survey data'
).split(' ')
const FILLER = 'the a of to and in on for with at by from after before over under about against during'.split(' ')

/** A small seeded PRNG (mulberry32), so the archive is the same on every run. */
function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface Manifest {
  articles: number
  /** Published articles (what anonymous readers see): id and slug. */
  published: { id: string; slug: string }[]
  /** Query strings of the filtered-list scenario: a desk, a popular topic and a date window that match articles. */
  filterQueries: string[]
  /** The body of a create request for the write mix (its headline has __N__ to make it unique). */
  createBody: string
  counts: { sections: number; topics: number; contributors: number; media: number; articles: number; revisions: number }
}

const pad = (n: number) => String(n).padStart(7, '0')
const iso = (ms: number) => new Date(ms).toISOString()
const sectionId = (desk: number, beat: number) => `sec-${desk}-${beat}`
const topicId = (t: number) => `top-${pad(t)}`
const contributorId = (c: number) => `con-${pad(c)}`
const articleId = (i: number) => `art-${pad(i)}`

function makeText(rand: () => number) {
  const word = () => (rand() < 0.35 ? FILLER[Math.floor(rand() * FILLER.length)]! : VOCABULARY[Math.floor(rand() * VOCABULARY.length)]!)
  const sentence = (words: number, planted?: string) => {
    const out: string[] = []
    for (let k = 0; k < words; k++) out.push(word())
    if (planted) out.splice(Math.floor(rand() * out.length), 0, planted)
    const s = out.join(' ')
    return `${s[0]!.toUpperCase()}${s.slice(1)}.`
  }
  /** A paragraph of about `words` words; `planted` goes into its first sentence. */
  const paragraph = (words: number, planted?: string) => {
    const sentences: string[] = []
    for (let left = words, first = true; left > 0; first = false) {
      const n = Math.min(left, 10 + Math.floor(rand() * 12))
      sentences.push(sentence(n, first ? planted : undefined))
      left -= n
    }
    return sentences.join(' ')
  }
  return { word, sentence, paragraph }
}

const countWords = (s: string) => s.split(/\s+/).filter((w) => w.length > 0).length

type Block = Record<string, unknown> & { type: string }

function articleBody(i: number, rand: () => number, text: ReturnType<typeof makeText>, inBodyMediaId: string) {
  const paragraphs = 10 + Math.floor(rand() * 3)
  const plantCommon = rand() < 0.9
  const plantRare = i % 500 === 7
  const body: Block[] = []
  let words = 0
  for (let p = 0; p < paragraphs; p++) {
    const planted = p === 1 && plantCommon ? COMMON_WORD : p === 2 && plantRare ? RARE_WORD : undefined
    let html = text.paragraph(60 + Math.floor(rand() * 30), planted)
    if (p % 4 === 3) html = html.replace(/^(\S+ \S+)/, '<em>$1</em>')
    words += countWords(html.replace(/<[^>]+>/g, ''))
    body.push({ type: 'paragraph', html })
    if (p === 2) body.push({ type: 'image', mediaId: inBodyMediaId, caption: text.sentence(8) })
    if (p === 4 || p === 8) body.push({ type: 'ad', slot: `inline-${p === 4 ? 1 : 2}` })
    if (p === 6) body.push({ type: 'video', url: `https://video.example.org/watch/${i}`, title: text.sentence(5) })
  }
  return { body, words }
}

/** Writes an archive of `n` articles to `file`; `onArticle` is told each article written (for a progress bar). */
export async function writeArchive(file: string, n: number, onArticle: (done: number) => void = () => {}): Promise<Manifest> {
  const out = createWriteStream(file, { highWaterMark: 1024 * 1024 })
  const write = async (out: Writable, line: unknown) => {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain')
  }
  const rand = prng(20260101 + n)
  const text = makeText(rand)
  const stamp = (ms: number) => ({ version: 1, createdAt: iso(ms), updatedAt: iso(ms) })
  const counts = { sections: SECTION_DESKS * (BEATS_PER_DESK + 1), topics: TOPICS, contributors: CONTRIBUTORS, media: 2 * n, articles: n, revisions: n }
  let records = 0
  const record = async (kind: string, data: unknown) => {
    records += 1
    await write(out, { kind, data })
  }

  await write(out, { kind: 'header', format: 'newsdesk-archive', version: 1, exportedAt: iso(BASE_TIME), revisions: true, counts })
  for (let d = 0; d < SECTION_DESKS; d++) {
    await record('section', { id: sectionId(d, 0), name: `Desk ${d}`, slug: `desk-${d}`, parentId: null, path: `desk-${d}`, description: null, ...stamp(BASE_TIME) })
    for (let b = 1; b <= BEATS_PER_DESK; b++) {
      await record('section', {
        id: sectionId(d, b), name: `Beat ${d}.${b}`, slug: `beat-${b}`, parentId: sectionId(d, 0), path: `desk-${d}/beat-${b}`, description: 'A beat.', ...stamp(BASE_TIME),
      })
    }
  }
  for (let t = 0; t < TOPICS; t++) {
    await record('topic', { id: topicId(t), kind: 'subject', name: `Topic ${t}`, slug: `topic-${t}`, description: null, aliases: [], ...stamp(BASE_TIME) })
  }
  for (let c = 0; c < CONTRIBUTORS; c++) {
    await record('contributor', {
      id: contributorId(c), kind: 'person', name: `Reporter ${c}`, slug: `reporter-${c}`, bio: 'Covers the city.', avatarUrl: null, aliases: [], ...stamp(BASE_TIME),
    })
  }
  for (let m = 0; m < 2 * n; m++) {
    await record('media', {
      id: `med-${pad(m)}`, kind: 'image', url: `https://img.example.org/${m}.jpg`, mimeType: 'image/jpeg', width: 1600, height: 900, durationSeconds: null,
      sizeBytes: 250_000 + (m % 1000), alt: text.sentence(6), caption: text.sentence(10), credit: 'Photo: Newsdesk', copyright: null,
      renditions: [{ name: 'thumb', url: `https://img.example.org/${m}-320.jpg`, width: 320 }, { name: 'large', url: `https://img.example.org/${m}-1280.jpg`, width: 1280 }],
      ...stamp(BASE_TIME),
    })
  }

  const published: Manifest['published'] = []
  for (let i = 0; i < n; i++) {
    const at = BASE_TIME + i * MINUTES_APART * 60_000
    const status = i % 50 === 13 ? 'draft' : i % 50 === 29 ? 'archived' : 'published'
    const isPublic = status !== 'draft'
    const { body, words } = articleBody(i, rand, text, `med-${pad(2 * i + 1)}`)
    const topicCount = 3 + Math.floor(rand() * 4)
    const topicSet = new Set([Math.floor(rand() * HOT_TOPICS)])
    while (topicSet.size < topicCount) topicSet.add(Math.floor(rand() * TOPICS))
    const headline = text.sentence(8 + Math.floor(rand() * 5)).slice(0, -1)
    const slug = `${headline.toLowerCase().split(' ').slice(0, 6).join('-')}-${i}`
    const content = {
      slug,
      type: i % 10 === 0 ? 'feature' : 'news',
      status,
      language: 'en',
      sectionId: sectionId(i % SECTION_DESKS, 1 + Math.floor(rand() * BEATS_PER_DESK)),
      headlines: { basic: headline, ...(i % 3 === 0 ? { print: headline.split(' ').slice(0, 4).join(' ') } : {}) },
      summary: text.sentence(25),
      leadMedia: { mediaId: `med-${pad(2 * i)}` },
      body,
      credits: [
        { contributorId: contributorId(i % CONTRIBUTORS), role: 'byline' },
        { contributorId: contributorId((i * 7 + 3) % CONTRIBUTORS), role: 'photo' },
      ],
      topics: [...topicSet].map((t, k) => ({ topicId: topicId(t), primary: k === 0 })),
      printEdition: i % 3 === 0 ? { publication: 'The Courier', page: 'A1' } : null,
      corrections: i % 40 === 0 ? [{ at: iso(at + 3_600_000), text: 'An earlier version misspelt a name.' }] : [],
      canonicalUrl: null,
      wordCount: words,
      firstPublishedAt: isPublic ? iso(at) : null,
      publishedAt: isPublic ? iso(at) : null,
      scheduledAt: null,
      embargoUntil: null,
    }
    await record('article', { id: articleId(i), ...content, contentHash: null, version: 1, createdAt: iso(at), updatedAt: iso(at), listedAt: iso(at) })
    const { topics, ...rest } = content
    await record('revision', { articleId: articleId(i), version: 1, createdAt: iso(at), actorKeyId: null, message: 'imported', snapshot: { ...rest, topics } })
    if (status === 'published') published.push({ id: articleId(i), slug })
    if (i % 100 === 99 || i === n - 1) onArticle(i + 1)
  }
  await write(out, { kind: 'end', records })
  out.end()
  await once(out, 'finish')

  // Filtered lists: a desk (with its beats), a popular topic, and a window over the middle half of the archive.
  const from = iso(BASE_TIME + Math.floor(n / 4) * MINUTES_APART * 60_000)
  const to = iso(BASE_TIME + Math.floor((3 * n) / 4) * MINUTES_APART * 60_000)
  const filterQueries: string[] = []
  for (let d = 0; d < SECTION_DESKS; d++) {
    for (let t = 0; t < HOT_TOPICS; t++) filterQueries.push(`section=desk-${d}&topic=topic-${t}&publishedFrom=${from}&publishedTo=${to}&limit=20`)
  }
  const createRand = prng(7)
  const createText = makeText(createRand)
  const { body } = articleBody(1, createRand, createText, `med-${pad(1)}`)
  const createBody = JSON.stringify({
    headlines: { basic: `Benchmark write __N__: ${createText.sentence(6).slice(0, -1)}` },
    summary: createText.sentence(20),
    sectionId: sectionId(0, 1),
    body,
    credits: [{ contributorId: contributorId(0), role: 'byline' }],
    topics: [{ topicId: topicId(0), primary: true }, { topicId: topicId(42) }, { topicId: topicId(99) }],
  })
  return { articles: n, published, filterQueries, createBody, counts }
}
