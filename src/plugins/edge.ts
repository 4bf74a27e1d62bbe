import fp from 'fastify-plugin'
import compress from '@fastify/compress'
import cors from '@fastify/cors'

/**
 * CORS for browser clients and gzip/brotli compression. Registered after the
 * caching plugin, so that ETags are computed on the uncompressed body.
 */
export default fp<{ corsOrigins: string[] }>(
  async (app, { corsOrigins }) => {
    await app.register(cors, {
      origin: corsOrigins.includes('*') ? true : corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'If-Modified-Since', 'Idempotency-Key', 'X-Request-Id', 'Consistency-Token'],
      exposedHeaders: ['ETag', 'Last-Modified', 'Location', 'X-Request-Id', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After', 'Surrogate-Key', 'Consistency-Token'],
      maxAge: 600,
    })
    await app.register(compress, { global: true, encodings: ['br', 'gzip'], threshold: 1024 })
  },
  { name: 'edge', dependencies: ['caching'] },
)
