import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ForceQuery, IdParams, PageQuery, ref } from '../../schemas/common.js'
import { Media, MediaCreate, MediaList, MediaPatch } from '../../schemas/media.js'
import { mapMedia } from '../../mappers/catalog.js'
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

const tags = ['media']
const params = ref(IdParams)

/**
 * Media items (images, videos, audio) that articles use: create, list, get by id, change and delete with If-Match;
 * ?force=true deletes one that articles use, detaching it from them first.
 */
const media: FastifyPluginAsyncTypebox<{ service: Services['media'] }> = async (app, { service }) => {
  app.post(
    '/v1/media',
    {
      config: { scope: 'write', idempotent: true },
      schema: {
        operationId: 'createMedia',
        tags,
        summary: 'Create a media item',
        headers: idempotencyHeaders,
        body: ref(MediaCreate),
        response: { 201: ok(Media, 'The new media item; Location names it.', CREATED_HEADERS), ...problems(...WRITE_ERRORS, 409, 422) },
      },
    },
    async (request, reply) => {
      const row = await service.create(request.body)
      return created(reply, `/v1/media/${row.id}`, row, mapMedia(row))
    },
  )

  app.get(
    '/v1/media',
    {
      schema: {
        operationId: 'listMediaItems',
        tags,
        summary: 'List media items',
        querystring: ref(PageQuery),
        headers: ifNoneMatchHeaders,
        response: { 200: ok(MediaList, 'A page of media items.', ANSWER_HEADERS), ...notModified, ...problems(...READ_ERRORS) },
      },
    },
    async (request) => {
      const page = await service.list(request.query)
      return { data: page.items.map(mapMedia), next: page.next }
    },
  )

  app.get(
    '/v1/media/:id',
    {
      schema: {
        operationId: 'getMedia',
        tags,
        summary: 'Get a media item by id',
        params,
        headers: ifNoneMatchHeaders,
        response: { 200: ok(Media, 'The media item.', READ_HEADERS), ...notModified, ...problems(...READ_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const row = await service.get(request.params.id)
      return versioned(reply, row, mapMedia(row))
    },
  )

  app.patch(
    '/v1/media/:id',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'updateMedia',
        tags,
        summary: 'Change some fields of a media item (If-Match required)',
        params,
        headers: ifMatchHeaders,
        body: ref(MediaPatch),
        response: { 200: ok(Media, 'The media item.', RESOURCE_HEADERS), ...problems(...WRITE_ERRORS, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const row = await service.patch(request.params.id, parseIfMatch(request.headers['if-match']), request.body)
      return versioned(reply, row, mapMedia(row))
    },
  )

  app.delete(
    '/v1/media/:id',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'deleteMedia',
        tags,
        summary: 'Delete a media item (If-Match required); ?force=true detaches it from the articles using it',
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

export default media
