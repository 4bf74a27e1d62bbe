/**
 * The committed OpenAPI document, read for the slow checks: its operations,
 * a validator of every documented answer (ajv + ajv-formats, as Fastify
 * compiles schemas), and fast-check arbitraries made from its schemas.
 * Not a test itself (tap runs *.slow.ts and *.test.ts only).
 */
import { readFileSync } from 'node:fs'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import fc from 'fast-check'

export interface Schema {
  $ref?: string
  type?: string | string[]
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  items?: Schema
  minItems?: number
  maxItems?: number
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  pattern?: string
  format?: string
  enum?: unknown[]
  const?: unknown
  anyOf?: Schema[]
  oneOf?: Schema[]
  minProperties?: number
  uniqueItems?: boolean
}
export interface Parameter {
  name: string
  in: 'path' | 'query' | 'header'
  required?: boolean
  schema: Schema
}
export interface Response {
  description?: string
  headers?: Record<string, { required?: boolean; schema?: Schema }>
  content?: Record<string, { schema?: Schema }>
}
export interface Operation {
  operationId: string
  method: string
  path: string
  security?: Record<string, string[]>[]
  parameters: Parameter[]
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> }
  responses: Record<string, Response>
}
export interface Document {
  paths: Record<string, Record<string, Omit<Operation, 'method' | 'path' | 'parameters'> & { parameters?: (Parameter | { $ref: string })[] }>>
  components: { schemas: Record<string, Schema>; parameters?: Record<string, Parameter> }
}

export const spec: Document = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'))
const METHODS = ['get', 'post', 'put', 'patch', 'delete']

/** A parameter, or the shared one (components.parameters, e.g. Consistency-Token) it refers to. */
const parameterOf = (p: Parameter | { $ref: string }): Parameter =>
  '$ref' in p ? spec.components.parameters![p.$ref.replace('#/components/parameters/', '')]! : p

export const operations: Operation[] = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => METHODS.includes(method))
    .map(([method, op]) => ({ ...op, parameters: (op.parameters ?? []).map(parameterOf), method: method.toUpperCase(), path })),
)

export const resolve = (s: Schema): Schema => (s.$ref ? resolve(spec.components.schemas[s.$ref.replace('#/components/schemas/', '')]!) : s)
export const component = (name: string): Schema => spec.components.schemas[name]!

// ---- Answers --------------------------------------------------------------

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
/** strict: false ignores the OpenAPI-only keywords (discriminator mappings, examples). */
const ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateFormats: true }))
ajv.addSchema({ $id: 'spec', components: spec.components })
const compiled = new Map<Schema, ValidateFunction>()

/** A validator for one schema of the document (its $refs point into the components). */
export function validatorOf(schema: Schema): ValidateFunction {
  let v = compiled.get(schema)
  if (!v) {
    v = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"spec#/components/schemas/')))
    compiled.set(schema, v)
  }
  return v
}

export interface Answer {
  statusCode: number
  headers: Record<string, unknown>
  body: string
}

/**
 * Everything wrong with an answer by the document: a 5xx, an undocumented
 * status, a missing required header, a content type not documented, a body
 * that does not match the schema, an error that is not problem+json with its
 * own status. `bodySchema` overrides the documented schema (sparse lists).
 */
export function deviationsOf(op: Operation, answer: Answer, bodySchema?: Schema): string[] {
  const out: string[] = []
  const status = answer.statusCode
  if (status >= 500) out.push(`a ${status}`)
  const doc = op.responses[String(status)] ?? op.responses.default
  if (!doc) return [...out, `status ${status} is not documented`]
  for (const [name, h] of Object.entries(doc.headers ?? {})) {
    if (h.required && answer.headers[name.toLowerCase()] === undefined) out.push(`required header ${name} missing`)
  }
  const type = String(answer.headers['content-type'] ?? '').split(';')[0]!.trim()
  if (status >= 400) {
    if (type !== 'application/problem+json') out.push(`error ${status} answered as ${type || 'no content type'}`)
  }
  if (!doc.content) {
    if (answer.body.length > 0) out.push(`a body on a ${status}, which documents none`)
    return out
  }
  const media = doc.content[type]
  if (!media) return [...out, `content type ${type || '(none)'} is not documented for ${status} (${Object.keys(doc.content).join(', ')})`]
  if (!(type === 'application/json' || type.endsWith('+json')) || !media.schema) return out
  let body: unknown
  try {
    body = JSON.parse(answer.body)
  } catch {
    return [...out, `body of ${status} is not JSON`]
  }
  if (status >= 400 && (body as { status?: unknown }).status !== status) out.push(`problem status ${String((body as { status?: unknown }).status)} differs from HTTP ${status}`)
  const validate = validatorOf((status < 300 && bodySchema) || media.schema)
  if (!validate(body)) out.push(`body of ${status} does not match its schema: ${ajv.errorsText(validate.errors?.slice(0, 3))}`)
  return out
}

// ---- Inputs ---------------------------------------------------------------

/** Strings that break naive code: NUL, lone surrogates, bidi and combining marks, FTS syntax, injections, prototype keys. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDC00y',
  '\uD83D',
  '\u202Eevil\u202C',
  '\u0627\u0644\u0639\u0631\u0628\u064A\u0629',
  'e\u0301\u0301\u0301\u0301',
  '\u200B\uFEFF',
  '\uFFFF',
  '😀👩‍👩‍👧',
  '"',
  '""',
  '"unterminated',
  '*',
  'a*',
  '**',
  'NEAR(',
  'NEAR(a b, 2)',
  'AND OR',
  'OR',
  'NOT',
  'a AND',
  '-',
  '-a',
  '^',
  '^a',
  '(',
  ')',
  ':',
  'headline:x',
  '{a b}',
  '+',
  '\\',
  "'; DROP TABLE articles;--",
  '../../etc/passwd',
  '%00',
  '%ff',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  '1e309',
  'NaN',
  'Infinity',
  '9'.repeat(40),
  '1.5',
  '2024-02-30T25:61:61Z',
  '0000-00-00T00:00:00Z',
]
export const NASTY_NUMBERS = [-1, 0, 1.5, -0.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 53), 1e308, -1e308, 1e-308]
const WRONG_TYPES: unknown[] = [null, true, false, [], {}, [null], { a: 1 }, 0, -1, 'x', '']

const nasty = fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.constantFrom(...NASTY_NUMBERS), fc.constantFrom(...WRONG_TYPES), fc.string({ unit: 'binary', maxLength: 20 }))

export interface ArbOptions {
  /** Weight of a wrong value at each node (against 20 for a valid-looking one); 0 for valid input only. */
  mutate: number
  /** Values to try for properties by name (ids of resources that exist). */
  known?: Record<string, unknown[]>
}

/** A long string of exactly n characters (a boundary). */
const sized = (n: number) => fc.constantFrom('x'.repeat(n), 'é'.repeat(n), '😀'.repeat(Math.ceil(n / 2)).slice(0, n))

function patternArb(pattern: string, max: number) {
  try {
    return fc.stringMatching(new RegExp(pattern)).filter((s) => s.length <= max)
  } catch {
    return fc.string({ maxLength: Math.min(max, 20) })
  }
}

/** An arbitrary of values for a schema: mostly valid, with boundaries and (when mutate > 0) wrong values anywhere. */
export function arbOf(input: Schema, o: ArbOptions, depth = 0, name?: string): fc.Arbitrary<unknown> {
  const s = resolve(input)
  const valid = validArb(s, o, depth, name)
  return o.mutate > 0 ? fc.oneof({ weight: 20, arbitrary: valid }, { weight: o.mutate, arbitrary: nasty }) : valid
}

function validArb(s: Schema, o: ArbOptions, depth: number, name?: string): fc.Arbitrary<unknown> {
  if (depth > 7) return fc.constant(null)
  if (s.const !== undefined) return fc.constant(s.const)
  if (s.enum) return fc.constantFrom(...s.enum)
  const branches = s.anyOf ?? s.oneOf
  if (branches) return fc.oneof(...branches.map((b) => arbOf(b, o, depth + 1, name)))
  const known = name ? o.known?.[name] : undefined
  const type = Array.isArray(s.type) ? s.type : [s.type ?? 'object']
  const arbs = type.map((t) => typeArb(t, s, o, depth))
  const own = arbs.length === 1 ? arbs[0]! : fc.oneof(...arbs)
  return known?.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: own }) : own
}

function typeArb(type: string, s: Schema, o: ArbOptions, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null)
    case 'boolean':
      return fc.boolean()
    case 'integer':
    case 'number': {
      const min = s.minimum ?? -1e6
      const max = s.maximum ?? 1e9
      const inRange = type === 'integer' ? fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }) : fc.double({ min, max, noNaN: true })
      const edges = [min, max, ...(o.mutate > 0 ? [min - 1, max + 1] : [])]
      return fc.oneof({ weight: 6, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(...edges) })
    }
    case 'string': {
      const max = s.maxLength ?? 300
      const min = s.minLength ?? 0
      let base: fc.Arbitrary<string>
      if (s.format === 'date-time') base = fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString())
      else if (s.format === 'date') base = fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))
      else if (s.format === 'uri') base = fc.webUrl()
      else if (s.pattern) base = patternArb(s.pattern, max)
      else base = fc.oneof(fc.string({ minLength: min, maxLength: Math.min(max, 30) }), fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 30) }))
      if (s.pattern || s.format || o.mutate === 0) return base
      return fc.oneof({ weight: 8, arbitrary: base }, { weight: 1, arbitrary: sized(max) }, { weight: 1, arbitrary: sized(max + 1) }, { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS) })
    }
    case 'array': {
      const item = arbOf(s.items ?? {}, o, depth + 1)
      const max = s.maxItems ?? 10
      const normal = fc.array(item, { minLength: s.minItems ?? 0, maxLength: Math.min(max, 3) })
      if (o.mutate === 0) return normal
      return fc.oneof({ weight: 8, arbitrary: normal }, { weight: 1, arbitrary: item.map((x) => Array.from({ length: max + 1 }, () => x)) })
    }
    default: {
      const props = s.properties ?? {}
      const model: Record<string, fc.Arbitrary<unknown>> = {}
      for (const [k, v] of Object.entries(props)) model[k] = arbOf(v, o, depth + 1, k)
      const required = (s.required ?? []).filter((k) => k in props)
      let obj: fc.Arbitrary<Record<string, unknown>> = fc.record(model, { requiredKeys: required as never }) as fc.Arbitrary<Record<string, unknown>>
      if (o.mutate > 0) {
        // Extra properties, prototype keys among them, and required ones left out.
        const extra = fc.dictionary(fc.constantFrom('extra', 'id', 'version', 'status', '__proto__', 'constructor', 'prototype', '\u0000'), nasty, { maxKeys: 2 })
        obj = fc.tuple(obj, fc.nat(30), extra).map(([value, roll, more]) => {
          if (roll === 0) return { ...value, ...more }
          if (roll === 1 && required.length) {
            const copy = { ...value }
            delete copy[required[0]!]
            return copy
          }
          return value
        })
      }
      return obj
    }
  }
}

/** JSON text with a `__proto__` key written as JSON (JSON.stringify drops it on a plain object). */
export function withProtoKey(value: unknown): string {
  const text = JSON.stringify(value)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return text
  return text === '{}' ? '{"__proto__":{"status":"published","admin":true}}' : `{"__proto__":{"status":"published","admin":true},${text.slice(1)}`
}

/** Path segments that cannot be sent as they are (lone surrogates) are sent as invalid UTF-8. */
export const encodeSegment = (s: string) => {
  try {
    return encodeURIComponent(s)
  } catch {
    return '%ED%A0%80'
  }
}

/** A value as text for a query string or header. */
export const asText = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v))
