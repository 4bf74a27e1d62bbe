import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply } from 'fastify'
import { IdParams, ref } from '../../../schemas/common.js'
import { Feed, FeedQuery, FeedToken, ReadMarks } from '../../../schemas/reader.js'
import { feedJson } from '../../../mappers/reader.js'
import { withoutUnseenRelated } from '../../../mappers/rendering.js'
import type { ReaderService, FeedPage } from '../../../services/readers.js'
import type { ArticleService } from '../../../services/articles.js'
import { anonymous } from '../../../services/actor.js'
import { ANSWER_HEADERS, ifNoneMatchHeaders, notModified, ok, problems, STORAGE_ERRORS } from '../../common.js'
import { READER_ERRORS, readerConfig, readerOf, tags } from './common.js'

/**
 * An item's article as readers may see it: related blocks naming something
 * they cannot see are left out (as in article lists).
 */
export async function readerArticles(articles: ArticleService, page: FeedPage): Promise<Map<string, Buffer>> {
  const ids = [...new Set(page.items.flatMap((item) => (item.relatedIds === null ? [] : (JSON.parse(item.relatedIds) as string[]))))]
  const visible = ids.length > 0 ? await articles.visibleIds(ids, anonymous) : new Set<string>()
  return new Map(page.items.map((item) => [item.articleId, item.relatedIds === null ? item.json : withoutUnseenRelated(item, visible).json]))
}

/**
 * The reader's feed (GET /v1/me/feed), read marks, and the private feed token.
 * Answers are `Cache-Control: private, no-cache` with an ETag (304 on If-None-Match).
 */
const feed: FastifyPluginAsyncTypebox<{ service: ReaderService; articles: ArticleService }> = async (app, { service, articles }) => {
  app.get(
    '/v1/me/feed',
    {
      config: readerConfig,
      schema: {
        operationId: 'getMyFeed',
        tags,
        summary: "The reader's feed: published articles matching any follow, minus mutes",
        description:
          'Newest first: published, non-embargoed articles that match any follow (a section follow includes its subsections), ' +
          'without those of muted topics and contributors, each listed once with the follows it matched (`reasons`). ' +
          'The cursor stays stable while new articles arrive. `since` gives only what is new; `unread=true` leaves out articles marked read; ' +
          '`order=relevance` ranks by matched follows and freshness (see the `order` parameter). An empty first page carries `suggestions`.',
        querystring: ref(FeedQuery),
        headers: ifNoneMatchHeaders,
        response: { 200: ok(Feed, 'A page of the feed.', ANSWER_HEADERS), ...notModified, ...problems(...READER_ERRORS) },
      },
    },
    async (request, reply) => {
      const page = await service.feed(readerOf(request), request.query)
      const bodies = await readerArticles(articles, page)
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(feedJson(page, (item) => bodies.get(item.articleId)!))
    },
  )

  app.post(
    '/v1/me/read',
    {
      config: readerConfig,
      schema: {
        operationId: 'markRead',
        tags,
        summary: 'Mark articles read (idempotent); ?unread=true leaves them out of the feed',
        body: ref(ReadMarks),
        response: { 204: Type.Null({ description: 'Marked.' }), ...problems(...READER_ERRORS, 404, 413, 415, ...STORAGE_ERRORS) },
      },
    },
    async (request, reply) => {
      await service.markRead(readerOf(request), request.body.articleIds)
      return reply.code(204).send(null)
    },
  )

  app.delete(
    '/v1/me/read/:id',
    {
      config: readerConfig,
      schema: {
        operationId: 'markUnread',
        tags,
        summary: 'Mark an article unread again',
        params: ref(IdParams),
        response: { 204: Type.Null({ description: 'Unmarked.' }), ...problems(...READER_ERRORS, 404, ...STORAGE_ERRORS) },
      },
    },
    async (request, reply) => {
      await service.unmarkRead(readerOf(request), request.params.id)
      return reply.code(204).send(null)
    },
  )

  app.put(
    '/v1/me/feed-token',
    {
      config: readerConfig,
      schema: {
        operationId: 'rotateFeedToken',
        tags,
        summary: 'Create (or replace) the private feed URL for feed readers',
        description:
          'Feed readers cannot send headers, so the feed is also at a private URL holding its own token (shown once, stored hashed). ' +
          'A new one replaces the old, which stops working at once; DELETE revokes it.',
        response: { 200: ok(FeedToken, 'The token and the URLs.'), ...problems(...READER_ERRORS, ...STORAGE_ERRORS) },
      },
    },
    async (request, reply) => {
      const token = await service.rotateFeedToken(readerOf(request))
      reply.header('cache-control', 'no-store')
      return { token, rss: `/v1/me/private-feed/${token}/rss`, atom: `/v1/me/private-feed/${token}/atom`, json: `/v1/me/private-feed/${token}/json` }
    },
  )

  app.delete(
    '/v1/me/feed-token',
    {
      config: readerConfig,
      schema: { operationId: 'revokeFeedToken', tags, summary: 'Revoke the private feed URL', response: { 204: Type.Null({ description: 'Revoked (or there was none).' }), ...problems(...READER_ERRORS, ...STORAGE_ERRORS) } },
    },
    async (request, reply) => {
      await service.revokeFeedToken(readerOf(request))
      return reply.code(204).send(null)
    },
  )
}

export default feed
