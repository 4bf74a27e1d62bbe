import { createRequire } from 'node:module'
import type { CompilersFactory } from '../src/app.js'

/**
 * Building an app compiles every route's schemas: a fast-json-stringify
 * serializer per response and an Ajv validator per request part, about 90 % of
 * the seconds buildApp takes. The schemas are the same in every app of a test
 * process, so what one app compiled is reused by the next (keyed by the exact
 * schema text, the shared schemas and the options): each test can still build
 * its own app, on its own database, for a fraction of the cost.
 */

type Compiled = (...args: never[]) => unknown
type RouteCompiler = (route: Record<string, unknown>) => Compiled
type Factory = (externalSchemas: unknown, options?: unknown) => RouteCompiler

// Fastify's own default serializer factory, resolved from Fastify's package as Fastify does.
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'))
const { SerializerSelector } = fromFastify('@fastify/fast-json-stringify-compiler') as { SerializerSelector: () => Factory }

function memoize(factory: Factory): Factory {
  const bySetup = new Map<string, Map<string, Compiled>>()
  return (externalSchemas, options) => {
    const setup = JSON.stringify([externalSchemas, options ?? null])
    let compiled = bySetup.get(setup)
    if (!compiled) bySetup.set(setup, (compiled = new Map()))
    let compiler: RouteCompiler | undefined
    return (route) => {
      const { schema, method, url, httpPart, httpStatus, contentType } = route
      const key = JSON.stringify([method, url, httpPart, httpStatus, contentType, schema])
      let fn = compiled.get(key)
      if (!fn) {
        compiler ??= factory(externalSchemas, options)
        fn = compiler(route)
        compiled.set(key, fn)
      }
      return fn
    }
  }
}

/** One set of compilers shared by every app a test process builds. */
let shared: { buildValidator: Factory; buildSerializer: Factory } | undefined

export function reuseCompiled(ours: CompilersFactory): CompilersFactory {
  shared ??= { buildValidator: memoize(ours.buildValidator as unknown as Factory), buildSerializer: memoize(SerializerSelector()) }
  return shared as unknown as CompilersFactory
}
