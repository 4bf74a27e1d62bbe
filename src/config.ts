import { envSchema } from 'env-schema'
import { Type, type Static } from '@sinclair/typebox'
import { templateProblem } from './formats/context.js'

/**
 * The only reader of process.env. Every variable is parsed and validated once;
 * a bad value stops start-up with a message naming the variable.
 */
export const EnvSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  DATABASE_PATH: Type.String({ default: 'data/newsdesk.db', minLength: 1 }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://[^\\s]+$', maxLength: 2000 })),
  DATABASE_REPLICA_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://[^\\s]+$', maxLength: 2000 })),
  DB_BUSY_TIMEOUT_MS: Type.Integer({ default: 200, minimum: 0, maximum: 10000 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  NEWSDESK_ADMIN_KEY: Type.Optional(Type.String({ minLength: 24, maxLength: 200 })),
  ANONYMOUS_READS: Type.Boolean({ default: true }),
  DEMO_CONTENT: Type.Boolean({ default: true }),
  DEMO_SAMPLES_DIR: Type.String({ default: '' }),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 500 })),
  ARTICLE_URL_TEMPLATE: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: '^\\S+$' })),
  PUBLISHER_NAME: Type.String({ default: 'Newsdesk', minLength: 1, maxLength: 200 }),
  PUBLISHER_LOGO_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 500 })),
  REQUEST_TIMEOUT_MS: Type.Integer({ default: 15000, minimum: 1000, maximum: 600000 }),
  BODY_LIMIT_BYTES: Type.Integer({ default: 1048576, minimum: 1024, maximum: 52428800 }),
  SHUTDOWN_GRACE_MS: Type.Integer({ default: 10000, minimum: 100, maximum: 120000 }),
  RATE_LIMIT_PER_MINUTE: Type.Integer({ default: 600, minimum: 0, maximum: 1000000 }),
  READER_RATE_LIMIT_PER_MINUTE: Type.Integer({ default: 120, minimum: 1, maximum: 1000000 }),
  TRUST_PROXY: Type.String({ default: '', maxLength: 2000, pattern: '^[0-9A-Fa-f.:/, ]*$|^true$' }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://[^\\s]+$', maxLength: 500 })),
  CORS_ORIGINS: Type.String({ default: '*', maxLength: 2000, description: 'Comma-separated origins, or *' }),
  SCHEDULER_INTERVAL_MS: Type.Integer({ default: 1000, minimum: 0, maximum: 3600000 }),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 24, maxLength: 200, pattern: '^\\S+$' })),
  IDEMPOTENCY_CLAIM_TIMEOUT_MS: Type.Integer({ default: 60000, minimum: 1000, maximum: 86400000 }),
  IDEMPOTENCY_RETENTION_MS: Type.Integer({ default: 86400000, minimum: 60000, maximum: 2592000000 }),
  SEARCH_CANDIDATE_LIMIT: Type.Integer({ default: 10000, minimum: 100, maximum: 10000000 }),
  IDEMPOTENCY_PURGE_INTERVAL_MS: Type.Integer({ default: 3600000, minimum: 0, maximum: 86400000 }),
  WEBHOOK_INTERVAL_MS: Type.Integer({ default: 1000, minimum: 0, maximum: 3600000 }),
  WEBHOOK_ALLOWED_HOSTS: Type.String({ default: '', maxLength: 2000, pattern: '^[0-9A-Za-z.:/_, -]*$', description: 'Comma-separated hosts, addresses or CIDRs' }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ default: 10000, minimum: 100, maximum: 60000 }),
  WEBHOOK_RETRY_BASE_MS: Type.Integer({ default: 10000, minimum: 100, maximum: 3600000 }),
  WEBHOOK_RETRY_MAX_MS: Type.Integer({ default: 3600000, minimum: 1000, maximum: 86400000 }),
  WEBHOOK_GIVE_UP_AFTER_MS: Type.Integer({ default: 86400000, minimum: 1000, maximum: 2592000000 }),
  WEBHOOK_DISABLE_AFTER_MS: Type.Integer({ default: 259200000, minimum: 1000, maximum: 2592000000 }),
  WEBHOOK_SECRET_OVERLAP_MS: Type.Integer({ default: 86400000, minimum: 0, maximum: 2592000000 }),
  WEBHOOK_RETENTION_MS: Type.Integer({ default: 2592000000, minimum: 3600000, maximum: 31536000000 }),
})

type Env = Static<typeof EnvSchema>

export interface Config {
  host: string
  port: number
  databasePath: string
  /** A PostgreSQL database (postgres:// or postgresql://) to use instead of the SQLite file at databasePath. */
  databaseUrl: string | undefined
  /**
   * A read replica of the PostgreSQL database (a streaming standby): read-only
   * requests read there, except a client's reads after its own write, until the
   * replica has caught up (the Consistency-Token header). Needs databaseUrl.
   */
  databaseReplicaUrl: string | undefined
  /**
   * How long a write waits for the write lock another process holds before the
   * request fails with 503 database-busy (Retry-After: 1). The wait blocks the
   * event loop, so it is kept short.
   */
  dbBusyTimeoutMs: number
  logLevel: string
  adminKey: string | undefined
  anonymousReads: boolean
  demoContent: boolean
  demoSamplesDir: string
  /** The base of every absolute link (docs, formats, feeds); without it, the address the server listens on. */
  publicUrl: string | undefined
  /** An article's page on the newsroom's site, with {base} {id} {slug} {section} {type} {language} {yyyy} {mm} {dd}; unset: the API's own address. */
  articleUrlTemplate: string | undefined
  /** The publisher named in JSON-LD, ninjs and feeds, and its logo. */
  publisherName: string
  publisherLogoUrl: string | undefined
  requestTimeoutMs: number
  bodyLimitBytes: number
  shutdownGraceMs: number
  /** Requests per minute per API key (per address when anonymous); 0: no limit. */
  rateLimitPerMinute: number
  /** Requests per minute per myNEWS reader (and per private feed token) on the reader routes; off when rateLimitPerMinute is 0. */
  readerRateLimitPerMinute: number
  /**
   * Where the rate limits are counted when several processes serve the API
   * (redis:// or rediss://); without it, each process counts in its memory.
   */
  redisUrl: string | undefined
  /**
   * Which proxies in front of the API may say who the client is (X-Forwarded-For,
   * -Proto, -Host): Fastify's trustProxy. Empty: none, the client is the TCP peer;
   * "true": any; a hop count ("1"); or addresses and CIDRs ("10.0.0.0/8,127.0.0.1").
   * Behind a load balancer, without it every anonymous caller shares the balancer's rate limit.
   */
  trustProxy: boolean | number | string[]
  corsOrigins: string[]
  /** How often due scheduled articles are published; 0 turns the scheduler off. */
  schedulerIntervalMs: number
  /** A bearer token that opens /metrics (and nothing else) to a scraper; admin keys always may. */
  metricsToken: string | undefined
  /**
   * An Idempotency-Key claim whose request never answered (its process died) holds
   * the key (409) this long, then expires. Keep it above requestTimeoutMs.
   */
  idempotencyClaimTimeoutMs: number
  /**
   * A search ranks at most this many matches, the newest: a word found in most of a
   * large archive answers in bounded time, with `partial: true` in the page.
   */
  searchCandidateLimit: number
  /** How long Idempotency-Keys and their stored answers are kept. */
  idempotencyRetentionMs: number
  /** How often keys older than the retention are purged; 0 turns the purge off. */
  idempotencyPurgeIntervalMs: number
  /** Webhook delivery (see README, Webhooks). */
  webhooks: {
    /** How often the dispatcher looks for events to send; 0 turns it off in this process. */
    intervalMs: number
    /**
     * Hosts, addresses and CIDRs webhooks may target although they are not public
     * (loopback, private, link-local...): the only exception to the SSRF checks.
     */
    allowedHosts: string[]
    /** The longest one attempt may take, connect to end of the answer. */
    timeoutMs: number
    /** The first retry's delay; each next one doubles, up to retryMaxMs, with jitter. */
    retryBaseMs: number
    retryMaxMs: number
    /** A delivery not made this long after its event gives up (status failed). */
    giveUpAfterMs: number
    /** A subscription whose every attempt failed for this long is disabled, with the reason shown. */
    disableAfterMs: number
    /** After a rotation, deliveries are signed with the old secret too for this long. */
    secretOverlapMs: number
    /** Events (with their deliveries and attempts) older than this are deleted, sent or not. */
    retentionMs: number
  }
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  let parsed: Env
  try {
    parsed = envSchema<Env>({ schema: EnvSchema, data: { ...env }, dotenv: false })
  } catch (err) {
    throw new ConfigError(`Invalid configuration: ${(err as Error).message}`)
  }
  const templateIssue = parsed.ARTICLE_URL_TEMPLATE === undefined ? null : templateProblem(parsed.ARTICLE_URL_TEMPLATE)
  if (templateIssue) throw new ConfigError(`Invalid configuration: ARTICLE_URL_TEMPLATE ${templateIssue}`)
  if (parsed.DATABASE_REPLICA_URL !== undefined && parsed.DATABASE_URL === undefined) {
    throw new ConfigError('Invalid configuration: DATABASE_REPLICA_URL is a replica of the PostgreSQL database at DATABASE_URL, which is not set')
  }
  return {
    host: parsed.HOST,
    port: parsed.PORT,
    databasePath: parsed.DATABASE_PATH,
    databaseUrl: parsed.DATABASE_URL,
    databaseReplicaUrl: parsed.DATABASE_REPLICA_URL,
    dbBusyTimeoutMs: parsed.DB_BUSY_TIMEOUT_MS,
    logLevel: parsed.LOG_LEVEL,
    adminKey: parsed.NEWSDESK_ADMIN_KEY,
    anonymousReads: parsed.ANONYMOUS_READS,
    demoContent: parsed.DEMO_CONTENT,
    demoSamplesDir: parsed.DEMO_SAMPLES_DIR,
    publicUrl: parsed.PUBLIC_URL,
    articleUrlTemplate: parsed.ARTICLE_URL_TEMPLATE,
    publisherName: parsed.PUBLISHER_NAME,
    publisherLogoUrl: parsed.PUBLISHER_LOGO_URL,
    requestTimeoutMs: parsed.REQUEST_TIMEOUT_MS,
    bodyLimitBytes: parsed.BODY_LIMIT_BYTES,
    shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS,
    schedulerIntervalMs: parsed.SCHEDULER_INTERVAL_MS,
    metricsToken: parsed.METRICS_TOKEN,
    idempotencyClaimTimeoutMs: parsed.IDEMPOTENCY_CLAIM_TIMEOUT_MS,
    idempotencyRetentionMs: parsed.IDEMPOTENCY_RETENTION_MS,
    idempotencyPurgeIntervalMs: parsed.IDEMPOTENCY_PURGE_INTERVAL_MS,
    rateLimitPerMinute: parsed.RATE_LIMIT_PER_MINUTE,
    readerRateLimitPerMinute: parsed.READER_RATE_LIMIT_PER_MINUTE,
    redisUrl: parsed.REDIS_URL,
    trustProxy: trustProxyOf(parsed.TRUST_PROXY),
    searchCandidateLimit: parsed.SEARCH_CANDIDATE_LIMIT,
    corsOrigins: parsed.CORS_ORIGINS.split(',').map((o) => o.trim()).filter((o) => o.length > 0),
    webhooks: {
      intervalMs: parsed.WEBHOOK_INTERVAL_MS,
      allowedHosts: parsed.WEBHOOK_ALLOWED_HOSTS.split(',').map((h) => h.trim()).filter((h) => h.length > 0),
      timeoutMs: parsed.WEBHOOK_TIMEOUT_MS,
      retryBaseMs: parsed.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: parsed.WEBHOOK_RETRY_MAX_MS,
      giveUpAfterMs: parsed.WEBHOOK_GIVE_UP_AFTER_MS,
      disableAfterMs: parsed.WEBHOOK_DISABLE_AFTER_MS,
      secretOverlapMs: parsed.WEBHOOK_SECRET_OVERLAP_MS,
      retentionMs: parsed.WEBHOOK_RETENTION_MS,
    },
  }
}

function trustProxyOf(value: string): boolean | number | string[] {
  const v = value.trim()
  if (v === '') return false
  if (v === 'true') return true
  if (/^\d+$/.test(v)) return Number(v)
  return v.split(',').map((a) => a.trim()).filter((a) => a !== '')
}

/** A config for tests and tools: an in-memory database, quiet logs, no demo content, no scheduler, no webhook dispatcher (tests drive it). */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ DATABASE_PATH: ':memory:', LOG_LEVEL: 'silent', DEMO_CONTENT: 'false', SCHEDULER_INTERVAL_MS: '0', WEBHOOK_INTERVAL_MS: '0', RATE_LIMIT_PER_MINUTE: '0' }), ...overrides }
}
