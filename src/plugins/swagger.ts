import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { MAX_PARAM_LENGTH } from './problem.js'
import { CONSISTENCY_TOKEN_PATTERN } from './consistency.js'
import { webhookDocs } from '../schemas/webhook.js'

export const API_VERSION = '0.1.0'

/** Route schema key: the body is optional (see finishDocument). */
export const OPTIONAL_BODY = 'x-optional-body'
/** Header schema key: a response header that is always sent, or a request header that clients must send (see finishDocument). */
export const REQUIRED_HEADER = 'x-required'
/** Operation marker: the route is rate limited (config.rateLimit is not false), so it may answer 429 (see finishDocument). */
export const RATE_LIMITED = 'x-rate-limited'
/** Operation key: the other media types its 200 answers with (by content negotiation), each with its schema (see finishDocument). */
export const FORMATS = 'x-formats'

interface JsonSchema {
  $ref?: string
  type?: string
  required?: string[]
  oneOf?: JsonSchema[]
  discriminator?: { propertyName: string; mapping?: Record<string, string> }
  properties?: Record<string, JsonSchema>
  enum?: unknown[]
  const?: unknown
}
interface Header {
  required?: boolean
  schema?: Record<string, unknown>
}
interface Parameter {
  in?: string
  required?: boolean
  schema?: Record<string, unknown>
}
interface Operation {
  parameters?: Parameter[]
  requestBody?: { required?: boolean; content?: Record<string, unknown> }
  responses?: Record<string, { description?: string; content?: unknown; headers?: Record<string, Header> }>
  [key: string]: unknown
}
interface Document {
  paths?: Record<string, Record<string, Operation | unknown>>
  components?: { schemas?: Record<string, JsonSchema>; parameters?: Record<string, unknown>; headers?: Record<string, unknown> }
}

/**
 * A discriminator without `mapping` means, in OpenAPI, that the tag values are
 * the component names ("ParagraphBlock"); ours are the branches' single
 * `const`/`enum` values ("paragraph"). Ajv refuses `mapping`, so the route
 * schemas cannot carry one: it is derived here, in the document only.
 */
function mapDiscriminator(name: string, schema: JsonSchema, schemas: Record<string, JsonSchema>): void {
  const d = schema.discriminator
  if (!d || d.mapping || !schema.oneOf) return
  const mapping: Record<string, string> = {}
  for (const branch of schema.oneOf) {
    const target = branch.$ref ? schemas[branch.$ref.replace('#/components/schemas/', '')] : undefined
    const tag = target?.properties?.[d.propertyName]
    const value = tag?.const ?? (tag?.enum?.length === 1 ? tag.enum[0] : undefined)
    if (typeof value !== 'string' || !branch.$ref) throw new Error(`${name}: discriminator branch ${branch.$ref ?? '(inline)'} has no single ${d.propertyName} value`)
    mapping[value] = branch.$ref
  }
  d.mapping = mapping
}

const TOO_MANY_REQUESTS = {
  description: 'The key (or, without one, the address) went over its requests per minute (`/problems/rate-limited`). Retry after the seconds in Retry-After.',
  headers: {
    'Retry-After': { required: true, description: 'Seconds until the limit resets.', schema: { type: 'string' } },
    'RateLimit-Limit': { required: true, description: 'Requests allowed per minute.', schema: { type: 'string' } },
    'RateLimit-Remaining': { required: true, description: 'Requests left in this minute (0).', schema: { type: 'string' } },
    'RateLimit-Reset': { required: true, description: 'Seconds until the limit resets.', schema: { type: 'string' } },
  },
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
}

const TOKEN_DESCRIPTION =
  'Where a deployment has a read replica (DATABASE_REPLICA_URL), a successful write answers with a token for the state it left; ' +
  'a GET that sends it back reads from the primary until the replica has caught up, so that a client reads its own writes. ' +
  'Opaque: send it back unchanged. Without a replica none is given, and one sent changes nothing.'

/** The Consistency-Token (src/plugins/consistency.ts): a request header of every /v1 read, a response header of every /v1 write that succeeds. */
const CONSISTENCY = {
  parameter: { name: 'Consistency-Token', in: 'header', required: false, description: TOKEN_DESCRIPTION, schema: { type: 'string', pattern: CONSISTENCY_TOKEN_PATTERN } },
  header: { description: TOKEN_DESCRIPTION, schema: { type: 'string', pattern: CONSISTENCY_TOKEN_PATTERN } },
}

const BAD_TOKEN = {
  description: 'The Consistency-Token header is malformed (`/problems/validation`).',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
}

const URI_TOO_LONG = {
  description: `A path parameter is longer than ${MAX_PARAM_LENGTH} characters (no id or slug is that long).`,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
}

/**
 * The last touches @fastify/swagger cannot express (its transformObject hook):
 *  - a route schema with `x-optional-body: true` gets `requestBody.required: false`
 *    (@fastify/swagger always writes true), so clients may leave the body out;
 *  - a response header whose schema has `x-required: true` gets `required: true`;
 *  - so does a request header parameter with it: If-Match is optional to the
 *    validator, so that a write without it gets the 428 that explains it, but
 *    `required` in the document makes generated SDKs ask for it;
 *  - a PATCH that takes JSON also lists application/merge-patch+json (the
 *    same body; the app parses both, see src/app.ts);
 *  - an operation with a path parameter documents the router's 414 for an over-long one;
 *  - a rate-limited operation (marked by the swagger transform) documents the 429;
 *  - an operation with `x-formats` lists those media types (content negotiation) beside its 200's JSON;
 *  - every discriminator gets its `mapping` (see mapDiscriminator), and its
 *    union loses the `type: object` and `required` the validator needs but the
 *    branches already say, so that the docs show the branches by their titles.
 * The markers are removed from the document.
 */
export function finishDocument(input: Document): Document {
  const doc = structuredClone(input)
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, value] of Object.entries(item)) {
      if (typeof value !== 'object' || value === null || !('responses' in value)) continue
      const op = value as Operation
      if (path.startsWith('/v1/')) consistencyToken(method, op)
      // The router answers 414 itself for a path parameter over MAX_PARAM_LENGTH (src/plugins/problem.ts), before any route schema applies.
      if (path.includes('{') && op.responses && !op.responses['414']) op.responses['414'] = URI_TOO_LONG
      if (op[RATE_LIMITED] === true && op.responses && !op.responses['429']) op.responses['429'] = structuredClone(TOO_MANY_REQUESTS)
      delete op[RATE_LIMITED]
      const formats = op[FORMATS] as Record<string, unknown> | undefined
      const okResponse = op.responses?.['200'] as { content?: Record<string, unknown> } | undefined
      if (formats && okResponse) {
        okResponse.content = { ...okResponse.content, ...Object.fromEntries(Object.entries(formats).map(([type, schema]) => [type, { schema: structuredClone(schema) }])) }
      }
      delete op[FORMATS]
      if (op[OPTIONAL_BODY] === true) {
        if (!op.requestBody) throw new Error(`${String(op.operationId)}: ${OPTIONAL_BODY} on an operation without a body`)
        op.requestBody.required = false
      }
      delete op[OPTIONAL_BODY]
      for (const p of op.parameters ?? []) {
        if (p.in === 'header' && p.schema?.[REQUIRED_HEADER] === true) p.required = true
        delete p.schema?.[REQUIRED_HEADER]
      }
      const json = op.requestBody?.content?.['application/json']
      if (method === 'patch' && json) op.requestBody!.content!['application/merge-patch+json'] = structuredClone(json)
      for (const response of Object.values(op.responses ?? {})) {
        for (const h of Object.values(response.headers ?? {})) {
          if (h.schema?.[REQUIRED_HEADER] === true) h.required = true
          delete h.schema?.[REQUIRED_HEADER]
        }
      }
    }
  }
  if (doc.components) {
    doc.components.parameters = { ...doc.components.parameters, ConsistencyToken: CONSISTENCY.parameter }
    doc.components.headers = { ...doc.components.headers, ConsistencyToken: CONSISTENCY.header }
  }
  const schemas = doc.components?.schemas ?? {}
  for (const [name, schema] of Object.entries(schemas)) {
    mapDiscriminator(name, schema, schemas)
    if (schema.discriminator && schema.oneOf) {
      delete schema.type
      delete schema.required
    }
  }
  return doc
}

/** A /v1 read takes a Consistency-Token (and may answer 400 for a malformed one); a /v1 write's success gives one. */
function consistencyToken(method: string, op: Operation): void {
  if (method === 'get' || method === 'head') {
    op.parameters = [...(op.parameters ?? []), { $ref: '#/components/parameters/ConsistencyToken' } as Parameter]
    if (op.responses && !op.responses['400']) op.responses['400'] = structuredClone(BAD_TOKEN)
    return
  }
  for (const [status, response] of Object.entries(op.responses ?? {})) {
    if (status.startsWith('2')) response.headers = { ...response.headers, 'Consistency-Token': { $ref: '#/components/headers/ConsistencyToken' } as Header }
  }
}

/**
 * Each operation's own `security`, from the scope its route needs (config.scope,
 * read by default; see src/plugins/auth.ts) unless its schema says it: `[]` for
 * a public one, a key or none for reads (anonymous reads are a deployment's
 * choice: ANONYMOUS_READS), a key for writes and admin operations, a reader
 * token for the myNEWS operations (/v1/me/...).
 */
export function securityOf(scope: string | undefined): Record<string, string[]>[] {
  if (scope === 'none') return []
  if (scope === 'reader') return [{ reader: [] }]
  return scope === 'write' || scope === 'admin' ? [{ bearer: [] }] : [{ bearer: [] }, {}]
}

/** The OpenAPI document is generated from the route schemas; shared schemas keep their $id as component names. */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Newsdesk',
          version: API_VERSION,
          description:
            'A REST content API for newsrooms. Errors are RFC 9457 problem+json: GET a problem `type` (/problems/validation) for a page that explains it, and ' +
            'error paths name what was sent: /body/... (a JSON pointer into the body), /query/NAME, /params/NAME, /headers/NAME. ' +
            'Writes to existing resources need If-Match (428 without it, 412 when stale); POSTs accept Idempotency-Key.',
        },
        servers: [{ url: '/' }],
        tags: [
          { name: 'articles', description: 'News articles and their editorial workflow' },
          { name: 'media', description: 'Photos, videos and audio' },
          { name: 'contributors', description: 'Authors, agencies and organisations credited on articles' },
          { name: 'topics', description: 'People, places, organisations, subjects and events articles are about' },
          { name: 'sections', description: 'The section tree (news/world/asia); an article sits in one section' },
          { name: 'feeds', description: 'RSS 2.0, Atom 1.0 and JSON Feed 1.1 of published articles: latest, by section, topic and contributor' },
          { name: 'imports', description: 'Ingest: raw text (a copied news page, wire copy) becomes a draft article' },
          { name: 'archive', description: 'Bulk NDJSON export and import of the whole archive (admin scope)' },
          { name: 'api-keys', description: 'API keys (admin scope)' },
          { name: 'webhooks', description: 'Webhook subscriptions and their deliveries (admin scope); the events they send are under webhooks' },
          { name: 'myNEWS', description: 'Readers, their follows and mutes, and their personal feed (a reader token)' },
          { name: 'system', description: 'Health, readiness, metrics and this document' },
        ],
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer <key>`' },
            reader: {
              type: 'http',
              scheme: 'bearer',
              description: 'A myNEWS reader token (`rd_...`, from POST /v1/readers): `Authorization: Bearer <token>`. It opens only the /v1/me operations, which take nothing else.',
            },
          },
        },
        security: [{ bearer: [] }, {}],
        webhooks: webhookDocs() as never,
      },
      transform: ({ schema, url, route }) => {
        const own = schema as (typeof schema & { security?: unknown }) | undefined
        if (!own) return { schema, url }
        const config = route.config as { scope?: string; rateLimit?: unknown } | undefined
        return {
          schema: {
            ...own,
            ...(own.security ? {} : { security: securityOf(config?.scope) }),
            ...(config?.rateLimit === false ? {} : { [RATE_LIMITED]: true }),
          } as typeof schema,
          url,
        }
      },
      transformObject: (document) => finishDocument((document as { openapiObject: Document }).openapiObject) as never,
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
    })
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list', deepLinking: true, tryItOutEnabled: false },
      // Swagger UI's own policy, with the inline styles its pages set allowed (scripts stay 'self' only).
      staticCSP:
        "default-src 'self'; base-uri 'self'; font-src 'self' data:; frame-ancestors 'self'; img-src 'self' data:; object-src 'none'; " +
        "script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'",
    })
  },
  { name: 'swagger' },
)
