import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import { Redis } from 'ioredis'
import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'

export interface RateLimitOptions {
  /** Requests per minute per key; 0 turns the limits off. */
  perMinute: number
  /** Requests per minute per myNEWS reader (and per private feed token), on the reader routes. */
  readerPerMinute?: number
  /** Count in Redis, shared by every process of the API; without it, in this process's memory. */
  redisUrl?: string | undefined
}

/**
 * Per-key rate limits (per address for anonymous callers; per reader, at
 * their own rate, READER_RATE_LIMIT_PER_MINUTE, on the myNEWS routes) with the draft
 * standard RateLimit-* headers; over the limit is a 429 problem. Checked after
 * authentication and before an Idempotency-Key is claimed.
 *
 * With REDIS_URL the counts live in Redis (@fastify/rate-limit's Redis store),
 * so N processes behind a load balancer enforce one limit, not N. When Redis
 * does not answer within a short timeout, requests are let through (and logged)
 * rather than refused: an outage of the limiter must not become an outage of
 * the API.
 */
/** Who a request counts against: a reader, a private feed's token, an API key, or (anonymous) an address. */
function limitKey(request: FastifyRequest): string {
  if (request.actor?.readerId !== undefined) return `reader:${request.actor.readerId}`
  const token = (request.params as { token?: unknown } | undefined)?.token
  if (request.routeOptions.config.readerFeed && typeof token === 'string') return `feed:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`
  return request.actor?.keyId ? `key:${request.actor.keyId}` : `ip:${request.ip}`
}

/** Reader routes (a reader's own, or a private feed) have the readers' limit. */
const isReaderRequest = (request: FastifyRequest) => request.actor?.readerId !== undefined || request.routeOptions.config.readerFeed === true

export default fp<RateLimitOptions>(
  async (app, { perMinute, readerPerMinute = perMinute, redisUrl }) => {
    if (perMinute <= 0) return
    const redis = redisUrl
      ? new Redis(redisUrl, { connectTimeout: 500, commandTimeout: 200, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true })
      : undefined
    if (redis) {
      redis.on('error', (err: Error) => app.log.warn({ err: { message: err.message } }, 'the rate limit store (Redis) is unavailable; requests are not limited meanwhile'))
      app.addHook('onClose', async () => {
        await redis.quit().catch(() => redis.disconnect())
      })
      // Connected before the first request is counted (ioredis keeps reconnecting after a failure).
      await redis.connect().catch(() => undefined)
    }
    await app.register(rateLimit, {
      global: true,
      max: (request) => (isReaderRequest(request) ? readerPerMinute : perMinute),
      timeWindow: 60_000,
      hook: 'onRequest', // route-level, so after the global auth hook and before any body is read
      keyGenerator: limitKey,
      enableDraftSpec: true,
      ...(redis ? { redis, nameSpace: 'newsdesk-rate-limit:', skipOnError: true } : {}),
      errorResponseBuilder: (_request, context) =>
        Object.assign(new Error(`Rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}.`), { statusCode: 429 }),
    })
  },
  { name: 'rate-limit', dependencies: ['auth'] },
)
