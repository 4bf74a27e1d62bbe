import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ForceQuery, IdParams, PageQuery, ref } from '../../schemas/common.js'
import { Section, SectionCreate, SectionList, SectionPatch } from '../../schemas/section.js'
import { mapSection } from '../../mappers/catalog.js'
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

const tags = ['sections']
const params = ref(IdParams)

/**
 * Sections: the tree articles are filed in: create, list, get by id or slug, change and delete with If-Match;
 * ?force=true deletes one that articles use, detaching it from them first.
 */
const sections: FastifyPluginAsyncTypebox<{ service: Services['sections'] }> = async (app, { service }) => {
  app.post(
    '/v1/sections',
    {
      config: { scope: 'write', idempotent: true },
      schema: {
        operationId: 'createSection',
        tags,
        summary: 'Create a section',
        headers: idempotencyHeaders,
        body: ref(SectionCreate),
        response: { 201: ok(Section, 'The new section; Location names it.', CREATED_HEADERS), ...problems(...WRITE_ERRORS, 409, 422) },
      },
    },
    async (request, reply) => {
      const row = await service.create(request.body)
      return created(reply, `/v1/sections/${row.id}`, row, mapSection(row))
    },
  )

  app.get(
    '/v1/sections',
    {
      schema: {
        operationId: 'listSections',
        tags,
        summary: 'List sections',
        querystring: ref(PageQuery),
        headers: ifNoneMatchHeaders,
        response: { 200: ok(SectionList, 'A page of sections.', ANSWER_HEADERS), ...notModified, ...problems(...READ_ERRORS) },
      },
    },
    async (request) => {
      const page = await service.list(request.query)
      return { data: page.items.map(mapSection), next: page.next }
    },
  )

  app.get(
    '/v1/sections/:id',
    {
      schema: {
        operationId: 'getSection',
        tags,
        summary: 'Get a section by id or slug',
        params,
        headers: ifNoneMatchHeaders,
        response: { 200: ok(Section, 'The section.', READ_HEADERS), ...notModified, ...problems(...READ_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const row = await service.get(request.params.id)
      return versioned(reply, row, mapSection(row))
    },
  )

  app.patch(
    '/v1/sections/:id',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'updateSection',
        tags,
        summary: 'Change some fields of a section (If-Match required)',
        params,
        headers: ifMatchHeaders,
        body: ref(SectionPatch),
        response: { 200: ok(Section, 'The section.', RESOURCE_HEADERS), ...problems(...WRITE_ERRORS, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const row = await service.patch(request.params.id, parseIfMatch(request.headers['if-match']), request.body)
      return versioned(reply, row, mapSection(row))
    },
  )

  app.delete(
    '/v1/sections/:id',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'deleteSection',
        tags,
        summary: 'Delete a section (If-Match required); ?force=true detaches it from the articles using it',
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

export default sections
