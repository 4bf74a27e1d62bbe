/**
 * A typed Newsdesk client: openapi-fetch over the types that `npm run client`
 * generates from openapi/openapi.json (./schema.d.ts). Every call returns
 * `{ data, error, response }`; `error` is the RFC 9457 problem.
 *
 *   const newsdesk = createNewsdeskClient('http://127.0.0.1:3000', process.env.NEWSDESK_KEY)
 *   const { data, error } = await newsdesk.GET('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: 'ferry-timetable' } } })
 *
 * - An article's `body` is a union tagged by `type`: `switch (block.type)` narrows
 *   each block to its fields (image and video blocks embed their `media`).
 * - Workflow actions (publish, unpublish, archive, restore, restoring a revision)
 *   take an optional body: `{ message }` or nothing.
 * - Response headers (ETag, Location, ...) are in `response.headers`; writes to an
 *   existing resource send the ETag back as `params.header['if-match']`.
 * - `GET /metrics` is text/plain: pass `{ parseAs: 'text' }`; so are the RSS and Atom feeds.
 * - Articles and lists also come as JSON-LD and IPTC ninjs (by Accept or `format`):
 *   the client types the JSON answers, which are what it asks for by default; ask
 *   for another format with `{ params: { query: { format: 'ninjs' } }, parseAs: 'json' }`
 *   and type the document yourself.
 * - A list asked for with `fields=` holds only those fields (and id): type its
 *   items as `SparseArticle<'headlines' | 'publishedAt'>`.
 *
 * This folder is an npm package (@newsdesk/client): `npm pack` (or
 * `npm run client:build` in the Newsdesk repository) builds it, and an app
 * depends on the tarball or the folder.
 */
import createClient, { type Client } from 'openapi-fetch'
import type { components, operations, paths } from './schema.js'

export type { components, operations, paths }
export type Schemas = components['schemas']
export type Problem = Schemas['Problem']
/** The 412 answer to a stale If-Match: it always names the version the resource is at now. */
export type PreconditionFailedProblem = Schemas['PreconditionFailedProblem']
/** A body block as read, and the block of one type (`BodyBlockOf<'image'>`). */
export type BodyBlock = Schemas['BodyBlockOut']
export type BodyBlockOf<K extends BodyBlock['type']> = Extract<BodyBlock, { type: K }>
/** An item of a list asked for with `fields=`: id and the fields named, nothing else. */
export type SparseArticle<K extends keyof Schemas['ArticleListItem']> = Pick<Schemas['ArticleListItem'], K | 'id'>
/**
 * The media types the client types answers by: JSON (not the JSON-LD or ninjs
 * alternatives the spec lists beside it), problems, text and the feed formats.
 */
export type NewsdeskMediaType = 'application/json' | 'application/problem+json' | 'text/plain' | 'application/rss+xml' | 'application/atom+xml' | 'application/feed+json'
export type NewsdeskClient = Client<paths, NewsdeskMediaType>

/** A client for the API at `baseUrl`; with `apiKey`, every request sends `Authorization: Bearer <apiKey>`. */
export function createNewsdeskClient(baseUrl: string, apiKey?: string): NewsdeskClient {
  return createClient<paths, NewsdeskMediaType>({ baseUrl, headers: apiKey === undefined ? {} : { Authorization: `Bearer ${apiKey}` } })
}
