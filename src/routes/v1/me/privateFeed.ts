import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply } from 'fastify'
import type { FormatContext } from '../../../formats/context.js'
import { buildFeed, FEED_TYPES, type FeedFormat } from '../../../formats/feeds.js'
import type { ArticleOut } from '../../../schemas/article.js'
import type { ArticleService } from '../../../services/articles.js'
import type { ReaderService } from '../../../services/readers.js'
import { HEADERS, problems } from '../../common.js'
import { readerArticles } from './feed.js'
import { tags } from './common.js'

/** How many of the newest items a private feed holds. */
export const PRIVATE_FEED_ITEMS = 50

/** The private feed's formats: each at its own path, /v1/me/private-feed/{token}/{format}. */
const FORMATS: Record<FeedFormat, { operationId: string; name: string }> = {
  rss: { operationId: 'getPrivateFeedRss', name: 'RSS 2.0' },
  atom: { operationId: 'getPrivateFeedAtom', name: 'Atom 1.0' },
  json: { operationId: 'getPrivateFeedJson', name: 'JSON Feed 1.1' },
}

const params = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$', description: 'The private feed token (from PUT /v1/me/feed-token).' }) },
  { additionalProperties: false },
)

/**
 * The reader's feed for feed readers, which cannot send headers: the private
 * feed token in the path is the credential (it opens this feed and nothing
 * else; PUT /v1/me/feed-token replaces it, DELETE revokes it). An unknown or
 * revoked token is 404. Answers are private, with an ETag (304 while unchanged).
 * The document is built by the public feeds' builder (items link to the article
 * pages under PUBLIC_URL, never to the request's Host), with the follows each
 * item matched as its categories. It is built for each request: nothing of it
 * is kept in memory, so no cache shared between tokens can hold it.
 */
const privateFeed: FastifyPluginAsyncTypebox<{ service: ReaderService; articles: ArticleService; formats: FormatContext }> = async (app, { service, articles, formats }) => {
  async function send(format: FeedFormat, token: string, reply: FastifyReply) {
    const readerId = await service.readerOfFeedToken(token)
    const page = await service.feed(readerId, { limit: PRIVATE_FEED_ITEMS })
    const bodies = await readerArticles(articles, page)
    const items = page.items.map((item) => JSON.parse(bodies.get(item.articleId)!.toString('utf8')) as ArticleOut)
    const reasons = page.items.map((item) => item.reasons.map((r) => ({ name: r.target.name, term: r.target.slug })))
    const url = `${formats.baseUrl}/v1/me/private-feed/${token}`
    const meta = { url, self: `${url}/${format}`, title: 'myNEWS: your personal feed', description: 'The stories that match what you follow.', link: formats.baseUrl }
    const body = buildFeed(format, items, meta, formats, { categories: (_, i) => reasons[i]! })
    return reply.type(`${FEED_TYPES[format]}; charset=utf-8`).header('cache-control', 'private, no-cache').send(body)
  }

  for (const [format, { operationId, name }] of Object.entries(FORMATS) as [FeedFormat, (typeof FORMATS)[FeedFormat]][]) {
    app.get(
      `/v1/me/private-feed/:token/${format}`,
      {
        config: { scope: 'none', readerFeed: true },
        schema: {
          operationId,
          tags,
          summary: `The reader's feed as ${name}, at its private URL`,
          description:
            `The newest ${PRIVATE_FEED_ITEMS} items of GET /v1/me/feed, for feed readers, as the public feeds render them (see GET /v1/feeds/latest), ` +
            'with the follows each item matched as its categories. The token in the path is the credential ' +
            '(no Authorization header): get one with PUT /v1/me/feed-token, revoke it with DELETE. An unknown or revoked token is 404.',
          security: [],
          params,
          response: {
            200: {
              description: `${name}.`,
              content: { [FEED_TYPES[format]]: { schema: Type.String() } },
              headers: { ETag: HEADERS.etagOfAnswer, 'Cache-Control': Type.String({ description: 'private, no-cache.', 'x-required': true }) },
            },
            304: Type.Null({ description: 'Not Modified: the If-None-Match tag still matches.' }),
            ...problems(400, 401, 404),
          },
        },
      },
      (request, reply) => send(format, request.params.token, reply as FastifyReply),
    )
  }
}

export default privateFeed
