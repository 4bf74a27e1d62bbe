/**
 * A typed Newsdesk client: openapi-fetch over the types that `npm run client`
 * generates from openapi/openapi.json (./schema.d.ts). Every call returns
 * `{ data, error, response }`; `error` is the RFC 9457 problem.
 *
 *   const newsdesk = createNewsdeskClient('http://127.0.0.1:3000', process.env.NEWSDESK_KEY)
 *   const { data, error } = await newsdesk.GET('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: 'ferry-timetable' } } })
 */
import createClient, { type Client } from 'openapi-fetch'
import type { components, operations, paths } from './schema.js'

export type { components, operations, paths }
export type Schemas = components['schemas']
export type Problem = Schemas['Problem']
export type NewsdeskClient = Client<paths>

/** A client for the API at `baseUrl`; with `apiKey`, every request sends `Authorization: Bearer <apiKey>`. */
export function createNewsdeskClient(baseUrl: string, apiKey?: string): NewsdeskClient {
  return createClient<paths>({ baseUrl, headers: apiKey === undefined ? {} : { Authorization: `Bearer ${apiKey}` } })
}
