import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import { ActionBody, Article, ArticleKeyParams, CorrectionCreate, ScheduleBody } from '../../../schemas/article.js'
import { ref } from '../../../schemas/common.js'
import type { ArticleService } from '../../../services/articles.js'
import { mapArticle } from '../../../mappers/article.js'
import { OPTIONAL_BODY } from '../../../plugins/swagger.js'
import { RESOURCE_HEADERS, WRITE_ERRORS, ifMatchHeaders, ok, parseIfMatch, problems, versioned } from '../../common.js'

const tags = ['articles']
const params = ref(ArticleKeyParams)

/** The editorial actions on an article: publish, unpublish, archive, restore, schedule, and corrections. Each needs If-Match. */
const workflow: FastifyPluginAsyncTypebox<{ service: ArticleService }> = async (app, { service }) => {
  const actions = [
    ['publish', 'publishArticle', 'Publish an article now (If-Match required)'],
    ['unpublish', 'unpublishArticle', 'Take a published or scheduled article back to draft (If-Match required)'],
    ['archive', 'archiveArticle', 'Archive an article: it leaves every public list (If-Match required)'],
    ['restore', 'restoreArticle', 'Bring an archived article back as a draft (If-Match required)'],
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
          // Optional: validated when sent as JSON, absent otherwise; the marker makes the OpenAPI requestBody optional.
          [OPTIONAL_BODY]: true,
          body: Type.Unsafe<Static<typeof ActionBody> | undefined>({ content: { 'application/json': { schema: ref(ActionBody) } } }),
          response: { 200: ok(Article, 'The article.', RESOURCE_HEADERS), ...problems(...WRITE_ERRORS, 404, 409, 412, 428) },
        },
      },
      async (request, reply) => {
        const agg = await service.act(request.params.idOrSlug, parseIfMatch(request.headers['if-match']), action, request.actor, { message: request.body?.message })
        return versioned(reply, agg.article, mapArticle(agg))
      },
    )
  }

  app.post(
    '/v1/articles/:idOrSlug/schedule',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'scheduleArticle',
        tags,
        summary: 'Schedule a draft to publish at a future time (If-Match required)',
        params,
        headers: ifMatchHeaders,
        body: ref(ScheduleBody),
        response: { 200: ok(Article, 'The scheduled article.', RESOURCE_HEADERS), ...problems(...WRITE_ERRORS, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const { at, message } = request.body
      const agg = await service.act(request.params.idOrSlug, parseIfMatch(request.headers['if-match']), 'schedule', request.actor, { at, message })
      return versioned(reply, agg.article, mapArticle(agg))
    },
  )

  app.post(
    '/v1/articles/:idOrSlug/corrections',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'addCorrection',
        tags,
        summary: 'Append a correction shown to readers (If-Match required)',
        params,
        headers: ifMatchHeaders,
        body: ref(CorrectionCreate),
        response: { 200: ok(Article, 'The corrected article.', RESOURCE_HEADERS), ...problems(...WRITE_ERRORS, 404, 412, 428) },
      },
    },
    async (request, reply) => {
      const agg = await service.correct(request.params.idOrSlug, parseIfMatch(request.headers['if-match']), request.body.text, request.actor)
      return versioned(reply, agg.article, mapArticle(agg))
    },
  )
}

export default workflow
