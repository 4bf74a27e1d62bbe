import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ChangeList, ChangeQuery } from '../../schemas/change.js'
import { ref } from '../../schemas/common.js'
import type { ArticleService } from '../../services/articles.js'
import { READ_ERRORS, ifNoneMatchHeaders, notModified, ok, problems } from '../common.js'

/** The changes feed: everything a partner needs to mirror the archive, in order. */
const changes: FastifyPluginAsyncTypebox<{ service: ArticleService }> = async (app, { service }) => {
  app.get(
    '/v1/changes',
    {
      schema: {
        operationId: 'listChanges',
        tags: ['articles'],
        summary: 'Changes to articles since a cursor, in order (to mirror the archive)',
        querystring: ref(ChangeQuery),
        headers: ifNoneMatchHeaders,
        response: { 200: ok(ChangeList, 'The next changes.'), ...notModified, ...problems(...READ_ERRORS) },
      },
    },
    async (request, reply) => {
      const page = await service.changes(request.query, request.actor)
      reply.header('cache-control', 'no-cache')
      return {
        data: page.items.map(({ seq, kind, articleId, version, at }) => ({ seq, kind, articleId, version, at })),
        next: page.next,
        more: page.more,
      }
    },
  )
}

export default changes
