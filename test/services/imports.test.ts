import t, { type Test } from 'tap'
import { openDataLayer } from '../../src/db/index.js'
import { createServices } from '../../src/services/index.js'
import { createImportService, decodeText, importHash, MAX_IMPORT_BYTES } from '../../src/services/imports.js'
import type { Actor } from '../../src/services/actor.js'
import { DomainError } from '../../src/errors.js'

const editor: Actor = { keyId: null, scope: 'admin' }

async function setup(t: { teardown(fn: () => unknown): void }) {
  const data = await openDataLayer(':memory:')
  t.teardown(() => data.close())
  const services = createServices(data.repos)
  const count = async () => ({
    media: (await data.repos.media.list(1000, null)).length,
    topics: (await data.repos.topics.list(1000, null)).length,
    contributors: (await data.repos.contributors.list(1000, null)).length,
    articles: (await services.articles.list({ limit: 100 }, editor)).items.length,
  })
  return { data, services, count }
}

const story = (headline = 'Harbour ferry adds two early sailings from Monday') =>
  [
    'Transport',
    headline,
    '',
    'The operator will run boats at 5.40am and 6.10am on weekdays, the port authority said on Friday.',
    '',
    'A ferry leaves the east pier at dawn. Photo: Port Authority',
    '',
    'Watch: the new timetable explained',
    '',
    'Tickets for the new sailings cost the same as for the others.',
    '',
  ].join('\n')

const rejects = async (t: Test, promise: Promise<unknown>, code: string) => {
  try {
    await promise
    t.fail(`expected a ${code} error`)
  } catch (err) {
    t.ok(err instanceof DomainError, 'a domain error')
    t.match(err, { code })
  }
}

t.test('an article that cannot be created leaves none of its media behind', async (t) => {
  const { data, services, count } = await setup(t)
  const failing = createImportService({
    articles: {
      ...services.articles,
      create: async () => {
        throw new Error('the disk is full')
      },
    },
    articleRepo: data.repos.articles,
    media: services.media,
    contributors: data.repos.contributors,
    topics: data.repos.topics,
  })
  await t.rejects(failing.importText(story(), editor, { dryRun: false }), /the disk is full/)
  t.same(await count(), { media: 0, topics: 1, contributors: 0, articles: 0 }, 'the photo and video rows are removed; the shared topic stays')

  const ok = await services.imports.importText(story(), editor, { dryRun: false })
  t.equal(ok.created, true, 'a retry succeeds')
  t.equal(ok.article!.topics[0]!.topic.name, 'Transport')
  t.same(await count(), { media: 2, topics: 1, contributors: 0, articles: 1 }, 'and reuses the topic the failed attempt made')
})

t.test('concurrent imports of the same text make one article and no stray media', async (t) => {
  const { services, count } = await setup(t)
  const results = await Promise.all([1, 2, 3, 4].map(() => services.imports.importText(story(), editor, { dryRun: false })))
  t.same(results.map((r) => r.created).sort(), [false, false, false, true])
  t.equal(new Set(results.map((r) => r.article!.article.id)).size, 1, 'every caller gets the same article')
  t.same(await count(), { media: 2, topics: 1, contributors: 0, articles: 1 })
})

t.test('two processes importing the same text at once end with one article and no stray media', async (t) => {
  const { data, services, count } = await setup(t)
  // Two import services on one database stand for two API processes: no shared queue.
  const deps = { articles: services.articles, articleRepo: data.repos.articles, media: services.media, contributors: data.repos.contributors, topics: data.repos.topics }
  const [a, b] = [createImportService(deps), createImportService(deps)]
  const results = await Promise.all([a.importText(story(), editor, { dryRun: false }), b.importText(story(), editor, { dryRun: false })])
  t.same(results.map((r) => r.created).sort(), [false, true])
  t.equal(results[0]!.article!.article.id, results[1]!.article!.article.id)
  t.match(await count(), { media: 2, articles: 1 }, 'the loser removed its photo and video')
})

t.test('concurrent imports naming the same new topic and contributor create each once', async (t) => {
  const { services, count } = await setup(t)
  const text = (n: number) => `${story(`Ferry story number ${n} for the desk`)}\nBy Lena Marsh\n`
  const results = await Promise.all([1, 2, 3].map((n) => services.imports.importText(text(n), editor, { dryRun: false })))
  t.ok(results.every((r) => r.created))
  t.match(await count(), { topics: 1, contributors: 1, articles: 3 })
})

t.test('"AP" and "the Associated Press" credit one agency contributor', async (t) => {
  const { services, count } = await setup(t)
  const first = await services.imports.importText(`${story('Storm closes the coast road')}\nBy AP\n`, editor, { dryRun: false })
  const second = await services.imports.importText(`${story('Storm reopens the coast road')}\nWith additional reporting by the Associated Press\n`, editor, {
    dryRun: false,
  })
  const [a] = first.article!.credits
  const [b] = second.article!.credits
  t.match(a, { role: 'byline', contributor: { name: 'Associated Press', kind: 'agency', aliases: ['AP', 'The Associated Press'] } })
  t.match(b, { role: 'additional-reporting' })
  t.equal(a!.contributor.id, b!.contributor.id)
  t.equal((await count()).contributors, 1)
})

t.test('an existing contributor is found by an alias', async (t) => {
  const { services } = await setup(t)
  const reporter = await services.contributors.create({ kind: 'person', name: 'Lena Marsh-Okoye', aliases: ['Lena Marsh'] })
  const result = await services.imports.importText(`${story()}\nBy Lena Marsh\n`, editor, { dryRun: false })
  t.equal(result.article!.credits[0]!.contributor.id, reporter.id)
})

t.test('suggestions name the known topics the text mentions, including the one made from its label', async (t) => {
  const { services } = await setup(t)
  const putin = await services.topics.create({ kind: 'person', name: 'Vladimir Putin', aliases: ['Putin'] })
  const text = `${story()}\nPutin was not mentioned by the operator, but Vladimir Putin was.\n`
  const dry = await services.imports.importText(text, editor, { dryRun: true })
  t.same(dry.suggestions.map((s) => [s.name, s.count]), [['Vladimir Putin', 2]], 'a dry run knows only the existing topics')
  const real = await services.imports.importText(text, editor, { dryRun: false })
  t.same(real.suggestions.map((s) => s.name).sort(), ['Transport', 'Vladimir Putin'])
  t.equal(real.suggestions.find((s) => s.topicId === putin.id)!.positions[0], text.indexOf('Putin'))
})

t.test('text longer than the API allows is fitted, with warnings, and nothing is lost', async (t) => {
  const { services } = await setup(t)
  const words = Array.from({ length: 4000 }, (_, i) => `word${i} &`)
  const text = `Harbour tunnel reopens after repairs\n\nThe tunnel reopened on Monday after six weeks of repairs.\n\n${words.join(' ')}.\n\nThe end.\n`
  const result = await services.imports.importText(text, editor, { dryRun: false })
  const paragraphs = result.article!.article.body.filter((b) => b.type === 'paragraph').map((b) => (b as { html: string }).html)
  t.ok(paragraphs.every((html) => html.length <= 20000), 'every paragraph fits')
  t.ok(paragraphs.length > 3, 'the long paragraph was split')
  t.equal(paragraphs.slice(0, -1).join(' ').replace(/&amp;/g, '&'), `${words.join(' ')}.`, 'split between words, nothing lost')
  t.match(result.parse.report.warnings, [/split into \d+/])
})

t.test('text that makes more blocks than an article holds is refused before anything is written', async (t) => {
  const { services, count } = await setup(t)
  const text = `Six hundred paragraphs make a long story\n\n${Array.from({ length: 600 }, (_, i) => `Paragraph ${i} is a sentence.`).join('\n\n')}\n`
  const dry = await services.imports.importText(text, editor, { dryRun: true })
  t.match(dry.parse.report.warnings, [/more than the 500 an article holds/], 'a dry run warns')
  await rejects(t, services.imports.importText(text, editor, { dryRun: false }), 'unusable-text')
  t.same(await count(), { media: 0, topics: 0, contributors: 0, articles: 0 })
})

t.test('empty, binary and oversized text are refused with their own problems', async (t) => {
  const { services, count } = await setup(t)
  await rejects(t, services.imports.importText('', editor, { dryRun: false }), 'empty-text')
  await rejects(t, services.imports.importText(' \n\t\n', editor, { dryRun: true }), 'empty-text')
  await rejects(t, services.imports.importText('Head\u0000line', editor, { dryRun: false }), 'not-text')
  await rejects(t, services.imports.importText('x'.repeat(MAX_IMPORT_BYTES + 1), editor, { dryRun: true }), 'text-too-large')
  t.same(await count(), { media: 0, topics: 0, contributors: 0, articles: 0 })
})

t.test('decodeText takes UTF-8 (dropping a BOM) and refuses NUL bytes and other encodings', async (t) => {
  t.equal(decodeText(Buffer.from('\ufeffCafé')), 'Café')
  t.throws(() => decodeText(Buffer.from([0x41, 0x00, 0x42])), { code: 'not-text' })
  t.throws(() => decodeText(Buffer.from('Caf\xe9', 'latin1')), { code: 'not-text' })
})

t.test('the import hash ignores line endings and surrounding blank lines', async (t) => {
  t.equal(importHash('A\r\nB\n'), importHash('\nA\nB'))
  t.not(importHash('A\nB'), importHash('A\n\nB'))
})
