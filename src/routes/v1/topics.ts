import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ForceQuery, IdParams, PageQuery, ref } from '../../schemas/common.js'
import { Topic, TopicCreate, TopicList, TopicPatch } from '../../schemas/contributor.js'
import { mapTopic } from '../../mappers/catalog.js'
import type { Services } from '../../services/index.js'
import {
  ANSWER_HEADERS,
  CREATED_HEADERS,
  READ_ERRORS,
  READ_HEADERS,
  RESOURCE_HEADERS,
  STORAGE_ERRORS,
  WRITE_ERRORS,
  created,
  idempotencyHeaders,
  ifMatchHeaders,
  ifNoneMatchHeaders,
  notModified,
  ok,
  parseIfMatch,
  problems,
  versioned,
} from '../common.js'

const tags = ['topics']
const params = ref(IdParams)

/**
 * Topics that tag articles: create, list, get by id or slug, change and delete with If-Match;
 * ?force=true deletes one that articles use, detaching it from them first.
 */
const topics: FastifyPluginAsyncTypebox<{ service: Services['topics'] }> = async (app, { service }) => {
  app.post(
    '/v1/topics',
    {
      config: { scope: 'write', idempotent: true },
      schema: {
        operationId: 'createTopic',
        tags,
        summary: 'Create a topic',
        headers: idempotencyHeaders,
        body: ref(TopicCreate),
        response: { 201: ok(Topic, 'The new topic; Location names it.', CREATED_HEADERS), ...problems(...WRITE_ERRORS, 409, 422) },
      },
    },
    async (request, reply) => {
      const row = await service.create(request.body)
      return created(reply, `/v1/topics/${row.id}`, row, mapTopic(row))
    },
  )

  app.get(
    '/v1/topics',
    {
      schema: {
        operationId: 'listTopics',
        tags,
        summary: 'List topics',
        querystring: ref(PageQuery),
        headers: ifNoneMatchHeaders,
        response: { 200: ok(TopicList, 'A page of topics.', ANSWER_HEADERS), ...notModified, ...problems(...READ_ERRORS) },
      },
    },
    async (request) => {
      const page = await service.list(request.query)
      return { data: page.items.map(mapTopic), next: page.next }
    },
  )

  app.get(
    '/v1/topics/:id',
    {
      schema: {
        operationId: 'getTopic',
        tags,
        summary: 'Get a topic by id or slug',
        params,
        headers: ifNoneMatchHeaders,
        response: { 200: ok(Topic, 'The topic.', READ_HEADERS), ...notModified, ...problems(...READ_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const row = await service.get(request.params.id)
      return versioned(reply, row, mapTopic(row))
    },
  )

  app.patch(
    '/v1/topics/:id',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'updateTopic',
        tags,
        summary: 'Change some fields of a topic (If-Match required)',
        params,
        headers: ifMatchHeaders,
        body: ref(TopicPatch),
        response: { 200: ok(Topic, 'The topic.', RESOURCE_HEADERS), ...problems(...WRITE_ERRORS, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const row = await service.patch(request.params.id, parseIfMatch(request.headers['if-match']), request.body)
      return versioned(reply, row, mapTopic(row))
    },
  )

  app.delete(
    '/v1/topics/:id',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'deleteTopic',
        tags,
        summary: 'Delete a topic (If-Match required); ?force=true detaches it from the articles using it',
        params,
        querystring: ref(ForceQuery),
        headers: ifMatchHeaders,
        response: { 204: Type.Null({ description: 'Deleted.' }), ...problems(400, 401, 403, 404, 409, 412, 428, ...STORAGE_ERRORS) },
      },
    },
    async (request, reply) => {
      await service.remove(request.params.id, parseIfMatch(request.headers['if-match']), { force: request.query.force, actor: request.actor })
      return reply.code(204).send(null)
    },
  )
}

export default topics
