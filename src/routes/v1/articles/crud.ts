import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { Article, ArticleCreate, ArticleKeyParams, ArticleList, ArticleListQuery, ArticlePatch, ArticleReplace, RelatedQuery } from '../../../schemas/article.js'
import { ref } from '../../../schemas/common.js'
import type { ArticleService } from '../../../services/articles.js'
import { includedOf, listJson, mapArticle } from '../../../mappers/article.js'
import { noneMatch } from '../../../plugins/caching.js'
import {
  ARTICLE_LIST_HEADERS,
  ARTICLE_READ_HEADERS,
  CREATED_HEADERS,
  READ_ERRORS,
  RESOURCE_HEADERS,
  WRITE_ERRORS,
  created,
  linkNext,
  sendList,
  sendRendering,
  NOT_MODIFIED,
  idempotencyHeaders,
  ifMatchHeaders,
  ifNoneMatchHeaders,
  notModified,
  parseIfMatch,
  problems,
  versioned,
  ok,
  STORAGE_ERRORS,
} from '../../common.js'
import type { FormatContext } from '../../../formats/context.js'
import { ArticleReadQuery } from '../../../schemas/syndication.js'
import { ARTICLE_FORMATS_DOC, checkListQuery, contentTypeOf, formatEtag, formatFingerprint, negotiateArticle, renderArticle, renderList } from '../../formats.js'
import { forCaller as visibleTo } from './visible.js'
import type { Actor } from '../../../services/actor.js'
import type { StoredRendering } from '../../../db/index.js'

const tags = ['articles']
const params = ref(ArticleKeyParams)

/**
 * Articles: create, list and search, read, replace, change and delete, by id
 * or slug. The editorial actions are in workflow.ts, the revisions in revisions.ts.
 */
const articles: FastifyPluginAsyncTypebox<{ service: ArticleService; formats: FormatContext }> = async (app, { service, formats }) => {
  const forCaller = <T extends StoredRendering>(actor: Actor, items: T[]) => visibleTo(service, actor, items)
  const fingerprint = formatFingerprint(formats)

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
        response: { 201: ok(Article, 'The new article; Location names it.', CREATED_HEADERS), ...problems(...WRITE_ERRORS, 409, 422) },
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
        summary: 'List and search articles',
        description:
          'Newest first by default. Filters are AND-ed. Read keys and anonymous callers see published articles only; write keys see every status.',
        querystring: ref(ArticleListQuery),
        headers: ifNoneMatchHeaders,
        'x-formats': ARTICLE_FORMATS_DOC,
        response: { 200: ok(ArticleList, 'A page of articles (or, by Accept or `format`, a JSON-LD ItemList or a ninjs package).', ARTICLE_LIST_HEADERS), ...notModified, ...problems(...READ_ERRORS, 406) },
      },
    },
    async (request, reply) => {
      const format = negotiateArticle(request)
      checkListQuery(format, request.query)
      reply.header('vary', 'Accept')
      const page = await service.list(request.query, request.actor)
      const include = request.query.include?.split(',')
      const items = await forCaller(request.actor, page.items)
      linkNext(reply, request.url, page.next)
      if (format !== 'json') return sendList(reply, items, renderList(format, items, formats, `${formats.baseUrl}${request.url}`), contentTypeOf(format))
      const body = listJson(items, request.query.fields?.split(','), {
        next: page.next,
        ...(page.total === undefined ? {} : { total: page.total }),
        ...(page.partial ? { partial: true } : {}),
        ...(include && page.embedded ? { included: includedOf(page.embedded, include) } : {}),
      })
      return sendList(reply, items, body)
    },
  )

  app.get(
    '/v1/articles/:idOrSlug/related',
    {
      schema: {
        operationId: 'listRelatedArticles',
        tags,
        summary: 'Articles that share topics with this one, most shared first',
        params,
        querystring: ref(RelatedQuery),
        headers: ifNoneMatchHeaders,
        response: { 200: ok(ArticleList, 'Related articles (one page).', ARTICLE_LIST_HEADERS), ...notModified, ...problems(...READ_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const items = await forCaller(request.actor, await service.related(request.params.idOrSlug, request.actor, request.query.limit ?? 5))
      return sendList(reply, items, listJson(items, undefined, { next: null }))
    },
  )

  app.get(
    '/v1/articles/:idOrSlug',
    {
      schema: {
        operationId: 'getArticle',
        tags,
        summary: 'Get an article by id or slug',
        description:
          'JSON by default; by Accept (or `format`): a schema.org NewsArticle (`application/ld+json`) or an IPTC ninjs item ' +
          '(`application/vnd.iptc.ninjs+json`: 2.2, or 3.1 with `version=3` or `profile="http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"`). ' +
          'Each representation has its own ETag; anything else is a 406.',
        params,
        querystring: ref(ArticleReadQuery),
        headers: ifNoneMatchHeaders,
        'x-formats': ARTICLE_FORMATS_DOC,
        response: { 200: ok(Article, 'The article.', ARTICLE_READ_HEADERS), ...notModified, ...problems(...READ_ERRORS, 404, 406) },
      },
    },
    async (request, reply) => {
      const { idOrSlug } = request.params
      const format = negotiateArticle(request)
      reply.header('vary', 'Accept')
      // Every format's ETag derives from the stored JSON rendering's, so a 304 never loads or renders the article.
      const etagOf = (etag: string) => (format === 'json' ? etag : formatEtag(etag, format, fingerprint))
      const ifNoneMatch = request.headers['if-none-match']
      if (ifNoneMatch !== undefined) {
        const meta = await service.readMeta(idOrSlug, request.actor)
        // An article with related blocks may read differently for readers: it takes the full path below.
        if (meta.relatedIds === null && noneMatch(ifNoneMatch, etagOf(meta.etag))) return sendRendering(reply, { ...meta, etag: etagOf(meta.etag) }, NOT_MODIFIED, contentTypeOf(format))
      }
      const [rendering] = await forCaller(request.actor, [await service.read(idOrSlug, request.actor)])
      const body = format === 'json' ? rendering!.json : renderArticle(format, rendering!.json, formats)
      return sendRendering(reply, { ...rendering!, etag: etagOf(rendering!.etag) }, body, contentTypeOf(format))
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
        response: { 200: ok(Article, 'The article.', RESOURCE_HEADERS), ...problems(...WRITE_ERRORS, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const agg = await service.replace(request.params.idOrSlug, parseIfMatch(request.headers['if-match']), request.body, request.actor)
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
        response: { 200: ok(Article, 'The article.', RESOURCE_HEADERS), ...problems(...WRITE_ERRORS, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const agg = await service.patch(request.params.idOrSlug, parseIfMatch(request.headers['if-match']), request.body, request.actor)
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
        response: { 204: Type.Null({ description: 'Deleted.' }), ...problems(400, 401, 403, 404, 412, 428, ...STORAGE_ERRORS) },
      },
    },
    async (request, reply) => {
      await service.remove(request.params.idOrSlug, parseIfMatch(request.headers['if-match']))
      return reply.code(204).send(null)
    },
  )
}

export default articles
