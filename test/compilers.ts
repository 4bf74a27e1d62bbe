import type { CompilersFactory } from '../src/app.js'

/**
 * Building an app compiles every route's schemas: a fast-json-stringify
 * serializer per response and an Ajv validator per request part, about 90 % of
 * the seconds buildApp takes. The schemas are the same in every app of a test
 * process, so what one app compiled is reused by the next (keyed by the exact
 * schema text, the shared schemas and the options): each test can still build
 * its own app, on its own database, for a fraction of the cost. And a schema
 * is compiled only when a request first needs it (see lazy below).
 */

type Compiled = (...args: never[]) => unknown
type RouteCompiler = (route: Record<string, unknown>) => Compiled
type Factory = (externalSchemas: unknown, options?: unknown) => RouteCompiler

/**
 * A compiled function made on its first use: a test file calls a few of the
 * routes, so most schemas are never compiled. Ajv's `errors` and `schemaEnv`
 * (which Fastify reads) are passed through. Every schema is still compiled
 * eagerly, as in production, by each real server the tests start (test/server.test.ts,
 * test/e2e/newsroom.test.ts, the README test), which a bad schema would stop.
 */
function lazy(compile: () => Compiled): Compiled {
  let real: Compiled | undefined
  const get = () => (real ??= compile())
  const fn = (...args: never[]) => get()(...args)
  for (const name of ['errors', 'schemaEnv'])
    Object.defineProperty(fn, name, { get: () => (get() as unknown as Record<string, unknown>)[name] })
  return fn
}

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
        fn = lazy(() => (compiler ??= factory(externalSchemas, options))(route))
        compiled.set(key, fn)
      }
      return fn
    }
  }
}

/** One set of compilers shared by every app a test process builds. */
let shared: { buildValidator: Factory; buildSerializer: Factory } | undefined

export function reuseCompiled(ours: CompilersFactory): CompilersFactory {
  shared ??= { buildValidator: memoize(ours.buildValidator as unknown as Factory), buildSerializer: memoize(ours.buildSerializer as unknown as Factory) }
  return shared as unknown as CompilersFactory
}
