import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import { Article, ArticleKeyParams } from '../../../schemas/article.js'
import { PageQuery, ref } from '../../../schemas/common.js'
import { DiffQuery, RestoreBody, Revision, RevisionDiff, RevisionList, RevisionParams } from '../../../schemas/revision.js'
import type { ArticleService } from '../../../services/articles.js'
import { mapArticle, mapRevision, mapRevisionSummary } from '../../../mappers/article.js'
import { OPTIONAL_BODY } from '../../../plugins/swagger.js'
import { ANSWER_HEADERS, READ_ERRORS, RESOURCE_HEADERS, WRITE_ERRORS, ifMatchHeaders, ok, parseIfMatch, problems, versioned } from '../../common.js'

const tags = ['articles']
const params = ref(ArticleKeyParams)

/** An article's revisions (write scope): list them, read one, compare two, and make an old one's content current again. */
const revisions: FastifyPluginAsyncTypebox<{ service: ArticleService }> = async (app, { service }) => {
  app.get(
    '/v1/articles/:idOrSlug/revisions',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'listRevisions',
        tags,
        summary: 'List the revisions of an article, newest first',
        params,
        querystring: ref(PageQuery),
        response: { 200: ok(RevisionList, 'A page of revisions.', ANSWER_HEADERS), ...problems(...READ_ERRORS, 404) },
      },
    },
    async (request) => {
      const page = await service.revisions(request.params.idOrSlug, request.query)
      return { data: page.items.map(mapRevisionSummary), next: page.next }
    },
  )

  app.get(
    '/v1/articles/:idOrSlug/revisions/diff',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'diffRevisions',
        tags,
        summary: 'The fields that changed between two revisions',
        params,
        querystring: ref(DiffQuery),
        response: { 200: ok(RevisionDiff, 'The changed fields, with both values.', ANSWER_HEADERS), ...problems(...READ_ERRORS, 404) },
      },
    },
    async (request) => service.diff(request.params.idOrSlug, request.query.from, request.query.to),
  )

  app.get(
    '/v1/articles/:idOrSlug/revisions/:version',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'getRevision',
        tags,
        summary: 'Get one revision of an article',
        params: ref(RevisionParams),
        response: { 200: ok(Revision, 'The revision with its snapshot.', ANSWER_HEADERS), ...problems(...READ_ERRORS, 404) },
      },
    },
    async (request) => mapRevision(await service.revision(request.params.idOrSlug, request.params.version)),
  )

  app.post(
    '/v1/articles/:idOrSlug/revisions/:version/restore',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'restoreRevision',
        tags,
        summary: "Make an old revision's content current again, as a new revision (If-Match required)",
        params: ref(RevisionParams),
        headers: ifMatchHeaders,
        [OPTIONAL_BODY]: true,
        body: Type.Unsafe<Static<typeof RestoreBody> | undefined>({ content: { 'application/json': { schema: ref(RestoreBody) } } }),
        response: { 200: ok(Article, 'The article with the restored content.', RESOURCE_HEADERS), ...problems(...WRITE_ERRORS, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const { idOrSlug, version } = request.params
      const agg = await service.restoreRevision(idOrSlug, version, parseIfMatch(request.headers['if-match']), request.actor, request.body?.message)
      return versioned(reply, agg.article, mapArticle(agg))
    },
  )
}

export default revisions
