import t from 'tap'
import { testApp, type TestApp } from '../helpers.js'
import type { Actor } from '../../src/services/actor.js'
import type { ArticleCreateBody } from '../../src/schemas/article.js'
import { createArchiveService, describeArchiveProblem, ndjsonLines, type ArchiveImportSummary } from '../../src/services/archive.js'
import { openDataLayer, type ArchiveEntry, type ArchiveReader, type ArchiveRepository } from '../../src/db/index.js'
import { createServices } from '../../src/services/index.js'
import { ANY_VERSION, atVersion } from '../../src/services/preconditions.js'

const admin: Actor = { keyId: null, scope: 'admin' }
const DAY = 24 * 60 * 60 * 1000
const future = (days: number) => new Date(Date.now() + days * DAY).toISOString()

/** Collects an export into one string. */
async function collect(lines: AsyncIterable<string>): Promise<string> {
  let text = ''
  for await (const chunk of lines) text += chunk
  return text
}

/** The archive text as a byte stream, in small pieces (so that lines span chunks). */
async function* bytes(text: string, size = 1000): AsyncGenerator<Buffer> {
  const all = Buffer.from(text)
  for (let i = 0; i < all.length; i += size) yield all.subarray(i, i + size)
}

/** Services on a fresh in-memory database, without the HTTP layer (quicker to make than a whole app). */
async function fresh(t: { teardown(fn: () => unknown): void }) {
  const data = await openDataLayer(':memory:')
  t.teardown(() => data.close())
  return createServices(data.repos)
}

const afterHeader = (text: string) => text.slice(text.indexOf('\n') + 1)
const headerOf = (text: string) => JSON.parse(text.slice(0, text.indexOf('\n'))) as Record<string, unknown>

/**
 * A newsroom with everything an archive holds: a section tree, topics,
 * contributors, photo and video media, and articles in every status with
 * credits, topics, lead media, image/video/ad blocks, corrections and revisions.
 */
async function newsroom(h: TestApp) {
  const s = h.services
  const news = await s.sections.create({ name: 'News' })
  const world = await s.sections.create({ name: 'World', parentId: news.id, description: 'Beyond our borders' })
  const asia = await s.sections.create({ name: 'Asia', parentId: world.id })
  await s.sections.create({ name: 'Sport' })
  const trump = await s.topics.create({ kind: 'person', name: 'Donald Trump', aliases: ['Trump'] })
  const putin = await s.topics.create({ kind: 'person', name: 'Vladimir Putin', aliases: ['Putin'], description: 'President of Russia' })
  const ukraine = await s.topics.create({ kind: 'place', name: 'Ukraine' })
  const ap = await s.contributors.create({ kind: 'agency', name: 'Associated Press', aliases: ['AP'] })
  const lena = await s.contributors.create({ kind: 'person', name: 'Lena Marsh', bio: 'Covers diplomacy.', avatarUrl: 'https://img.example.org/lena.jpg' })
  const photo = await s.media.create({
    kind: 'image', url: 'https://img.example.org/call.jpg', mimeType: 'image/jpeg', width: 1200, height: 800, alt: 'The two leaders',
    caption: 'Trump and Putin in 2018', credit: 'Photo: AP', renditions: [{ name: 'thumb', url: 'https://img.example.org/call-t.jpg', width: 300 }],
  })
  const clip = await s.media.create({ kind: 'video', url: 'https://video.example.org/call.mp4', durationSeconds: 95, caption: 'Watch: the call' })
  await s.media.create({ kind: 'audio', caption: 'An unused clip' })

  const story = (headline: string, extra: object = {}): ArticleCreateBody => ({
    headlines: { basic: headline, print: `${headline} (print)`, seo: `${headline} | News`, social: `${headline}!` },
    summary: 'The two leaders spoke for ninety minutes.',
    sectionId: asia.id,
    leadMedia: { mediaId: photo.id, caption: 'The leaders, in an earlier meeting', credit: 'AP' },
    body: [
      { type: 'paragraph', html: 'The call lasted <strong>ninety minutes</strong>, <a href="https://example.org/">aides said</a>.' },
      { type: 'image', mediaId: photo.id, caption: 'A caption of its own' },
      { type: 'ad', slot: 'ad-1' },
      { type: 'video', mediaId: clip.id, title: 'Watch: the call' },
      { type: 'heading', level: 2, text: 'What comes next' },
      { type: 'quote', text: 'We agreed to meet.', attribution: 'A spokesman' },
      { type: 'list', ordered: true, items: ['Talks', 'A summit'] },
      { type: 'video', url: 'https://video.example.org/extra', title: 'Watch: the briefing' },
      { type: 'embed', provider: 'x', url: 'https://x.example.org/post/1' },
      { type: 'ad', slot: 'ad-2' },
      { type: 'paragraph', html: 'With additional reporting by the <em>Associated Press</em>' },
    ],
    credits: [
      { contributorId: lena.id, role: 'byline' },
      { contributorId: ap.id, role: 'additional-reporting' },
      { contributorId: ap.id, role: 'photo' },
    ],
    topics: [{ topicId: trump.id, primary: true }, { topicId: putin.id }, { topicId: ukraine.id }],
    printEdition: { publication: 'South China Morning Post', section: 'World', page: 'A4', editionDate: '2025-02-13' },
    canonicalUrl: 'https://news.example.org/world/asia/call',
    ...extra,
  }) as ArticleCreateBody
  const a = s.articles
  const ids: Record<string, string> = {}
  ids.draft = (await a.create(story('Secret draft about the harbour tunnel'), admin)).article.id
  ids.published = (await a.create(story('Trump and Putin agree to talks'), admin)).article.id
  await a.act(ids.published, ANY_VERSION, 'publish', admin)
  await a.patch(ids.published, ANY_VERSION, { summary: 'An updated standfirst.', message: 'standfirst' }, admin)
  await a.correct(ids.published, ANY_VERSION, 'An earlier version misnamed the city.', admin)
  ids.scheduled = (await a.create(story('Summit date to be announced'), admin)).article.id
  await a.act(ids.scheduled, ANY_VERSION, 'schedule', admin, { at: future(2) })
  ids.archived = (await a.create(story('Old talks collapse'), admin)).article.id
  await a.act(ids.archived, ANY_VERSION, 'publish', admin)
  await a.act(ids.archived, ANY_VERSION, 'archive', admin)
  ids.embargoed = (await a.create(story('Embargoed report on the call', { embargoUntil: future(1) }), admin)).article.id
  await a.act(ids.embargoed, ANY_VERSION, 'publish', admin)
  ids.unpublished = (await a.create(story('Pulled story'), admin)).article.id
  await a.act(ids.unpublished, ANY_VERSION, 'publish', admin)
  await a.act(ids.unpublished, ANY_VERSION, 'unpublish', admin)
  ids.minimal = (await a.create({ headlines: { basic: 'A brief with nothing else' }, body: [], type: 'brief', language: 'fr' }, admin)).article.id
  await a.act(ids.minimal, ANY_VERSION, 'publish', admin)
  return ids
}

/** A synthetic archive: one section, topic and contributor, then `n` articles (odd ones drafts). Lines, without newlines. */
function synthetic(n: number): string[] {
  const at = '2024-05-01T10:00:00.000Z'
  const stamp = { version: 1, createdAt: at, updatedAt: at }
  const records: object[] = [
    { kind: 'section', data: { id: 'sec-news', name: 'News', slug: 'news', parentId: null, path: 'news', description: null, ...stamp } },
    { kind: 'topic', data: { id: 'top-harbour', kind: 'subject', name: 'Harbour', slug: 'harbour', description: null, aliases: [], ...stamp } },
    { kind: 'contributor', data: { id: 'con-lena', kind: 'person', name: 'Lena Marsh', slug: 'lena-marsh', bio: null, avatarUrl: null, aliases: [], ...stamp } },
  ]
  for (let i = 0; i < n; i++) {
    const published = i % 2 === 0
    records.push({
      kind: 'article',
      data: {
        id: `art-${String(i).padStart(6, '0')}`, slug: `story-${i}`, type: 'news', status: published ? 'published' : 'draft', language: 'en',
        sectionId: 'sec-news', headlines: { basic: `Story ${i}` }, summary: null, leadMedia: null,
        body: [{ type: 'paragraph', html: `Ferry story ${published ? 'public' : 'secret'} number ${i}` }],
        credits: [{ contributorId: 'con-lena', role: 'byline' }], topics: [{ topicId: 'top-harbour', primary: true }],
        printEdition: null, corrections: [], canonicalUrl: null, wordCount: 5, contentHash: null, version: 1,
        createdAt: at, updatedAt: at, listedAt: at, firstPublishedAt: published ? at : null, publishedAt: published ? at : null, scheduledAt: null, embargoUntil: null,
      },
    })
  }
  const counts = { sections: 1, topics: 1, contributors: 1, media: 0, articles: n, revisions: 0 }
  const header = { kind: 'header', format: 'newsdesk-archive', version: 1, exportedAt: at, revisions: false, counts }
  return [header, ...records, { kind: 'end', records: records.length }].map((r) => JSON.stringify(r))
}
const text = (lines: string[]) => `${lines.join('\n')}\n`

async function articleIds(h: TestApp): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | undefined
  do {
    const page = await h.services.articles.list({ limit: 100, ...(cursor ? { cursor } : {}) }, admin)
    ids.push(...page.items.map((i) => i.articleId))
    cursor = page.next ?? undefined
  } while (cursor)
  return ids.sort()
}

async function changeCount(h: TestApp): Promise<number> {
  return (await h.services.articles.changes({ limit: 1000 }, admin)).items.length
}

t.test('round trip: export, import into a fresh app, export again gives the same archive and the same API reads', async (t) => {
  const a = await testApp(t)
  const ids = await newsroom(a)
  const first = await collect(a.services.archive.exportArchive({ revisions: true }))
  const header = headerOf(first)
  t.match(header, { kind: 'header', format: 'newsdesk-archive', version: 1, revisions: true, counts: { sections: 4, topics: 3, contributors: 2, media: 3, articles: 7 } })
  const kinds = first.trim().split('\n').map((l) => (JSON.parse(l) as { kind: string }).kind)
  t.same([...new Set(kinds)], ['header', 'section', 'topic', 'contributor', 'media', 'article', 'revision', 'end'], 'catalogue first, then articles with their revisions')
  t.ok((header.counts as { revisions: number }).revisions >= 14, 'revisions included')

  const b = await testApp(t)
  const summary = await b.services.archive.importArchive(bytes(first))
  t.equal(summary.failed, null)
  t.same(summary.imported, header.counts, 'every record imported')
  t.equal(summary.lines, kinds.length)

  const second = await collect(b.services.archive.exportArchive({ revisions: true }))
  t.equal(afterHeader(second), afterHeader(first), 'byte-identical after the header')
  t.same({ ...headerOf(second), exportedAt: null }, { ...header, exportedAt: null }, 'the headers differ only in exportedAt')

  t.same(await articleIds(b), await articleIds(a))
  // Every article as an editor and as an anonymous reader (drafts and the embargoed one are 404s to both apps).
  const without = (body: string) => ({ ...(JSON.parse(body) as object), requestId: undefined })
  for (const id of Object.values(ids)) {
    for (const who of ['admin', 'anonymous'] as const) {
      const [x, y] = await Promise.all([a, b].map((h) => h.app.inject({ url: `/v1/articles/${id}`, headers: who === 'admin' ? h.as.admin : {} })))
      t.equal(y!.statusCode, x!.statusCode, `${id} as ${who}: the same status`)
      t.same(without(y!.body), without(x!.body), `${id} as ${who}: the same body`)
      t.equal(y!.headers.etag, x!.headers.etag, `${id} as ${who}: the same ETag`)
    }
    const revisions = await Promise.all([a, b].map((h) => h.app.inject({ url: `/v1/articles/${id}/revisions?limit=100`, headers: h.as.admin })))
    t.equal(revisions[1]!.body, revisions[0]!.body, `${id} has the same revisions`)
  }
  const search = (h: TestApp) => h.app.inject({ url: '/v1/articles?q=ninety' }).then((r) => r.json().data.map((d: { id: string }) => d.id).sort())
  t.same(await search(b), await search(a), 'search finds the same articles (the index was built on import)')
  t.ok((await search(b)).includes(ids.published))

  const again = await b.services.archive.importArchive(bytes(first))
  t.same(again.imported, { sections: 0, topics: 0, contributors: 0, media: 0, articles: 0, revisions: 0 }, 'importing it again writes nothing')
  t.same(again.unchanged, header.counts)
})

t.test('an archive without revisions gives each imported article one revision of its imported state', async (t) => {
  const a = await testApp(t)
  const ids = await newsroom(a)
  const archive = await collect(a.services.archive.exportArchive({ revisions: false }))
  t.notMatch(archive, /"kind":"revision"/)
  t.match(headerOf(archive), { revisions: false, counts: { revisions: 0 } })
  const b = await testApp(t)
  t.equal((await b.services.archive.importArchive(bytes(archive))).failed, null)
  const read = (h: TestApp) => h.app.inject({ url: `/v1/articles/${ids.published}`, headers: h.as.admin })
  t.equal((await read(b)).body, (await read(a)).body)
  const revisions = (await b.app.inject({ url: `/v1/articles/${ids.published}/revisions`, headers: b.as.admin })).json().data
  t.match(revisions, [{ version: 4, message: 'imported from an archive' }])
  t.equal(revisions.length, 1)
  t.equal(afterHeader(await collect(b.services.archive.exportArchive({ revisions: false }))), afterHeader(archive))
})

t.test('a bad line stops the import: earlier batches stay, its batch is rolled back, and a resume completes it', async (t) => {
  const h = await testApp(t)
  const lines = synthetic(40)
  // Line numbers are 1-based: line 1 is the header, 2-4 the catalogue, 5-44 the articles, 45 the end.
  const broken = [...lines]
  broken[25] = '{"kind":"article","data":' // line 26: cut off
  const summary = await h.services.archive.importArchive(bytes(text(broken)), { batchSize: 10 })
  t.match(summary.failed, { line: 26, error: /^not valid JSON/ })
  t.equal(summary.resumeFrom, 22, 'the batch of lines 22-31 was not imported')
  t.same(summary.imported, { sections: 1, topics: 1, contributors: 1, media: 0, articles: 17, revisions: 0 }, 'lines 2-21 were')
  const ids = await articleIds(h)
  t.equal(ids.length, 17)
  t.equal(ids[ids.length - 1], 'art-000016', 'the article on line 21 is the last one')

  // A reference that fails inside the transaction rolls back what the batch wrote before it.
  const dangling = [...lines]
  dangling[26] = lines[26]!.replace('"top-harbour"', '"top-nowhere"') // line 27
  const second = await h.services.archive.importArchive(bytes(text(dangling)), { batchSize: 10, resumeFrom: 22 })
  t.match(second.failed, { line: 27, error: "/data/topics/0/topicId: no topic 'top-nowhere' in the database or earlier in the archive" })
  t.equal(second.resumeFrom, 22)
  t.same(second.imported.articles, 0)
  t.equal((await articleIds(h)).length, 17, 'lines 22-26 were written and rolled back')

  const resumed = await h.services.archive.importArchive(bytes(text(lines)), { batchSize: 10, resumeFrom: summary.resumeFrom! })
  t.equal(resumed.failed, null)
  t.same(resumed.imported, { sections: 0, topics: 0, contributors: 0, media: 0, articles: 23, revisions: 0 }, 'the lines before 22 were skipped')
  t.equal((await articleIds(h)).length, 40)

  const changes = await changeCount(h)
  const rerun = await h.services.archive.importArchive(bytes(text(lines)), { batchSize: 10 })
  t.equal(rerun.failed, null)
  t.same(rerun.unchanged, { sections: 1, topics: 1, contributors: 1, media: 0, articles: 40, revisions: 0 }, 'a rerun of the whole file finds every row imported')
  t.equal(await changeCount(h), changes, 'and records no change')

  const beyond = await h.services.archive.importArchive(bytes(text(lines)), { resumeFrom: 1000 })
  t.match(beyond, { failed: null, imported: { articles: 0 }, unchanged: { articles: 0 } }, 'resuming past the end reads only the header and the end line')
})

t.test('on a database file, the export reads one snapshot while writers carry on', async (t) => {
  const data = await openDataLayer(`${t.testdir()}/newsdesk.db`)
  t.teardown(() => data.close())
  const services = createServices(data.repos)
  t.equal((await services.archive.importArchive(bytes(text(synthetic(3))))).failed, null)
  const reader = await data.repos.archive.openReader()
  try {
    await services.topics.create({ kind: 'subject', name: 'Ferries' })
    await services.articles.create({ headlines: { basic: 'Written during the export' }, body: [] }, admin)
    await services.articles.patch('art-000000', ANY_VERSION, { summary: 'Edited during the export.' }, admin)
    t.match(await reader.counts(false), { topics: 1, articles: 3 }, 'the counts are those of the snapshot')
    t.equal((await reader.topics(null, 10)).length, 1)
    const articles = await reader.articles(null, 10)
    t.same(articles.map((a) => a.id), ['art-000000', 'art-000001', 'art-000002'])
    t.match(articles[0], { version: 1, summary: null }, 'as it was when the export began')
  } finally {
    await reader.close()
  }
  t.equal((await services.articles.list({ limit: 10 }, admin)).items.length, 4, 'the writes went through')
})

t.test('each kind of bad line is named with its line number', async (t) => {
  const lines = synthetic(3)
  const header = JSON.parse(lines[0]!)
  const article = JSON.parse(lines[4]!)
  const cases: [string, string[], number, RegExp | string][] = [
    ['not JSON', [...lines.slice(0, 4), 'not json', ...lines.slice(5)], 5, /^not valid JSON/],
    ['an unknown kind', [...lines.slice(0, 4), '{"kind":"poll","data":{}}', ...lines.slice(5)], 5, "/kind 'poll' is not a known line kind"],
    ['an unknown property', [...lines.slice(0, 4), JSON.stringify({ ...article, data: { ...article.data, mood: 'happy' } }), ...lines.slice(5)], 5, '/data/mood is not a known property'],
    ['a missing property', [...lines.slice(0, 4), JSON.stringify({ ...article, data: { ...article.data, slug: undefined } }), ...lines.slice(5)], 5, '/data/slug is required'],
    ['an unknown block type', [...lines.slice(0, 4), JSON.stringify({ ...article, data: { ...article.data, body: [{ type: 'poll' }] } }), ...lines.slice(5)], 5, "/data/body/0/type 'poll' is not a known block type"],
    ['paragraph HTML outside the allowed subset', [...lines.slice(0, 4), JSON.stringify({ ...article, data: { ...article.data, body: [{ type: 'paragraph', html: 'x<script>alert(1)</script>' }] } }), ...lines.slice(5)], 5, '/data/body/0/html: the <script> element is not allowed'],
    ['a published article listed at another time', [...lines.slice(0, 4), JSON.stringify({ ...article, data: { ...article.data, status: 'published', publishedAt: '2024-05-01T10:00:00.000Z', listedAt: '2024-05-02T10:00:00.000Z' } }), ...lines.slice(5)], 5, '/data/listedAt: a published article is listed at its publication time (2024-05-01T10:00:00.000Z)'],
    ['a section whose path does not match', [lines[0]!, lines[1]!.replace('"path":"news"', '"path":"old/news"'), ...lines.slice(2)], 2, "/data/path: 'old/news' is not its parent's path and its slug ('news')"],
    ['no header', lines.slice(1), 1, /not a Newsdesk archive/],
    ['a later format version', [JSON.stringify({ ...header, version: 2 }), ...lines.slice(1)], 1, /version 2 is not supported/],
    ['a second header', [...lines.slice(0, 2), lines[0]!, ...lines.slice(2)], 3, 'a second header line'],
    ['a missing end line (a cut-off file)', lines.slice(0, -1), 8, /ends before its end line/],
    ['a missing line before the end', [...lines.slice(0, 3), ...lines.slice(4)], 7, /end line counts 6 records but 5/],
    ['a line after the end', [...lines, lines[4]!], 9, 'there is a line after the end line'],
    ['a revision of an unknown article', [...lines.slice(0, 4), JSON.stringify({ kind: 'revision', data: { articleId: 'art-x', version: 1, createdAt: header.exportedAt, actorKeyId: null, message: null, snapshot: {} } }), ...lines.slice(5)], 5, /\/data\/snapshot\/.* is required|no article/],
  ]
  for (const [name, archive, line, error] of cases) {
    const summary = await (await fresh(t)).archive.importArchive(bytes(text(archive)))
    t.match(summary.failed, { line, error }, name)
  }
  const h = { services: await fresh(t) }
  t.match(await h.services.archive.importArchive(bytes('')), { failed: { line: 1, error: 'the archive is empty' } })
  t.match(await h.services.archive.importArchive(bytes(`${lines[0]}\n`)), { failed: { line: 2, error: /ends before its end line/ }, resumeFrom: 2 }, 'only a header')
  const latin1 = Buffer.concat([Buffer.from(`${lines[0]}\n`), Buffer.from([0x7b, 0xe9, 0x7d, 0x0a])])
  t.match(await h.services.archive.importArchive([latin1]), { failed: { line: 2, error: 'the line is not UTF-8 text' } })
})

t.test('a stored row newer than the archive is never overwritten; slugs taken by other rows are named', async (t) => {
  const h = await testApp(t)
  const lines = synthetic(2)
  t.equal((await h.services.archive.importArchive(bytes(text(lines)))).failed, null)
  await h.services.articles.patch('art-000000', atVersion(1), { summary: 'Edited after the import.' }, admin)
  const again = await h.services.archive.importArchive(bytes(text(lines)))
  t.match(again.failed, { line: 5, error: "the stored article 'art-000000' is at version 2, newer than the archive's 1; it is left as it is" })
  t.equal((await h.services.articles.get('art-000000', admin)).article.summary, 'Edited after the import.')

  const other = { services: await fresh(t) }
  await other.services.topics.create({ kind: 'subject', name: 'Harbour' })
  t.match((await other.services.archive.importArchive(bytes(text(lines)))).failed, { line: 3, error: "another topic already has the slug 'harbour'" })
})

t.test('the archive repository refuses a record with facts (which field, which id); the service words them as a pointer into the line', async (t) => {
  const data = await openDataLayer(':memory:')
  t.teardown(() => data.close())
  const at = '2024-05-01T10:00:00.000Z'
  const orphan: ArchiveEntry = {
    line: 2,
    kind: 'section',
    data: { id: 'sec-x', name: 'X', slug: 'x', parentId: 'nowhere', path: 'nowhere/x', description: null, version: 1, createdAt: at, updatedAt: at },
  }
  const result = await data.repos.archive.importBatch([orphan], { at, revisionsIncluded: false })
  t.same(result.failed, { line: 2, problem: { kind: 'missing', field: ['parentId'], resource: 'section', id: 'nowhere' } })
  t.equal(describeArchiveProblem(result.failed!.problem, orphan), "/data/parentId: no section 'nowhere' in the database or earlier in the archive")
  const misplaced: ArchiveEntry = { ...orphan, data: { ...orphan.data, parentId: null, path: 'elsewhere/x' } }
  const second = await data.repos.archive.importBatch([misplaced], { at, revisionsIncluded: false })
  t.same(second.failed?.problem, { kind: 'section-path', expected: 'x' })
  t.equal(describeArchiveProblem(second.failed!.problem, misplaced), "/data/path: 'elsewhere/x' is not its parent's path and its slug ('x')")
})

t.test('imported drafts stay hidden from anonymous reads, search and the public changes feed', async (t) => {
  const h = await testApp(t)
  t.equal((await h.services.archive.importArchive(bytes(text(synthetic(4))))).failed, null)
  const draft = await h.app.inject({ url: '/v1/articles/art-000001' })
  t.equal(draft.statusCode, 404, 'a draft is not found')
  t.equal((await h.app.inject({ url: '/v1/articles/art-000001', headers: h.as.write })).statusCode, 200, 'editors see it')
  t.equal((await h.app.inject({ url: '/v1/articles/art-000000' })).statusCode, 200, 'a published article is public')

  const search = (q: string, headers = {}) => h.app.inject({ url: `/v1/articles?q=${q}`, headers }).then((r) => r.json().data.map((a: { id: string }) => a.id))
  t.same(await search('secret'), [], 'search does not find drafts')
  t.same((await search('secret', h.as.write)).sort(), ['art-000001', 'art-000003'], 'editors find them')
  t.same((await search('public')).sort(), ['art-000000', 'art-000002'])

  const feed = (await h.app.inject({ url: '/v1/changes' })).json().data as { articleId: string; kind: string }[]
  t.same(feed.map((c) => [c.articleId, c.kind]).sort(), [['art-000000', 'published'], ['art-000002', 'published']], 'the public feed hears of the published articles only')
  const editors = (await h.app.inject({ url: '/v1/changes', headers: h.as.write })).json().data as { articleId: string; kind: string }[]
  t.same(editors.map((c) => c.kind), ['created', 'created', 'created', 'created'], 'editors see every import')
})

t.test('memory stays flat: the repository is read and written a batch at a time, and the input is read as it is imported', async (t) => {
  const h = await testApp(t)
  const N = 3000
  const BATCH = 500
  const lines = synthetic(N)

  // Import: count the lines pulled from the input when each batch is written.
  let pulled = 0
  const stats = { batches: 0, largest: 0, lookahead: 0 }
  const repo = h.data.repos.archive
  const watched: ArchiveRepository = {
    openReader: () => repo.openReader(),
    importBatch: async (entries, options) => {
      stats.batches += 1
      stats.largest = Math.max(stats.largest, entries.length)
      stats.lookahead = Math.max(stats.lookahead, pulled - entries[entries.length - 1]!.line)
      return repo.importBatch(entries, options)
    },
  }
  async function* input() {
    for (const line of lines) {
      pulled += 1
      yield `${line}\n`
    }
  }
  const service = createArchiveService(watched)
  const summary: ArchiveImportSummary = await service.importArchive(input())
  t.equal(summary.failed, null)
  t.equal(summary.imported.articles, N)
  t.ok(stats.batches >= Math.ceil((N + 3) / BATCH), `${stats.batches} transactions`)
  t.ok(stats.largest <= BATCH, `no batch holds more than ${BATCH} records (largest: ${stats.largest})`)
  t.ok(stats.lookahead <= 1, `a batch is written before more than one further line is read (${stats.lookahead})`)

  // Export: every read returns at most a page, and the first piece is handed on before the articles are all read.
  const reads: { method: string; rows: number }[] = []
  const exporter = createArchiveService({
    importBatch: repo.importBatch,
    openReader: async () => {
      const reader = await repo.openReader()
      const watch = <K extends keyof ArchiveReader>(method: K) =>
        (async (...args: unknown[]) => {
          const result = await (reader[method] as (...a: unknown[]) => Promise<unknown>)(...args)
          if (Array.isArray(result)) reads.push({ method, rows: result.length })
          return result
        }) as ArchiveReader[K]
      return {
        counts: watch('counts'), sections: watch('sections'), topics: watch('topics'), contributors: watch('contributors'),
        media: watch('media'), articles: watch('articles'), revisions: watch('revisions'), close: watch('close'),
      }
    },
  })
  const iterator = exporter.exportArchive({ revisions: true })
  let size = 0
  let firstPieceAfter = -1
  let records = 0
  for await (const piece of iterator) {
    if (firstPieceAfter < 0) firstPieceAfter = reads.filter((r) => r.method === 'articles').length
    size += piece.length
    for (const line of piece.split('\n')) if (line.startsWith('{"kind":"article"')) records += 1
  }
  t.equal(records, N)
  t.ok(Math.max(...reads.map((r) => r.rows)) <= BATCH, `no read returns more than ${BATCH} rows`)
  t.ok(reads.filter((r) => r.method === 'articles').length >= N / BATCH, 'the articles are read page by page')
  t.ok(firstPieceAfter <= 1, `the first piece is handed on after ${firstPieceAfter} page(s) of articles`)
  t.ok(size > 1_000_000, `${size} characters in all`)
})

t.test('ndjsonLines splits on \\n and \\r\\n across chunks and refuses an overlong line', async (t) => {
  const out: [number, string | null][] = []
  for await (const { line, text } of ndjsonLines([Buffer.from('a\r\nb'), Buffer.from('c\n\nd'), Buffer.from('\u00e9'.normalize())])) out.push([line, text])
  t.same(out, [[1, 'a'], [2, 'bc'], [3, ''], [4, 'd\u00e9']])
  await t.rejects(async () => {
    for await (const _ of ndjsonLines([Buffer.from('x'.repeat(20)), Buffer.from('y\n')], 10)) void _
  }, /longer than 10 bytes/)
})

// ---- formerly archiveRestore.test.ts ----

/*
 * Issue 11, defect 5: an import never rewrites history. It adds what the
 * database lacks and skips what it holds identically; a record stored with
 * different content stops the import at its line.
 */


async function exported(h: TestApp): Promise<string[]> {
  let text = ''
  for await (const chunk of h.services.archive.exportArchive({ revisions: true })) text += chunk
  return text.trim().split('\n')
}

const importLines = (h: TestApp, lines: string[]) => h.services.archive.importArchive([`${lines.join('\n')}\n`])
const indexOf = (lines: string[], kind: string) => lines.findIndex((l) => (JSON.parse(l) as { kind: string }).kind === kind)

async function source(t: Parameters<typeof testApp>[0]) {
  const h = await testApp(t)
  await h.services.topics.create({ kind: 'place', name: 'Harbour' })
  const id = (await h.services.articles.create({ headlines: { basic: 'Ferry adds sailings' }, body: [{ type: 'paragraph', html: 'Original text.' }] }, admin)).article.id
  await h.services.articles.act(id, ANY_VERSION, 'publish', admin)
  return { h, id, lines: await exported(h) }
}

t.test('an article stored with other content at the same version is never overwritten, and an editor\'s If-Match still means what they saw', async (t) => {
  const { h, id, lines } = await source(t)
  const before = await h.app.inject({ url: `/v1/articles/${id}`, headers: h.as.write })
  const etag = before.headers.etag as string
  const i = indexOf(lines, 'article')
  const changed = [...lines]
  changed[i] = lines[i]!.replace('Original text.', 'Rewritten by an archive.')
  const summary = await importLines(h, changed)
  t.match(summary.failed, { line: i + 1, error: new RegExp(`the stored article '${id}' differs from the archive's.*never overwrites`) })
  const after = await h.app.inject({ url: `/v1/articles/${id}`, headers: h.as.write })
  t.equal(after.headers.etag, etag, 'the article is as the editor saw it')
  t.match(after.json().body, [{ html: 'Original text.' }])
  const edit = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${id}`, headers: { ...h.as.write, 'if-match': etag }, payload: { summary: 'Edited.' } })
  t.equal(edit.statusCode, 200, 'their If-Match matches the content they saw')

  const newer = [...lines]
  const record = JSON.parse(lines[i]!) as { data: { version: number; headlines: { basic: string } } }
  record.data.version = 99
  record.data.headlines.basic = 'A newer version from an archive'
  newer[i] = JSON.stringify(record)
  const second = await importLines(h, newer)
  t.match(second.failed, { line: i + 1, error: /differs from the archive's/ }, 'a higher version in the archive does not overwrite either')
  t.equal((await h.services.articles.get(id, admin)).article.headline, 'Ferry adds sailings')
})

t.test('a revision line never replaces a stored revision', async (t) => {
  const { h, id, lines } = await source(t)
  const i = indexOf(lines, 'revision')
  const changed = [...lines]
  const record = JSON.parse(lines[i]!) as { data: { message: string | null; snapshot: { headlines: { basic: string } } } }
  record.data.message = 'history rewritten'
  record.data.snapshot.headlines.basic = 'A headline that never was'
  changed[i] = JSON.stringify(record)
  const summary = await importLines(h, changed)
  t.match(summary.failed, { line: i + 1, error: new RegExp(`the stored revision 1 of article '${id}' differs from the archive's`) })
  const stored = await h.services.articles.revision(id, 1)
  t.equal(stored.message, 'created')
  t.equal(stored.snapshot.headlines.basic, 'Ferry adds sailings')
})

t.test('catalogue rows are never overwritten either; the same archive again changes nothing', async (t) => {
  const { h, lines } = await source(t)
  const i = indexOf(lines, 'topic')
  const changed = [...lines]
  changed[i] = lines[i]!.replace('"name":"Harbour"', '"name":"Renamed harbour"')
  const summary = await importLines(h, changed)
  t.match(summary.failed, { line: i + 1, error: /the stored topic '.*' differs from the archive's/ })
  const same = await importLines(h, lines)
  t.match(same, { failed: null, imported: { articles: 0, revisions: 0, topics: 0 }, unchanged: { articles: 1, revisions: 2, topics: 1 } })
})
