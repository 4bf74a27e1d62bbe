import t from 'tap'
import { openDataLayer, type DataLayer } from '../../../src/db/index.js'
import { createServices } from '../../../src/services/index.js'
import { systemRuntime } from '../../../src/services/clock.js'
import { ANY_VERSION } from '../../../src/services/preconditions.js'
import type { Actor } from '../../../src/services/actor.js'
import type { ArticleCreateBody } from '../../../src/schemas/article.js'
import { pgliteCopy } from '../../pg.js'
import { allSchemas } from '../../../src/schemas/index.js'
import { schemaOrder } from '../../../src/schemas/order.js'
import { RevisionSnapshot } from '../../../src/schemas/revision.js'

/*
 * An archive exported from PostgreSQL is the same bytes as the same archive
 * exported from SQLite. jsonb keeps an object's keys in its own order (by
 * length), SQLite in the order its writer gave (the client's, for headlines
 * and blocks): the export writes every record's keys in its schema's order.
 */
const admin: Actor = { keyId: null, scope: 'admin' }
const EXPORTED_AT = new Date('2025-02-14T08:00:00.000Z')
const fixedClock = { now: () => EXPORTED_AT, newId: systemRuntime.newId }

async function exportOf(data: DataLayer, revisions = true): Promise<string> {
  let text = ''
  for await (const chunk of createServices(data.repos, fixedClock).archive.exportArchive({ revisions })) text += chunk
  return text
}

/** A newsroom whose records have nested objects of every kind: headlines, lead media, body blocks, print edition, corrections, renditions, revisions. */
async function newsroom(data: DataLayer): Promise<void> {
  const s = createServices(data.repos)
  const news = await s.sections.create({ name: 'News' })
  const asia = await s.sections.create({ name: 'Asia', parentId: news.id, description: 'The region' })
  const trump = await s.topics.create({ kind: 'person', name: 'Donald Trump', aliases: ['Trump'] })
  const ap = await s.contributors.create({ kind: 'agency', name: 'Associated Press', aliases: ['AP'] })
  const photo = await s.media.create({
    kind: 'image', url: 'https://img.example.org/call.jpg', mimeType: 'image/jpeg', width: 1200, height: 800, alt: 'The two leaders',
    caption: 'In 2018', credit: 'Photo: AP', renditions: [{ name: 'thumb', url: 'https://img.example.org/call-t.jpg', width: 300, height: 200, mimeType: 'image/jpeg' }],
  })
  const story: ArticleCreateBody = {
    // Keys in an order of the client's own, which SQLite keeps as given.
    headlines: { social: 'They will talk!', seo: 'Trump Putin talks', basic: 'Trump and Putin agree to talks', print: 'Talks agreed' },
    summary: 'The two leaders spoke for ninety minutes.',
    sectionId: asia.id,
    leadMedia: { credit: 'AP', caption: 'The leaders', mediaId: photo.id },
    body: [
      { html: 'The call lasted <strong>ninety minutes</strong>.', type: 'paragraph' },
      { type: 'image', mediaId: photo.id, caption: 'A caption of its own', credit: 'AP' },
      { type: 'heading', level: 2, text: 'What comes next' },
      { type: 'quote', text: 'We agreed to meet.', attribution: 'A spokesman' },
      { type: 'list', ordered: true, items: ['Talks', 'A summit'] },
      { type: 'video', url: 'https://video.example.org/extra', title: 'Watch' },
      { type: 'embed', provider: 'x', url: 'https://x.example.org/post/1' },
      { type: 'ad', slot: 'ad-1' },
    ],
    credits: [{ contributorId: ap.id, role: 'additional-reporting' }],
    topics: [{ topicId: trump.id, primary: true }],
    printEdition: { page: 'A4', editionDate: '2025-02-13', publication: 'South China Morning Post', section: 'World' },
    canonicalUrl: 'https://news.example.org/world/asia/call',
  } as ArticleCreateBody
  const { article } = await s.articles.create(story, admin)
  await s.articles.act(article.id, ANY_VERSION, 'publish', admin)
  await s.articles.patch(article.id, ANY_VERSION, { summary: 'An updated standfirst.', message: 'standfirst' }, admin)
  await s.articles.correct(article.id, ANY_VERSION, 'An earlier version misnamed the city.', admin)
}

t.test('schemaOrder puts keys in the schema\'s order, through refs, arrays, nullable and tagged unions; unknown keys follow', async (t) => {
  const inOrder = schemaOrder(allSchemas)
  const snapshot = { wordCount: 1, body: [{ html: 'x', type: 'paragraph' }, { level: 2, text: 'T', type: 'heading' }], extra: true, leadMedia: null, headlines: { seo: 's', basic: 'b' }, slug: 'a' }
  const ordered = inOrder(snapshot, RevisionSnapshot) as Record<string, unknown>
  t.same(Object.keys(ordered), ['slug', 'headlines', 'leadMedia', 'body', 'wordCount', 'extra'])
  t.equal(JSON.stringify(ordered.headlines), '{"basic":"b","seo":"s"}')
  t.equal(JSON.stringify(ordered.body), '[{"type":"paragraph","html":"x"},{"type":"heading","level":2,"text":"T"}]')
  t.equal(inOrder('text', RevisionSnapshot), 'text', 'not an object: as it is')
})

t.test('the same archive exported from SQLite and from PostgreSQL is the same bytes, revisions included', async (t) => {
  const sqlite = await openDataLayer(':memory:')
  t.teardown(() => sqlite.close())
  await newsroom(sqlite)
  const fromSqlite = await exportOf(sqlite)

  const { client, db } = await pgliteCopy()
  const postgres = await openDataLayer({ postgres: db, close: () => client.close() })
  t.teardown(() => postgres.close())
  const summary = await createServices(postgres.repos).archive.importArchive([fromSqlite])
  t.equal(summary.failed, null, 'the archive imports into PostgreSQL')
  const fromPostgres = await exportOf(postgres)
  const a = fromSqlite.split('\n')
  const b = fromPostgres.split('\n')
  t.equal(b.length, a.length, 'as many lines')
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) t.equal(b[i], a[i], `line ${i + 1}`)
  t.ok(fromPostgres === fromSqlite, 'byte for byte')
  t.match(fromSqlite, /"headlines":\{"basic":"Trump and Putin agree to talks","print":"Talks agreed","seo":"Trump Putin talks","social":"They will talk!"\}/, 'in the schema\'s order, not the client\'s')
  t.match(fromSqlite, /"kind":"revision"/, 'with revisions')
})
