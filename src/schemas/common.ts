import { Type, type Static, type TSchema, type TObject, type TProperties, type TUnsafe } from '@sinclair/typebox'

/** A `$ref` to a registered schema that keeps the static type of the target. */
export function ref<T extends TSchema>(schema: T): TUnsafe<Static<T>> {
  if (!schema.$id) throw new Error('ref() needs a schema with an $id')
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id))
}

/** Nullable, spelled as OpenAPI 3.1 understands it. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

/** A closed object: unknown properties are rejected, never dropped. */
export const Strict = <P extends TProperties>(props: P, options: Parameters<typeof Type.Object>[1] = {}): TObject<P> =>
  Type.Object(props, { additionalProperties: false, ...options })

export const Id = Type.String({ $id: 'Id', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'An opaque identifier.' })
export const Slug = Type.String({
  $id: 'Slug',
  minLength: 1,
  maxLength: 200,
  pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$',
  description: 'Lower-case words joined by hyphens.',
})
export const Timestamp = Type.String({ $id: 'Timestamp', format: 'date-time', maxLength: 40, description: 'RFC 3339 date-time (UTC).' })

export const ValidationIssue = Strict(
  {
    path: Type.String({
      description:
        'Where, naming what the client sent: /body followed by a JSON pointer into the request body (/body/headlines/basic; a missing property is named by its own path), /query/NAME, /params/NAME or /headers/NAME (lower case).',
    }),
    message: Type.String(),
  },
  { $id: 'ValidationIssue' },
)

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'The problem type, a URI reference (/problems/validation); GET it for a page that explains the problem.' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(ref(ValidationIssue))),
    currentVersion: Type.Optional(Type.Integer({ description: 'On 412: the version the resource is at now (fetch it again for its ETag).' })),
    usedBy: Type.Optional(Type.Array(Type.String(), { description: 'On 409 for deletes: ids of articles using the resource.' })),
    limitBytes: Type.Optional(Type.Integer({ description: 'On 413: the largest body this operation takes, in bytes.' })),
    accepted: Type.Optional(Type.Array(Type.String(), { description: 'On 415: the body types this operation takes.' })),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details.' },
)
export type ProblemBody = Static<typeof Problem>

/** The 412 answer: the same problem, always naming the version the resource is at now. */
export const PreconditionFailedProblem = Type.Object(
  {
    ...Problem.properties,
    currentVersion: Type.Integer({ minimum: 1, description: 'The version the resource is at now; fetch it again for its ETag.' }),
  },
  { $id: 'PreconditionFailedProblem', description: 'RFC 9457 problem details for a stale If-Match (412).' },
)

// Parameter schemas are inlined into the OpenAPI parameters, so they hold no $ref.
// Request schemas carry no `default`: openapi-typescript (with its defaults) types
// a property that has one as always present, which is true of answers, not of
// requests. The services apply the defaults; the descriptions say them.
export const IdParams = Strict(
  { id: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'The id (or, where the resource has one, the slug).' }) },
  { $id: 'IdParams' },
)

export const PageQuery = Strict(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Page size, 1..100 (default 20).' })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'The `next` cursor of the previous page.' })),
  },
  { $id: 'PageQuery' },
)

export const ForceQuery = Strict(
  { force: Type.Optional(Type.Boolean({ description: 'Detach it from every article using it first; each detach is a new article revision (default false).' })) },
  { $id: 'ForceQuery' },
)

export const commonSchemas = [Id, Slug, Timestamp, ValidationIssue, Problem, PreconditionFailedProblem, IdParams, PageQuery, ForceQuery]
