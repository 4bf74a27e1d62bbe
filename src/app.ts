import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Config } from './config.js'
import { formatContext } from './formats/context.js'
import { openDataLayer, type DataLayer, type DataSource, type ReplicaSource } from './db/index.js'
import { allSchemas } from './schemas/index.js'
import { strictDateTime } from './schemas/formats.js'
import { createServices, type Services } from './services/index.js'
import { createMetrics } from './plugins/metrics.js'
import { createScheduler } from './services/scheduler.js'
import type { Runtime } from './services/clock.js'
import type { WebhookDeps } from './services/webhooks.js'
import './plugins/types.js'
import problemPlugin, { clientErrorProblem, frameworkErrorProblem, MAX_PARAM_LENGTH } from './plugins/problem.js'
import authPlugin from './plugins/auth.js'
import idempotencyPlugin from './plugins/idempotency.js'
import cachingPlugin from './plugins/caching.js'
import edgePlugin from './plugins/edge.js'
import rateLimitPlugin from './plugins/rateLimit.js'
import consistencyPlugin from './plugins/consistency.js'
import metricsPlugin from './plugins/metrics.js'
import swaggerPlugin from './plugins/swagger.js'
import systemRoutes from './routes/system.js'
import problemPages from './routes/problems.js'
import v1Routes from './routes/v1/index.js'

export interface App {
  app: FastifyInstance
  data: DataLayer
  services: Services
}

/** A caller's X-Request-Id is kept when it is short and plain; otherwise we make one. */
function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id']
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(given) ? given : randomUUID()
}

/**
 * Validation: bodies are never coerced (null stays null, "1" is not 1) and
 * unknown properties are rejected rather than removed; query strings and
 * headers are coerced, since they are text on the wire. A `date-time` must be
 * a real instant (src/schemas/formats.ts).
 */
function validatorFactory() {
  const factory = AjvCompiler()
  // `x-required` is a marker for the OpenAPI document only (src/plugins/swagger.ts); the validator ignores it.
  const base = { removeAdditional: false, useDefaults: true, allErrors: true, discriminator: true, keywords: ['x-required'] }
  return (externalSchemas: Record<string, unknown>, options: { customOptions?: object }) => {
    const body = factory(externalSchemas as never, { ...options, onCreate: strictDateTime, customOptions: { ...options.customOptions, ...base, coerceTypes: false } } as never)
    const other = factory(externalSchemas as never, { ...options, onCreate: strictDateTime, customOptions: { ...options.customOptions, ...base, coerceTypes: 'array' } } as never)
    return (route: { httpPart?: string }) => (route.httpPart === 'body' ? body(route as never) : finiteOnly(other(route as never) as unknown as Validate))
  }
}

type Validate = ((data: unknown, context?: unknown) => boolean) & { errors?: unknown; schemaEnv?: unknown }
const infinite = (v: unknown) => typeof v === 'number' && !Number.isFinite(v)

/**
 * Ajv coerces `limit=1e309` in a query string to Infinity and then lets it
 * past the schema's maximum (it did reach SQLite, as a 500): a number of a
 * query string, path or header that is not finite is refused, as a 400 at its path.
 */
function finiteOnly(validate: Validate): Validate {
  const checked: Validate = (data, context) => {
    const ok = validate(data, context)
    checked.errors = validate.errors
    if (!ok || data === null || typeof data !== 'object') return ok
    const bad = Object.entries(data).find(([, v]) => infinite(v) || (Array.isArray(v) && v.some(infinite)))
    if (!bad) return true
    checked.errors = [{ instancePath: `/${bad[0]}`, schemaPath: '#', keyword: 'finite', params: {}, message: 'must be a finite number' }]
    return false
  }
  checked.schemaEnv = validate.schemaEnv
  return checked
}

/**
 * Node's requestTimeout ends a request whose headers never finish, but not one
 * whose body stops arriving after them: that request would hold its socket (and
 * its handler) forever. So a body not read in full within requestTimeoutMs of
 * the request's start gets the same 408 problem (clientErrorProblem), and its
 * connection is closed (after an answer already sent, it is just closed).
 */
function bodyDeadline(timeoutMs: number) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.raw
    const socket = raw.socket as Socket | null
    const hasBody = raw.headers['transfer-encoding'] !== undefined || Number(raw.headers['content-length'] ?? 0) > 0
    if (!hasBody || raw.complete || !socket || typeof socket.write !== 'function') return
    const timer = setTimeout(() => {
      if (raw.complete || socket.destroyed) return
      request.log.info({ timeoutMs }, 'the request body did not arrive in time')
      // Answered already (a 401 before the body was read): the rest of the body is not waited for either.
      if (reply.raw.headersSent) socket.destroy()
      else clientErrorProblem(Object.assign(new Error('The request body did not arrive in time.'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket)
    }, timeoutMs)
    timer.unref()
    const done = () => clearTimeout(timer)
    raw.once('end', done)
    raw.once('close', done)
  }
}

/**
 * Serialization: Fastify compiles a fast-json-stringify function for every
 * response of every route, and most are the same schema (the Problem of each
 * route's 400, 401, 404, 429...); compiling each one validates the schema and
 * all the shared ones again, which was 70 % of the CPU of a start. A serializer
 * depends on nothing but its schema (the shared schemas and options are fixed
 * per factory call), so one compiled function serves every route whose schema
 * has the same text.
 */
function serializerFactory() {
  const factory = SerializerSelector()
  return (externalSchemas: Record<string, unknown>, options: Record<string, unknown> | undefined) => {
    const compile = factory(externalSchemas as never, options as never)
    const compiled = new Map<string, ReturnType<typeof compile>>()
    return (route: { schema: object }) => {
      const key = JSON.stringify(route.schema)
      let serialize = compiled.get(key)
      if (serialize === undefined) compiled.set(key, (serialize = compile(route as never)))
      return serialize
    }
  }
}

/** Fastify's schema compiler factories (its `schemaController.compilersFactory`). */
export interface CompilersFactory {
  buildValidator: ReturnType<typeof validatorFactory>
  buildSerializer?: ReturnType<typeof serializerFactory>
}

export interface BuildOptions {
  /** The clock and ids, for tests that need to control time. */
  runtime?: Runtime
  /**
   * Tests only: wraps the schema compilers (given ours; the serializer left to
   * Fastify), e.g. to reuse what one app compiled in the next. Default: ours as they are.
   */
  compilers?: (ours: CompilersFactory) => CompilersFactory
  /** Where log lines go (pino's destination); standard output by default. Tests read them from here. */
  logStream?: { write(line: string): void }
  /** Tests only: the database to use instead of the one the config names (an open one, e.g. PGlite). */
  dataSource?: DataSource
  /** Tests only: the read replica to use instead of the one the config names (an open database standing in for one). */
  replicaSource?: ReplicaSource
  /** Tests only: the webhook dispatcher's resolver, sender or jitter. */
  webhookDeps?: WebhookDeps
}

/** Builds the app. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const metrics = createMetrics()
  // The replica's failures are logged by the app, which is made after the data layer.
  const logger: { log?: { warn(obj: object, msg: string): void } } = {}
  const data = await openDataLayer(options.dataSource ?? config.databaseUrl ?? config.databasePath, {
    observe: metrics.observeQuery,
    busyTimeoutMs: config.dbBusyTimeoutMs,
    replica: options.replicaSource ?? config.databaseReplicaUrl,
    onReplicaUnavailable: (err) => logger.log?.warn({ err }, 'the read replica did not answer; its reads go to the primary for a few seconds'),
  })
  const services = createServices(data.repos, options.runtime, {
    idempotency: { claimTimeoutMs: config.idempotencyClaimTimeoutMs, retentionMs: config.idempotencyRetentionMs },
    searchCandidateLimit: config.searchCandidateLimit,
    webhooks: { ...config.webhooks, publicUrl: config.publicUrl },
    ...(options.webhookDeps ? { webhookDeps: options.webhookDeps } : {}),
  })

  const app = Fastify({
    logger: { level: config.logLevel, ...(options.logStream ? { stream: options.logStream } : {}) },
    genReqId: requestId,
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    // A hop count trusts that many proxies nearest to us (proxy-addr's function form).
    trustProxy: typeof config.trustProxy === 'number' ? ((hops) => (_address: string, hop: number) => hop < hops)(config.trustProxy) : config.trustProxy,
    return503OnClosing: true,
    // Errors before routing and from Node's HTTP parser are problem+json too.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrorProblem,
    clientErrorHandler: clientErrorProblem,
    schemaController: { compilersFactory: (options.compilers ?? ((ours) => ours))({ buildValidator: validatorFactory(), buildSerializer: serializerFactory() }) as never },
  }).withTypeProvider<TypeBoxTypeProvider>()
  logger.log = app.log

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  app.addHook('onRequest', bodyDeadline(config.requestTimeoutMs))
  const scheduler = createScheduler(() => services.articles.publishDue(), config.schedulerIntervalMs, (err) =>
    app.log.error({ err }, 'publishing scheduled articles failed'),
  )
  // Idempotency-Keys older than the retention are purged on a timer (unref'd: it never keeps the process alive).
  const purge = createScheduler(() => services.idempotency.purgeExpired(), config.idempotencyPurgeIntervalMs, (err) =>
    app.log.error({ err }, 'purging old idempotency keys failed'),
  )
  // The webhook dispatcher: sends the outbox's events; its work is claimed in the database, so every process may run one.
  const dispatcher = createScheduler(() => services.webhooks.runOnce(), config.webhooks.intervalMs, (err) =>
    app.log.error({ err }, 'dispatching webhooks failed'),
  )
  app.addHook('onReady', async () => {
    scheduler.start()
    purge.start()
    dispatcher.start()
  })
  app.addHook('onClose', async () => {
    await scheduler.stop()
    await purge.stop()
    await dispatcher.stop()
    await data.close()
  })
  // JSON only (415 for anything else); the imports route adds text/plain for itself.
  app.removeContentTypeParser('text/plain')
  app.addContentTypeParser('application/merge-patch+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'))

  for (const schema of allSchemas) app.addSchema(schema)

  await app.register(problemPlugin)
  await app.register(swaggerPlugin)
  await app.register(metricsPlugin, { metrics })
  await app.register(authPlugin, { apiKeys: services.apiKeys, readers: services.readers, anonymousReads: config.anonymousReads })
  await app.register(rateLimitPlugin, { perMinute: config.rateLimitPerMinute, readerPerMinute: config.readerRateLimitPerMinute, redisUrl: config.redisUrl })
  await app.register(consistencyPlugin, { reads: data.reads })
  await app.register(idempotencyPlugin, { service: services.idempotency })
  await app.register(cachingPlugin)
  await app.register(edgePlugin, { corsOrigins: config.corsOrigins })

  await app.register(systemRoutes, { ping: data.ping, metrics, metricsToken: config.metricsToken })
  await app.register(problemPages)
  await app.register(v1Routes, { services, formats: formatContextOf(config) })

  await app.ready()
  return { app, data, services }
}

/** Absolute links for the formats and feeds: PUBLIC_URL, else the address the server listens on. */
function formatContextOf(config: Config) {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  return formatContext({
    publicUrl: config.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`,
    articleUrlTemplate: config.articleUrlTemplate,
    publisherName: config.publisherName,
    publisherLogoUrl: config.publisherLogoUrl,
  })
}
