import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox'
import type { FastifyReply } from 'fastify'
import { PreconditionFailedProblem, Problem, ref } from '../schemas/common.js'
import type { RenderingMeta } from '../db/index.js'

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid (problem with an `errors` list).',
  401: 'No API key, or one that is not valid.',
  403: 'The API key lacks the scope this operation needs.',
  404: 'No such resource.',
  409: 'The request conflicts with the current state (a taken slug, a resource still in use).',
  412: 'If-Match does not match the current version (the problem says which version is current).',
  413: 'The request body is too large.',
  415: 'The request body is not JSON.',
  422: 'The Idempotency-Key was used before with a different request.',
  428: 'This write needs an If-Match header.',
}

/** Problem responses (application/problem+json) for the given status codes; 500 is always documented. A 412 always names the current version. */
export function problems(...codes: number[]) {
  const out: Record<number, unknown> = {}
  for (const code of [...codes, 500]) {
    const schema = code === 412 ? ref(PreconditionFailedProblem) : ref(Problem)
    out[code] = { description: DESCRIPTIONS[code] ?? 'An unexpected error.', content: { 'application/problem+json': { schema } } }
  }
  return out as Record<number, TUnsafe<Static<typeof Problem>>>
}

/**
 * A documented response header. `x-required` is a marker for the OpenAPI
 * document only (src/plugins/swagger.ts turns it into the header's
 * `required: true`): the header is on every such response.
 */
const header = (description: string, required: boolean, options: object = {}) =>
  Type.String({ description, ...options, ...(required ? { 'x-required': true } : {}) })

/** The response headers the API sets, by name as documented (HTTP header names are case-insensitive). */
export const HEADERS = {
  etag: header('The entity tag of this representation. For a versioned resource it is "<version>-<hash>": send it back in If-Match to change the resource.', true),
  etagOfAnswer: header('The entity tag of this answer (a hash of it); send it in If-None-Match to get a 304 while it is unchanged.', true),
  lastModified: header('When the resource last changed (HTTP date).', true),
  lastModifiedOfList: header('When the newest item of the page last changed (HTTP date); absent on an empty page.', false),
  location: header('The path of the new resource.', true),
  surrogateKey: header('Space-separated keys a CDN can purge by: article-<id>, section-<id>, topic-<id>, and "articles" on lists.', true),
  cacheControl: header('private, no-store for write keys (they may see drafts); public with a short max-age otherwise.', true),
  idempotentReplayed: header('"true" when this is the stored answer to an earlier request with the same Idempotency-Key.', false, { enum: ['true'] }),
} as const

export type HeaderSet = Record<string, TSchema>

/** Response headers by operation kind. */
export const RESOURCE_HEADERS = { ETag: HEADERS.etag, 'Last-Modified': HEADERS.lastModified } satisfies HeaderSet
export const CREATED_HEADERS = { Location: HEADERS.location, ...RESOURCE_HEADERS, 'Idempotent-Replayed': HEADERS.idempotentReplayed } satisfies HeaderSet
export const READ_HEADERS = { ...RESOURCE_HEADERS, 'Cache-Control': HEADERS.cacheControl } satisfies HeaderSet
/** A GET whose answer is not one versioned resource (a page, a revision): its ETag is a hash of the body. */
export const ANSWER_HEADERS = { ETag: HEADERS.etagOfAnswer, 'Cache-Control': HEADERS.cacheControl } satisfies HeaderSet
export const ARTICLE_READ_HEADERS = { ...READ_HEADERS, 'Surrogate-Key': HEADERS.surrogateKey } satisfies HeaderSet
export const ARTICLE_LIST_HEADERS = { ...ANSWER_HEADERS, 'Last-Modified': HEADERS.lastModifiedOfList, 'Surrogate-Key': HEADERS.surrogateKey } satisfies HeaderSet

/**
 * A success response: the schema by $ref, with a description and, optionally,
 * the response headers for the docs. The body is still serialised by the
 * schema: fast-json-stringify ignores the `headers` keyword, and
 * @fastify/swagger turns it into the response's `headers`.
 */
export function ok<T extends TSchema>(schema: T, description: string, headers?: HeaderSet): TUnsafe<Static<T>> {
  return Type.Unsafe<Static<T>>({ ...ref(schema), description, ...(headers ? { headers } : {}) })
}

export const READ_ERRORS = [400, 401, 403]
export const WRITE_ERRORS = [400, 401, 403, 413, 415]

export const notModified = { 304: Type.Null({ description: 'Not Modified: the If-None-Match tag still matches.', headers: { ETag: HEADERS.etag } }) }

export const ifMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ maxLength: 500, description: 'The current ETag (or version) of the resource. Required; a stale one gets 412.' }),
  ),
})
export const ifNoneMatchHeaders = Type.Object({
  'if-none-match': Type.Optional(Type.String({ maxLength: 2000, description: 'ETags the client holds; a match gets 304.' })),
})
export const idempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, description: 'Makes a retried create return the first answer instead of creating twice.' }),
  ),
})

/** Marks the reply as a versioned resource (ETag, Last-Modified) and returns the mapped body. */
export function versioned<T>(reply: FastifyReply, resource: { version: number; updatedAt: string }, body: T): T {
  reply.resourceVersion = { version: resource.version, modifiedAt: resource.updatedAt }
  return body
}

export function created<T>(reply: FastifyReply, location: string, resource: { version: number; updatedAt: string }, body: T): T {
  reply.code(201).header('location', location)
  return versioned(reply, resource, body)
}

/**
 * Sends a stored article rendering as it is (JSON bytes made when the version
 * was written), with its ETag, Last-Modified and Surrogate-Key. The caching
 * plugin adds Cache-Control and Vary, and answers 304 for a matching
 * If-None-Match: `notModified` sends an empty body for that, so that a 304
 * never loads the article.
 */
export function sendRendering(reply: FastifyReply, meta: RenderingMeta, body: Buffer | typeof NOT_MODIFIED): FastifyReply {
  reply.header('etag', meta.etag).header('surrogate-key', meta.surrogateKeys).type('application/json; charset=utf-8')
  reply.lastModified = meta.updatedAt
  return reply.send(body === NOT_MODIFIED ? EMPTY : body)
}
const EMPTY = Buffer.alloc(0)
export const NOT_MODIFIED = Symbol('not modified')

/**
 * Sends a page of articles already serialised (see listJson): Last-Modified is
 * the newest change among its items; Surrogate-Key names them all.
 */
export function sendList(reply: FastifyReply, items: Pick<RenderingMeta, 'updatedAt' | 'surrogateKeys'>[], body: Buffer): FastifyReply {
  const keys = new Set(['articles'])
  let newest: string | null = null
  for (const item of items) {
    if (newest === null || item.updatedAt > newest) newest = item.updatedAt
    for (const key of item.surrogateKeys.split(' ')) keys.add(key)
  }
  if (newest) reply.lastModified = newest
  return reply.header('surrogate-key', [...keys].join(' ')).type('application/json; charset=utf-8').send(body)
}
