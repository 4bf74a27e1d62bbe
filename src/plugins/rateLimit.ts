import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'

/**
 * Per-key rate limits (per address for anonymous callers) with the draft
 * standard RateLimit-* headers; over the limit is a 429 problem. Checked after
 * authentication and before an Idempotency-Key is claimed.
 */
export default fp<{ perMinute: number }>(
  async (app, { perMinute }) => {
    if (perMinute <= 0) return
    await app.register(rateLimit, {
      global: true,
      max: perMinute,
      timeWindow: 60_000,
      hook: 'onRequest', // route-level, so after the global auth hook and before any body is read
      keyGenerator: (request) => (request.actor?.keyId ? `key:${request.actor.keyId}` : `ip:${request.ip}`),
      enableDraftSpec: true,
      errorResponseBuilder: (_request, context) =>
        Object.assign(new Error(`Rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}.`), { statusCode: 429 }),
    })
  },
  { name: 'rate-limit', dependencies: ['auth'] },
)
