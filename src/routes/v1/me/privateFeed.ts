import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { READER_FEED_TYPES, renderReaderFeed, type ReaderFeedEntry, type ReaderFeedFormat } from '../../../formats/readerFeed.js'
import type { ArticleService } from '../../../services/articles.js'
import type { ReaderService } from '../../../services/readers.js'
import { HEADERS, problems } from '../../common.js'
import { readerArticles } from './feed.js'
import { tags } from './common.js'

/** How many of the newest items a private feed holds. */
export const PRIVATE_FEED_ITEMS = 50

const params = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$', description: 'The private feed token (from PUT /v1/me/feed-token).' }) },
  { additionalProperties: false },
)

/**
 * The reader's feed for feed readers, which cannot send headers: the private
 * feed token in the path is the credential (it opens this feed and nothing
 * else; PUT /v1/me/feed-token replaces it, DELETE revokes it). An unknown or
 * revoked token is 404. Answers are private, with an ETag (304 while unchanged).
 */
const privateFeed: FastifyPluginAsyncTypebox<{ service: ReaderService; articles: ArticleService }> = async (app, { service, articles }) => {
  async function send(format: ReaderFeedFormat, token: string, request: FastifyRequest, reply: FastifyReply) {
    const readerId = await service.readerOfFeedToken(token)
    const page = await service.feed(readerId, { limit: PRIVATE_FEED_ITEMS })
    const bodies = await readerArticles(articles, page)
    const entries: ReaderFeedEntry[] = page.items.map((item) => ({
      article: JSON.parse(bodies.get(item.articleId)!.toString('utf8')) as ReaderFeedEntry['article'],
      reasons: item.reasons.map((r) => r.target.name),
    }))
    const body = renderReaderFeed(format, entries, { baseUrl: `${request.protocol}://${request.host}`, selfPath: request.url })
    return reply.type(READER_FEED_TYPES[format]).header('cache-control', 'private, no-cache').send(body)
  }

  for (const format of ['rss', 'json'] as const) {
    app.get(
      `/v1/me/private-feed/:token/${format}`,
      {
        config: { scope: 'none', readerFeed: true },
        schema: {
          operationId: format === 'rss' ? 'getPrivateFeedRss' : 'getPrivateFeedJson',
          tags,
          summary: format === 'rss' ? "The reader's feed as RSS 2.0, at its private URL" : "The reader's feed as JSON Feed, at its private URL",
          description:
            `The newest ${PRIVATE_FEED_ITEMS} items of GET /v1/me/feed, for feed readers. The token in the path is the credential ` +
            '(no Authorization header): get one with PUT /v1/me/feed-token, revoke it with DELETE. An unknown or revoked token is 404.',
          security: [],
          params,
          response: {
            200: {
              description: format === 'rss' ? 'RSS 2.0.' : 'JSON Feed.',
              content: { [READER_FEED_TYPES[format].split(';')[0]!]: { schema: Type.String() } },
              headers: { ETag: HEADERS.etagOfAnswer, 'Cache-Control': Type.String({ description: 'private, no-cache.', 'x-required': true }) },
            },
            304: Type.Null({ description: 'Not Modified: the If-None-Match tag still matches.' }),
            ...problems(400, 401, 404),
          },
        },
      },
      (request, reply) => send(format, request.params.token, request, reply as FastifyReply),
    )
  }
}

export default privateFeed
