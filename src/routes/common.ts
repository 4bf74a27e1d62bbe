import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox'
import type { FastifyReply } from 'fastify'
import { PreconditionFailedProblem, Problem, ref } from '../schemas/common.js'
import type { RenderingMeta } from '../db/index.js'
import { PreconditionRequiredError, ValidationError } from '../errors.js'
import { ANY_VERSION, atVersion, type Precondition } from '../services/preconditions.js'

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid (problem with an `errors` list naming what was sent: `/body/...`, `/query/NAME`, `/headers/NAME`).',
  401: 'No API key, or one that is not valid.',
  403: 'The API key lacks the scope this operation needs.',
  404: 'No such resource.',
  406: 'None of the media types the request accepts (Accept, or `?format=`) is one this operation produces; `accepted` lists those it does.',
  409: 'The request conflicts with the current state (a taken slug, a resource still in use), or its Idempotency-Key is still in progress or was carried out without a stored answer (`/problems/idempotency-key-unanswered`).',
  412: 'If-Match does not match the current version (the problem says which version is current).',
  413: 'The request body is too large (`limitBytes` says the limit).',
  415: 'The request body is of a type this operation does not take (`accepted` lists those it does).',
  422: 'The Idempotency-Key was used before with a different request.',
  428: 'This write was sent without If-Match: send the ETag (or version) of the resource as you last read it.',
  503: 'The database is busy with another write (`/problems/database-busy`); nothing was changed. Retry after the seconds in the Retry-After header.',
  507: 'The server has no room left to store the write (`/problems/insufficient-storage`); nothing was changed. Reads still work.',
}

/** The problem code (the last segment of its `type`) each status answers with in the examples. */
const EXAMPLE_CODES: Record<number, [string, string, string]> = {
  400: ['validation', 'Bad Request', 'The request body is not valid.'],
  401: ['unauthorized', 'Unauthorized', 'This operation needs an API key: send Authorization: Bearer <key>.'],
  403: ['forbidden', 'Forbidden', "This operation needs the 'write' scope; this key has 'read'."],
  404: ['not-found', 'Not Found', "No article with id or slug 'no-such-story'."],
  406: ['not-acceptable', 'Not Acceptable', 'This resource is available as application/json, application/ld+json, application/vnd.iptc.ninjs+json; version=2, application/vnd.iptc.ninjs+json; version=3; the request accepts only application/xml.'],
  409: ['conflict', 'Conflict', 'The slug is taken.'],
  412: ['precondition-failed', 'Precondition Failed', 'The resource has changed: it is at version 3.'],
  413: ['body-too-large', 'Content Too Large', 'The request body is larger than the 1048576 bytes this operation takes.'],
  415: ['unsupported-media-type', 'Unsupported Media Type', 'This operation takes a body of type application/json; the request sent text/html.'],
  422: ['idempotency-key-reused', 'Unprocessable Content', 'This Idempotency-Key was already used with a different request.'],
  428: ['precondition-required', 'Precondition Required', 'This write needs an If-Match header with the current ETag (or version) of the resource.'],
  503: ['database-busy', 'Service Unavailable', 'The database is busy with another write; nothing was changed. Retry after the number of seconds in Retry-After.'],
  507: ['insufficient-storage', 'Insufficient Storage', 'The server has no room left to store this write; nothing was changed. Reads still work; retry once space has been freed.'],
  500: ['internal', 'Internal Server Error', 'Something went wrong on our side. The request id identifies it in our logs.'],
}

/** An example problem for a status, so that the docs show a 401 as a 401 (not a schema-made `"status": 400`). */
function example(code: number): Record<string, unknown> {
  const [name, title, detail] = EXAMPLE_CODES[code] ?? ['bad-request', 'Error', 'The request failed.']
  const extra = code === 400 ? { errors: [{ path: '/body/headlines/basic', message: 'must NOT have fewer than 1 characters' }] } : code === 412 ? { currentVersion: 3 } : code === 413 ? { limitBytes: 1048576 } : code === 415 ? { accepted: ['application/json'] } : code === 406 ? { accepted: ['application/json', 'application/ld+json'] } : {}
  return { type: `/problems/${name}`, title, status: code, detail, instance: '/v1/articles/ferry-timetable-changes-from-monday', requestId: '0b5e4c0e-1f7a-4c55-9d0b-2f6f4b1f3a11', ...extra }
}

/** Problem responses (application/problem+json) for the given status codes; 500 is always documented. A 412 always names the current version. */
export function problems(...codes: number[]) {
  const out: Record<number, unknown> = {}
  for (const code of [...codes, 500]) {
    const schema = code === 412 ? ref(PreconditionFailedProblem) : ref(Problem)
    out[code] = { description: DESCRIPTIONS[code] ?? 'An unexpected error.', content: { 'application/problem+json': { schema, example: example(code) } } }
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
  etag: header('The entity tag of this representation. For a versioned resource it is `"<version>-<hash>"`: send it back in If-Match to change the resource.', true),
  etagOfAnswer: header('The entity tag of this answer (a hash of it); send it in If-None-Match to get a 304 while it is unchanged.', true),
  lastModified: header('When the resource last changed (HTTP date).', true),
  location: header('The path of the new resource.', true),
  surrogateKey: header('Space-separated keys a CDN can purge by: `article-<id>`, `section-<id>`, `topic-<id>`, and `articles` on lists.', true),
  cacheControl: header('private, no-store for write keys (they may see drafts); public with a short max-age otherwise.', true),
  linkNext: header('The next page, as `<url>; rel="next"` (RFC 8288): the same request with its `cursor`; absent on the last page.', false),
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
export const ARTICLE_LIST_HEADERS = { ...ANSWER_HEADERS, 'Surrogate-Key': HEADERS.surrogateKey, Link: HEADERS.linkNext } satisfies HeaderSet

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
/** A write can also find the database busy (503, Retry-After) or the disk full (507). */
export const STORAGE_ERRORS = [503, 507]
export const WRITE_ERRORS = [400, 401, 403, 413, 415, ...STORAGE_ERRORS]

export const notModified = { 304: Type.Null({ description: 'Not Modified: the If-None-Match tag still matches.', headers: { ETag: HEADERS.etag } }) }

/**
 * If-Match is optional to the validator, so that a write without it gets the
 * 428 that explains it; the `x-required` marker makes it `required: true` in
 * the document (src/plugins/swagger.ts), so that generated SDKs ask for it.
 */
export const ifMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      maxLength: 500,
      description: 'The current ETag (or version) of the resource: `"3-9f86d081"`, `3` or `*`. Required: without it the answer is 428; a stale one gets 412, a malformed one 400.',
      'x-required': true,
    }),
  ),
})

/** What If-Match takes, for the 400 that answers a malformed one. */
export const IF_MATCH_FORM = '"*", an ETag as sent in the ETag header ("3-9f86d081"), or a version number (3)'

/**
 * The precondition an If-Match header sets for a write. `*` matches any
 * existing version; an entity tag (src/mappers/etag.ts) or a bare number names
 * a version. Well-formed entity tags none of which is ours name version -1,
 * which no resource is at, so the write gets 412. Throws 428 when the header
 * is absent, and 400 when it is not an entity-tag list (`If-Match: banana`):
 * a malformed precondition is the client's error, not a stale one.
 */
export function parseIfMatch(ifMatch: string | undefined): Precondition {
  if (ifMatch === undefined || ifMatch.trim() === '') throw new PreconditionRequiredError()
  const value = ifMatch.trim()
  if (value === '*') return ANY_VERSION
  const tags = value.split(',').map((tag) => tag.trim())
  if (!tags.every((tag) => /^\d{1,9}(-[0-9a-f]{1,64})?$/.test(tag) || /^(W\/)?"[\x21\x23-\x7e]*"$/.test(tag))) {
    throw new ValidationError(`If-Match must be ${IF_MATCH_FORM}.`, [{ path: '/headers/if-match', message: `must be ${IF_MATCH_FORM}` }])
  }
  for (const tag of tags) {
    const match = /^"?(\d{1,9})(?:-[0-9a-f]{1,64})?"?$/.exec(tag.replace(/^W\//, ''))
    if (match) return atVersion(Number(match[1]))
  }
  return atVersion(-1)
}

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
export function sendRendering(reply: FastifyReply, meta: RenderingMeta, body: Buffer | string | typeof NOT_MODIFIED, contentType = 'application/json; charset=utf-8'): FastifyReply {
  reply.header('etag', meta.etag).header('surrogate-key', meta.surrogateKeys).type(contentType)
  reply.lastModified = meta.updatedAt
  return reply.send(body === NOT_MODIFIED ? EMPTY : body)
}
const EMPTY = Buffer.alloc(0)
export const NOT_MODIFIED = Symbol('not modified')

/** The next page as a Link header (RFC 8288): the request's own path and query with `cursor` set. */
export function linkNext(reply: FastifyReply, requestUrl: string, next: string | null): FastifyReply {
  if (next === null) return reply
  const url = new URL(requestUrl, 'http://localhost')
  url.searchParams.set('cursor', next)
  return reply.header('link', `<${url.pathname}${url.search}>; rel="next"`)
}

/**
 * Sends a page of articles already serialised (see listJson); Surrogate-Key
 * names them all. No Last-Modified: a page changes when an item leaves it (an
 * unpublish) or joins it (an embargo ends) with no item newer than before, so
 * only its ETag, a hash of the page, can tell a client that it is unchanged.
 */
export function sendList(reply: FastifyReply, items: Pick<RenderingMeta, 'surrogateKeys'>[], body: Buffer | string, contentType = 'application/json; charset=utf-8'): FastifyReply {
  const keys = new Set(['articles'])
  for (const item of items) for (const key of item.surrogateKeys.split(' ')) keys.add(key)
  return reply.header('surrogate-key', [...keys].join(' ')).type(contentType).send(body)
}
