import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import { ActionBody, Article, ArticleCreate, ArticleKeyParams, ArticleList, ArticlePatch, ArticleReplace } from '../../schemas/article.js'
import { PageQuery, ref } from '../../schemas/common.js'
import type { ArticleService } from '../../services/articles.js'
import { mapArticle } from '../../mappers/article.js'
import { READ_ERRORS, WRITE_ERRORS, created, idempotencyHeaders, ifMatchHeaders, ifNoneMatchHeaders, notModified, problems, versioned, ok } from '../common.js'

const tags = ['articles']
const params = ref(ArticleKeyParams)

/** Articles: CRUD by id or slug, and the editorial actions. */
const articles: FastifyPluginAsyncTypebox<{ service: ArticleService }> = async (app, { service }) => {
  app.post(
    '/v1/articles',
    {
      config: { scope: 'write', idempotent: true },
      schema: {
        operationId: 'createArticle',
        tags,
        summary: 'Create an article (a draft)',
        headers: idempotencyHeaders,
        body: ref(ArticleCreate),
        response: { 201: ok(Article, 'The new article; Location names it.'), ...problems(...WRITE_ERRORS, 409, 422) },
      },
    },
    async (request, reply) => {
      const agg = await service.create(request.body, request.actor)
      return created(reply, `/v1/articles/${agg.article.id}`, agg.article, mapArticle(agg))
    },
  )

  app.get(
    '/v1/articles',
    {
      schema: {
        operationId: 'listArticles',
        tags,
        summary: 'List articles, newest first',
        description: 'Read keys and anonymous callers see published articles only; write keys see every status.',
        querystring: ref(PageQuery),
        headers: ifNoneMatchHeaders,
        response: { 200: ok(ArticleList, 'A page of articles.'), ...notModified, ...problems(...READ_ERRORS) },
      },
    },
    async (request) => {
      const page = await service.list(request.query, request.actor)
      return { data: page.items.map(mapArticle), next: page.next }
    },
  )

  app.get(
    '/v1/articles/:idOrSlug',
    {
      schema: {
        operationId: 'getArticle',
        tags,
        summary: 'Get an article by id or slug',
        params,
        headers: ifNoneMatchHeaders,
        response: { 200: ok(Article, 'The article.'), ...notModified, ...problems(...READ_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const agg = await service.get(request.params.idOrSlug, request.actor)
      return versioned(reply, agg.article, mapArticle(agg))
    },
  )

  app.put(
    '/v1/articles/:idOrSlug',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'replaceArticle',
        tags,
        summary: 'Replace an article (If-Match required)',
        params,
        headers: ifMatchHeaders,
        body: ref(ArticleReplace),
        response: { 200: ok(Article, 'The article.'), ...problems(...WRITE_ERRORS, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const agg = await service.replace(request.params.idOrSlug, request.headers['if-match'], request.body, request.actor)
      return versioned(reply, agg.article, mapArticle(agg))
    },
  )

  app.patch(
    '/v1/articles/:idOrSlug',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'updateArticle',
        tags,
        summary: 'Change some fields of an article (If-Match required)',
        params,
        headers: ifMatchHeaders,
        body: ref(ArticlePatch),
        response: { 200: ok(Article, 'The article.'), ...problems(...WRITE_ERRORS, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const agg = await service.patch(request.params.idOrSlug, request.headers['if-match'], request.body, request.actor)
      return versioned(reply, agg.article, mapArticle(agg))
    },
  )

  app.delete(
    '/v1/articles/:idOrSlug',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'deleteArticle',
        tags,
        summary: 'Delete an article (If-Match required)',
        params,
        headers: ifMatchHeaders,
        response: { 204: Type.Null({ description: 'Deleted.' }), ...problems(400, 401, 403, 404, 412, 428) },
      },
    },
    async (request, reply) => {
      await service.remove(request.params.idOrSlug, request.headers['if-match'])
      return reply.code(204).send(null)
    },
  )

  const actions = [
    ['publish', 'publishArticle', 'Publish an article now (If-Match required)'],
    ['unpublish', 'unpublishArticle', 'Take a published article back to draft (If-Match required)'],
    ['archive', 'archiveArticle', 'Archive an article (If-Match required)'],
  ] as const
  for (const [action, operationId, summary] of actions) {
    app.post(
      `/v1/articles/:idOrSlug/${action}`,
      {
        config: { scope: 'write' },
        schema: {
          operationId,
          tags,
          summary,
          params,
          headers: ifMatchHeaders,
          // Optional: validated when sent as JSON, absent otherwise.
          body: Type.Unsafe<Static<typeof ActionBody> | undefined>({ content: { 'application/json': { schema: ref(ActionBody) } }, required: false }),
          response: { 200: ok(Article, 'The article.'), ...problems(...WRITE_ERRORS, 404, 412, 428) },
        },
      },
      async (request, reply) => {
        const agg = await service.setStatus(request.params.idOrSlug, request.headers['if-match'], action, request.actor, request.body?.message)
        return versioned(reply, agg.article, mapArticle(agg))
      },
    )
  }
}

export default articles
