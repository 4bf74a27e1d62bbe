import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ForceQuery, IdParams, PageQuery, ref } from '../../schemas/common.js'
import { Contributor, ContributorCreate, ContributorList, ContributorPatch } from '../../schemas/contributor.js'
import { mapContributor } from '../../mappers/catalog.js'
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

const tags = ['contributors']
const params = ref(IdParams)

/**
 * Contributors (people, agencies, organisations) credited on articles: create, list, get by id or slug, change and delete with If-Match;
 * ?force=true deletes one that articles use, detaching it from them first.
 */
const contributors: FastifyPluginAsyncTypebox<{ service: Services['contributors'] }> = async (app, { service }) => {
  app.post(
    '/v1/contributors',
    {
      config: { scope: 'write', idempotent: true },
      schema: {
        operationId: 'createContributor',
        tags,
        summary: 'Create a contributor',
        headers: idempotencyHeaders,
        body: ref(ContributorCreate),
        response: { 201: ok(Contributor, 'The new contributor; Location names it.', CREATED_HEADERS), ...problems(...WRITE_ERRORS, 409, 422) },
      },
    },
    async (request, reply) => {
      const row = await service.create(request.body)
      return created(reply, `/v1/contributors/${row.id}`, row, mapContributor(row))
    },
  )

  app.get(
    '/v1/contributors',
    {
      schema: {
        operationId: 'listContributors',
        tags,
        summary: 'List contributors',
        querystring: ref(PageQuery),
        headers: ifNoneMatchHeaders,
        response: { 200: ok(ContributorList, 'A page of contributors.', ANSWER_HEADERS), ...notModified, ...problems(...READ_ERRORS) },
      },
    },
    async (request) => {
      const page = await service.list(request.query)
      return { data: page.items.map(mapContributor), next: page.next }
    },
  )

  app.get(
    '/v1/contributors/:id',
    {
      schema: {
        operationId: 'getContributor',
        tags,
        summary: 'Get a contributor by id or slug',
        params,
        headers: ifNoneMatchHeaders,
        response: { 200: ok(Contributor, 'The contributor.', READ_HEADERS), ...notModified, ...problems(...READ_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const row = await service.get(request.params.id)
      return versioned(reply, row, mapContributor(row))
    },
  )

  app.patch(
    '/v1/contributors/:id',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'updateContributor',
        tags,
        summary: 'Change some fields of a contributor (If-Match required)',
        params,
        headers: ifMatchHeaders,
        body: ref(ContributorPatch),
        response: { 200: ok(Contributor, 'The contributor.', RESOURCE_HEADERS), ...problems(...WRITE_ERRORS, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const row = await service.patch(request.params.id, parseIfMatch(request.headers['if-match']), request.body)
      return versioned(reply, row, mapContributor(row))
    },
  )

  app.delete(
    '/v1/contributors/:id',
    {
      config: { scope: 'write' },
      schema: {
        operationId: 'deleteContributor',
        tags,
        summary: 'Delete a contributor (If-Match required); ?force=true detaches it from the articles using it',
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

export default contributors
