import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { createHash } from 'node:crypto'
import { IdParams, ref } from '../../schemas/common.js'
import { FeedQuery, FORMAT_DOCS } from '../../schemas/syndication.js'
import type { ArticleListQueryValue, ArticleOut } from '../../schemas/article.js'
import type { Services } from '../../services/index.js'
import { anonymous } from '../../services/actor.js'
import type { FormatContext } from '../../formats/context.js'
import { buildFeed, FEED_TYPES, type FeedFormat, type FeedMeta } from '../../formats/feeds.js'
import { feedFormat, FEED_MEDIA_TYPES } from '../../formats/negotiate.js'
import { noneMatch } from '../../plugins/caching.js'
import { ANSWER_HEADERS, HEADERS, notModified, problems, READ_ERRORS } from '../common.js'
import { formatFingerprint, notAcceptable } from '../formats.js'
import { forCaller } from './articles/visible.js'

const tags = ['feeds']
const params = ref(IdParams)
const FEED_HEADERS = { ...ANSWER_HEADERS, 'Surrogate-Key': HEADERS.surrogateKey }

/** The feed's subject: what it lists (as list filters), what it is called, and its purge key. */
interface Subject {
  meta: Omit<FeedMeta, 'url'>
  filter: Partial<ArticleListQueryValue>
  key: string
  /** Changes to the subject (a renamed section) change the feed. */
  version: string
}

const schema = (operationId: string, summary: string, withParams: boolean) => ({
  operationId,
  tags,
  summary,
  description:
    'Published articles only, newest first: RSS 2.0 (the default), Atom 1.0 or JSON Feed 1.1, chosen by Accept or `format`. ' +
    'Items link to the article pages (ARTICLE_URL_TEMPLATE), carry the standfirst and, with `full=true`, the whole body, and the lead photo as an enclosure.',
  querystring: ref(FeedQuery),
  produces: [FEED_TYPES.rss],
  'x-formats': { [FEED_TYPES.atom]: FORMAT_DOCS.xml, [FEED_TYPES.json]: FORMAT_DOCS.jsonFeed },
  response: {
    200: Type.Unsafe<string>({ ...FORMAT_DOCS.xml, description: 'The feed.', headers: FEED_HEADERS }),
    ...notModified,
    ...problems(...READ_ERRORS, ...(withParams ? [404] : []), 406),
  },
})

/**
 * Feeds of published articles: the latest, a section (with its subsections),
 * a topic, a contributor. Drafts, scheduled and embargoed articles never
 * appear, whatever the key: a feed is always read as an anonymous reader.
 * The ETag comes from the items' stored ETags, so an unchanged feed is a 304
 * without building it.
 */
/** Feeds built lately, by URL path and ETag: at most this many, the oldest used dropped first. */
const BUILT_FEEDS = 64

const feeds: FastifyPluginAsyncTypebox<{ services: Services; formats: FormatContext }> = async (app, { services, formats }) => {
  const fingerprint = formatFingerprint(formats)
  /**
   * A feed is a pure function of what its ETag hashes (format, options, the
   * subject's version, every item's stored ETag) and of its path, so a built
   * one is served again while both match: the tag is worked out from the
   * database on every request, so no process serves a feed another has changed.
   * Building one costs some milliseconds (the list is a fraction of a millisecond).
   */
  const built = new Map<string, string>()
  const remember = (key: string, document: string) => {
    built.delete(key)
    built.set(key, document)
    if (built.size > BUILT_FEEDS) built.delete(built.keys().next().value!)
    return document
  }
  const site = formats.baseUrl
  const publisher = formats.publisherName

  async function send(request: FastifyRequest, reply: FastifyReply, path: string, subject: Subject) {
    const query = request.query as { format?: FeedFormat; full?: boolean; limit?: number }
    const format = feedFormat(request.headers.accept, query.format)
    if (format === null) throw notAcceptable(request.headers.accept, FEED_MEDIA_TYPES)
    reply.header('vary', 'Accept')
    const full = query.full === true
    const limit = query.limit ?? 20
    const page = await services.articles.list({ ...subject.filter, limit }, anonymous)
    const items = await forCaller(services.articles, anonymous, page.items)
    const etag = `"${createHash('sha256').update([format, full, limit, fingerprint, subject.version, ...items.map((i) => i.etag)].join(' ')).digest('hex').slice(0, 27)}"`
    // No Last-Modified, as for lists (see sendList): the ETag follows the items, and one leaving changes it.
    reply.header('etag', etag).header('surrogate-key', ['articles', subject.key, ...new Set(items.flatMap((i) => i.surrogateKeys.split(' ')))].join(' '))
    reply.type(`${FEED_TYPES[format]}; charset=utf-8`)
    const ifNoneMatch = request.headers['if-none-match']
    // The caching plugin answers 304 for a matching tag: the feed is not built.
    if (ifNoneMatch !== undefined && noneMatch(ifNoneMatch, etag)) return reply.send('')
    const key = `${path} ${etag}`
    const known = built.get(key)
    if (known !== undefined) return reply.send(remember(key, known))
    const articles = items.map((i) => JSON.parse(i.json.toString('utf8')) as ArticleOut)
    return reply.send(remember(key, buildFeed(format, articles, { ...subject.meta, url: `${site}${path}` }, formats, { full })))
  }

  app.get('/v1/feeds/latest', { schema: schema('getLatestFeed', 'The latest articles as a feed', false) }, async (request, reply) =>
    send(request, reply, '/v1/feeds/latest', {
      meta: { title: `${publisher}: latest`, description: `The latest articles from ${publisher}.`, link: site },
      filter: {},
      key: 'feed-latest',
      version: '',
    }),
  )

  app.get('/v1/feeds/sections/:id', { schema: { ...schema('getSectionFeed', 'A section as a feed (with its subsections)', true), params } }, async (request, reply) => {
    const section = await services.sections.lookup(request.params.id)
    return send(request, reply, `/v1/feeds/sections/${section.id}`, {
      meta: { title: `${publisher}: ${section.name}`, description: section.description ?? `The latest articles in ${section.name}.`, link: site },
      filter: { section: section.id },
      key: `section-${section.id}`,
      version: `${section.id} ${section.version} ${section.updatedAt}`,
    })
  })

  app.get('/v1/feeds/topics/:id', { schema: { ...schema('getTopicFeed', 'A topic as a feed', true), params } }, async (request, reply) => {
    const topic = await services.topics.lookup(request.params.id)
    return send(request, reply, `/v1/feeds/topics/${topic.id}`, {
      meta: { title: `${publisher}: ${topic.name}`, description: topic.description ?? `The latest articles about ${topic.name}.`, link: site },
      filter: { topic: topic.id },
      key: `topic-${topic.id}`,
      version: `${topic.id} ${topic.version} ${topic.updatedAt}`,
    })
  })

  app.get('/v1/feeds/contributors/:id', { schema: { ...schema('getContributorFeed', 'A contributor as a feed', true), params } }, async (request, reply) => {
    const contributor = await services.contributors.lookup(request.params.id)
    return send(request, reply, `/v1/feeds/contributors/${contributor.id}`, {
      meta: { title: `${publisher}: ${contributor.name}`, description: contributor.bio ?? `The latest articles by ${contributor.name}.`, link: site },
      filter: { contributor: contributor.id },
      key: `contributor-${contributor.id}`,
      version: `${contributor.id} ${contributor.version} ${contributor.updatedAt}`,
    })
  })
}

export default feeds
