import t from 'tap'
import { ANY_VERSION, atVersion } from '../../src/services/preconditions.js'
import { MissingReferencesError, openDataLayer, SearchQueryError, type ArticleFields } from '../../src/db/index.js'
import { createServices } from '../../src/services/index.js'
import type { ArticleCreateBody } from '../../src/schemas/article.js'
import type { Actor } from '../../src/services/actor.js'
import { ValidationError } from '../../src/errors.js'

/* The data layer reports facts (which resources, which ids); the article service words them with the request's fields. */

const editor: Actor = { keyId: null, scope: 'admin' }

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e,
  )

const data = await openDataLayer(':memory:')
t.teardown(() => data.close())
const services = createServices(data.repos)
const topic = await services.topics.create({ kind: 'subject', name: 'Harbour' })
const photo = await services.media.create({ kind: 'image', caption: 'The pier' })

/** Lead media and blocks naming the same missing photo, a missing section, contributor and topic, beside ones that exist. */
const dangling = {
  headlines: { basic: 'Ferry timetable changes' },
  sectionId: 'no-section',
  leadMedia: { mediaId: 'no-photo' },
  body: [
    { type: 'image', mediaId: photo.id },
    { type: 'image', mediaId: 'no-photo' },
  ],
  credits: [{ contributorId: 'no-one', role: 'byline' }],
  topics: [{ topicId: topic.id, primary: true }, { topicId: 'no-topic' }],
} as ArticleCreateBody

const expectedIssues = [
  { path: '/body/sectionId', message: "no section with id 'no-section'" },
  { path: '/body/leadMedia/mediaId', message: "no media with id 'no-photo'" },
  { path: '/body/body/1/mediaId', message: "no media with id 'no-photo'" },
  { path: '/body/credits/0/contributorId', message: "no contributor with id 'no-one'" },
  { path: '/body/topics/1/topicId', message: "no topic with id 'no-topic'" },
]

t.test('the articles repository names missing references by kind and id, each once, in the order it checks them', async (t) => {
  const at = new Date().toISOString()
  const fields: ArticleFields = {
    ...{ slug: 'dangling', type: 'news', status: 'draft', language: 'en', sectionId: null, headline: 'x', headlines: { basic: 'x' }, summary: null, leadMedia: null },
    ...{ body: [], printEdition: null, corrections: [], canonicalUrl: null, embargoUntil: null, wordCount: 0, bodyText: '', updatedAt: at, listedAt: at },
    ...{ firstPublishedAt: null, publishedAt: null, scheduledAt: null, contentHash: null },
  }
  const relations = { sectionId: 'no-section', mediaIds: ['no-photo', photo.id, 'no-photo'], credits: [{ contributorId: 'no-one', role: 'byline' as const }], topics: [{ topicId: 'no-topic', primary: false }] }
  const err = await refusal(data.repos.articles.create('01990000-0000-7000-8000-000000000001', fields, relations, { at, actorKeyId: null, message: null }))
  t.type(err, MissingReferencesError)
  t.same((err as MissingReferencesError).missing, [
    { kind: 'section', id: 'no-section' },
    { kind: 'media', id: 'no-photo' },
    { kind: 'contributor', id: 'no-one' },
    { kind: 'topic', id: 'no-topic' },
  ])
  t.equal((await data.repos.articles.list({ visibility: { publicOnly: false, now: at }, filter: {}, sort: 'newest', limit: 10, after: null })).items.length, 0, 'nothing was written')
})

t.test('creating an article that refers to missing resources is a 400 naming every request field that names one', async (t) => {
  const err = await refusal(services.articles.create(dangling, editor))
  t.type(err, ValidationError)
  t.equal((err as ValidationError).message, 'The article refers to resources that do not exist.')
  t.same((err as ValidationError).extra, { errors: expectedIssues })
})

t.test('an edit that refers to missing resources is refused the same way, and the article keeps its version', async (t) => {
  const article = await services.articles.create({ headlines: { basic: 'Ferry timetable' }, body: [] }, editor)
  const { headlines, body, sectionId, leadMedia, credits, topics } = dangling
  const err = await refusal(services.articles.replace(article.article.id, atVersion(1), { headlines, body, sectionId, leadMedia, credits, topics } as never, editor))
  t.type(err, ValidationError)
  t.same((err as ValidationError).extra, { errors: expectedIssues })
  const patched = await refusal(services.articles.patch(article.article.id, ANY_VERSION, { topics: [{ topicId: 'gone' }] } as never, editor))
  t.same((patched as ValidationError).extra, { errors: [{ path: '/body/topics/0/topicId', message: "no topic with id 'gone'" }] })
  t.equal((await services.articles.get(article.article.id, editor)).article.version, 1)
})

t.test('a search the engine cannot parse is a SearchQueryError from the repository and a 400 on q from the service', async (t) => {
  const now = new Date().toISOString()
  const fact = await refusal(data.repos.articles.count({ publicOnly: false, now }, { search: '"unterminated' }))
  t.type(fact, SearchQueryError)
  t.equal((fact as SearchQueryError).problem, 'unterminated string')
  for (const query of [{ q: '"unterminated' }, { q: 'AND', total: true }]) {
    const err = await refusal(services.articles.list(query as never, editor))
    t.type(err, ValidationError, query.q)
    t.equal((err as ValidationError).message, 'The search query is not valid.')
    t.match((err as ValidationError).extra, { errors: [{ path: '/query/q', message: /unterminated|syntax error/ }] })
  }
})
