/**
 * A newsroom for the format and feed tests: a section tree, typed topics, a
 * reporter and an agency, photos and a video, one published article that
 * uses every field, a draft, a scheduled and an embargoed article, and the
 * sample pages imported and published.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { TestApp } from './helpers.js'
import { samplePages, textOf } from './samples.js'

type Json = Record<string, unknown>

export async function post(h: TestApp, url: string, payload: object): Promise<Json> {
  const res = await h.app.inject({ method: 'POST', url, headers: h.as.write, payload })
  if (res.statusCode >= 300) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`)
  return res.json() as Json
}

async function act(h: TestApp, article: Json, action: string, payload?: object): Promise<Json> {
  const res = await h.app.inject({ method: 'POST', url: `/v1/articles/${String(article.id)}/${action}`, headers: { ...h.as.write, 'if-match': String(article.version) }, ...(payload ? { payload } : {}) })
  if (res.statusCode >= 300) throw new Error(`${action}: ${res.statusCode} ${res.body}`)
  return res.json() as Json
}

export interface Newsroom {
  news: Json
  world: Json
  culture: Json
  person: Json
  place: Json
  org: Json
  subject: Json
  event: Json
  reporter: Json
  agency: Json
  full: Json
  draft: Json
  scheduled: Json
  embargoed: Json
  /** The sample pages, imported and published (the shared one when it is there). */
  samples: Json[]
}

export async function newsroom(h: TestApp): Promise<Newsroom> {
  const news = await post(h, '/v1/sections', { name: 'News', slug: 'news' })
  const world = await post(h, '/v1/sections', { name: 'World', slug: 'world', parentId: news.id })
  const culture = await post(h, '/v1/sections', { name: 'Culture', slug: 'culture' })
  const topic = (kind: string, name: string) => post(h, '/v1/topics', { kind, name })
  const [person, place, org, subject, event] = await Promise.all([
    topic('person', 'Ines Calloway'),
    topic('place', 'Port Avery'),
    topic('organisation', 'Harbour Board'),
    topic('subject', 'Transport'),
    topic('event', 'Harbour Festival'),
  ])
  const reporter = await post(h, '/v1/contributors', { kind: 'person', name: 'Lena Marsh' })
  const agency = await post(h, '/v1/contributors', { kind: 'agency', name: 'Associated Press' })
  const lead = await post(h, '/v1/media', {
    kind: 'image', url: 'https://cdn.example/lead.jpg', mimeType: 'image/jpeg', width: 1200, height: 800, sizeBytes: 123456,
    caption: 'The east pier at dawn.', credit: 'AP', copyright: '© AP',
    renditions: [{ name: 'thumb', url: 'https://cdn.example/lead-300.jpg', width: 300, height: 200, mimeType: 'image/jpeg' }],
  })
  const photo = await post(h, '/v1/media', { kind: 'image', url: 'https://cdn.example/body.jpg', mimeType: 'image/jpeg', width: 800, height: 600, caption: 'Commuters queue.', credit: 'Reuters' })
  const video = await post(h, '/v1/media', {
    kind: 'video', url: 'https://cdn.example/crossing.mp4', mimeType: 'video/mp4', durationSeconds: 95,
    renditions: [{ name: 'poster', url: 'https://cdn.example/crossing.jpg', mimeType: 'image/jpeg' }],
  })
  const fullDraft = await post(h, '/v1/articles', {
    slug: 'harbour-ferry-deal',
    sectionId: world.id,
    headlines: { basic: 'Towns agree to share one ferry fleet', print: 'One fleet for the bay', seo: 'Ferry fleet deal: what changes', social: 'One fleet, two towns' },
    summary: 'The two towns will pool their boats from next spring.',
    leadMedia: { mediaId: lead.id },
    body: [
      { type: 'paragraph', html: 'The agreement was signed on <b>Monday</b> &amp; takes effect in spring.' },
      { type: 'heading', level: 2, text: 'What changes' },
      { type: 'image', mediaId: photo.id },
      { type: 'video', mediaId: video.id, title: 'A morning crossing' },
      { type: 'video', url: 'https://www.youtube.com/watch?v=abc', title: 'The harbour from above' },
      { type: 'quote', text: 'One fleet is cheaper.', attribution: 'The mayor' },
      { type: 'list', ordered: false, items: ['Six berths', 'One ticket office'] },
      { type: 'ad', slot: 'mid-1' },
    ],
    credits: [{ contributorId: reporter.id, role: 'byline' }, { contributorId: agency.id, role: 'additional-reporting' }],
    topics: [{ topicId: person.id, primary: true }, { topicId: place.id }, { topicId: org.id }, { topicId: subject.id }, { topicId: event.id }],
    printEdition: { publication: 'Port Avery Courier', section: 'Front', page: 'A1', editionDate: '2024-05-02' },
  })
  let full = await act(h, fullDraft, 'publish')
  full = await act(h, full, 'corrections', { text: 'An earlier version named the wrong pier.' })
  const draft = await post(h, '/v1/articles', { slug: 'secret-draft', sectionId: world.id, headlines: { basic: 'SECRET draft story' }, body: [], topics: [{ topicId: person.id }], credits: [{ contributorId: reporter.id, role: 'byline' }] })
  const toSchedule = await post(h, '/v1/articles', { slug: 'secret-scheduled', sectionId: world.id, headlines: { basic: 'SECRET scheduled story' }, body: [], topics: [{ topicId: person.id }], credits: [{ contributorId: reporter.id, role: 'byline' }] })
  const scheduled = await act(h, toSchedule, 'schedule', { at: new Date(Date.now() + 86_400_000).toISOString() })
  const toEmbargo = await post(h, '/v1/articles', {
    slug: 'secret-embargoed', sectionId: world.id, headlines: { basic: 'SECRET embargoed story' }, body: [], topics: [{ topicId: person.id }],
    credits: [{ contributorId: reporter.id, role: 'byline' }], embargoUntil: new Date(Date.now() + 86_400_000).toISOString(),
  })
  const embargoed = await act(h, toEmbargo, 'publish')
  const samples: Json[] = []
  for (const page of samplePages) {
    if (page.text === null) continue
    const res = await h.app.inject({ method: 'POST', url: '/v1/imports', headers: { ...h.as.write, 'content-type': 'text/plain; charset=utf-8' }, payload: textOf(page) })
    if (res.statusCode !== 201) throw new Error(`import ${page.origin}: ${res.statusCode} ${res.body}`)
    samples.push(await act(h, (res.json() as { article: Json }).article, 'publish'))
  }
  return { news, world, culture, person, place, org, subject, event, reporter, agency, full, draft, scheduled, embargoed, samples }
}

const standards = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../shared/standards')

/**
 * The tap `skip` of a test that needs the official schemas: they are beside the
 * repository (../shared/standards, as in CI, where their absence is a failure).
 */
export function skipUnlessStandards(): string | false {
  if (existsSync(resolve(standards, 'ninjs-schema_2.2.json')) || process.env.CI === 'true') return false
  return `the ninjs schemas are not at ${standards} (they are only beside the repository in CI)`
}

/**
 * Validators of the official ninjs schemas (JSON Schema 2020-12, hence
 * Ajv2020), read from ../shared/standards. They name GeoJSON for places'
 * shapes, which we never send: an empty stand-in resolves the reference.
 */
export function ninjsValidators() {
  if (skipUnlessStandards()) return { '2': () => true, '3': () => true } as unknown as ReturnType<typeof compileValidators>
  return compileValidators()
}

function compileValidators() {
  const ajv = new Ajv2020({ allErrors: true, strict: false })
  addFormats.default(ajv)
  ajv.addSchema({ $id: 'https://geojson.org/schema/GeoJSON.json' })
  const load = (name: string) => ajv.compile(JSON.parse(readFileSync(resolve(standards, name), 'utf8')) as object)
  return { '2': load('ninjs-schema_2.2.json'), '3': load('ninjs-schema_3.1.json') }
}
