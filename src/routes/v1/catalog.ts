import type { PageRequest } from '../../services/cursor.js'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type TSchema } from '@sinclair/typebox'
import { ForceQuery, IdParams, PageQuery, ref } from '../../schemas/common.js'
import type { Actor } from '../../services/actor.js'
import type { Precondition } from '../../services/preconditions.js'
import {
  ANSWER_HEADERS,
  CREATED_HEADERS,
  READ_ERRORS,
  READ_HEADERS,
  RESOURCE_HEADERS,
  WRITE_ERRORS,
  created,
  idempotencyHeaders,
  ifMatchHeaders,
  ifNoneMatchHeaders,
  notModified,
  parseIfMatch,
  problems,
  versioned,
  ok,
  STORAGE_ERRORS,
} from '../common.js'

interface CatalogResource<Row extends { id: string; version: number; updatedAt: string }, Out> {
  path: string
  tag: string
  /** Singular and plural names for operationIds, e.g. ['Topic', 'Topics'] (createTopic, listTopics). */
  names: [string, string]
  /** Singular and plural words for summaries and descriptions, e.g. ['media item', 'media items']; by default the names in lower case. */
  labels?: [string, string]
  schemas: { create: TSchema; patch: TSchema; item: TSchema; list: TSchema }
  service: {
    create(input: never): Promise<Row>
    get(key: string): Promise<Row>
    list(query: PageRequest): Promise<{ items: Row[]; next: string | null }>
    patch(key: string, expected: Precondition, input: never): Promise<Row>
    remove(key: string, expected: Precondition, options?: { force?: boolean | undefined; actor?: Actor }): Promise<void>
  }
  map(row: Row): Out
  /** Whether DELETE takes ?force=true to detach the item from the articles using it (recorded in their revisions). */
  forceDelete?: boolean
}

/**
 * The routes of a catalogue resource (media, contributors, topics): create,
 * list, get by id (or slug), patch and delete with If-Match. One shape, so
 * every catalogue behaves the same for clients and SDKs.
 */
export function catalogRoutes<Row extends { id: string; version: number; updatedAt: string }, Out>(
  r: CatalogResource<Row, Out>,
): FastifyPluginAsyncTypebox {
  const [One, Many] = r.names
  const [one, many] = r.labels ?? [One.toLowerCase(), Many.toLowerCase()]
  const tags = [r.tag]
  const params = ref(IdParams)
  const path = `/v1/${r.path}`
  return async (app) => {
    app.post(
      path,
      {
        config: { scope: 'write', idempotent: true },
        schema: {
          operationId: `create${One}`,
          tags,
          summary: `Create a ${one}`,
          headers: idempotencyHeaders,
          body: ref(r.schemas.create),
          response: { 201: ok(r.schemas.item, `The new ${one}; Location names it.`, CREATED_HEADERS), ...problems(...WRITE_ERRORS, 409, 422) },
        },
      },
      async (request, reply) => {
        const row = await r.service.create(request.body as never)
        return created(reply, `${path}/${row.id}`, row, r.map(row))
      },
    )

    app.get(
      path,
      {
        schema: {
          operationId: `list${Many}`,
          tags,
          summary: `List ${many}`,
          querystring: ref(PageQuery),
          headers: ifNoneMatchHeaders,
          response: { 200: ok(r.schemas.list, `A page of ${many}.`, ANSWER_HEADERS), ...notModified, ...problems(...READ_ERRORS) },
        },
      },
      async (request) => {
        const page = await r.service.list(request.query)
        return { data: page.items.map(r.map), next: page.next }
      },
    )

    app.get(
      `${path}/:id`,
      {
        schema: {
          operationId: `get${One}`,
          tags,
          summary: `Get a ${one} by id${r.path === 'media' ? '' : ' or slug'}`,
          params,
          headers: ifNoneMatchHeaders,
          response: { 200: ok(r.schemas.item, `The ${one}.`, READ_HEADERS), ...notModified, ...problems(...READ_ERRORS, 404) },
        },
      },
      async (request, reply) => {
        const row = await r.service.get(request.params.id)
        return versioned(reply, row, r.map(row))
      },
    )

    app.patch(
      `${path}/:id`,
      {
        config: { scope: 'write' },
        schema: {
          operationId: `update${One}`,
          tags,
          summary: `Change some fields of a ${one} (If-Match required)`,
          params,
          headers: ifMatchHeaders,
          body: ref(r.schemas.patch),
          response: { 200: ok(r.schemas.item, `The ${one}.`, RESOURCE_HEADERS), ...problems(...WRITE_ERRORS, 404, 409, 412, 428) },
        },
      },
      async (request, reply) => {
        const row = await r.service.patch(request.params.id, parseIfMatch(request.headers['if-match']), request.body as never)
        return versioned(reply, row, r.map(row))
      },
    )

    app.delete(
      `${path}/:id`,
      {
        config: { scope: 'write' },
        schema: {
          operationId: `delete${One}`,
          tags,
          summary: r.forceDelete
            ? `Delete a ${one} (If-Match required); ?force=true detaches it from the articles using it`
            : `Delete a ${one} no article uses (If-Match required)`,
          params,
          ...(r.forceDelete ? { querystring: ref(ForceQuery) } : {}),
          headers: ifMatchHeaders,
          response: { 204: Type.Null({ description: 'Deleted.' }), ...problems(400, 401, 403, 404, 409, 412, 428, ...STORAGE_ERRORS) },
        },
      },
      async (request, reply) => {
        const force = (request.query as { force?: boolean } | undefined)?.force
        await r.service.remove(request.params.id, parseIfMatch(request.headers['if-match']), { force, actor: request.actor })
        return reply.code(204).send(null)
      },
    )
  }
}

