import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { Health, Readiness } from '../schemas/system.js'
import { ok, problems } from './common.js'
import type { Metrics } from '../plugins/metrics.js'

const tags = ['system']
const config = { scope: 'none', rateLimit: false } as const
/** Public operations need no key, but a key that is sent must be valid (src/plugins/auth.ts): else 401. */
const unauthorized = problems(401)

/**
 * Health, readiness and the OpenAPI document: public; metrics: admin keys, or
 * the configured metrics token (config metricsToken). Never cached.
 */
const system: FastifyPluginAsyncTypebox<{ ping: () => Promise<boolean>; metrics: Metrics; metricsToken?: string | undefined }> = async (app, { ping, metrics, metricsToken }) => {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store')
    return payload
  })

  app.get(
    '/healthz',
    { config, schema: { operationId: 'getHealth', tags, summary: 'The process is up', security: [], response: { 200: ok(Health, 'The process is up.'), ...unauthorized } } },
    async () => ({ status: 'ok' as const, uptimeSeconds: Math.round(process.uptime()) }),
  )

  app.get(
    '/readyz',
    {
      config,
      schema: {
        operationId: 'getReadiness',
        tags,
        summary: 'The database answers',
        security: [],
        response: { 200: ok(Readiness, 'Ready.'), 503: ok(Readiness, 'The database does not answer.'), ...unauthorized },
      },
    },
    async (_request, reply) => {
      const ok = await ping()
      reply.code(ok ? 200 : 503)
      return { status: ok ? ('ok' as const) : ('unavailable' as const), database: ok ? ('ok' as const) : ('unavailable' as const) }
    },
  )

  app.get(
    '/metrics',
    {
      config: { scope: 'admin', rateLimit: false, bearerToken: metricsToken },
      schema: {
        operationId: 'getMetrics',
        tags,
        summary: 'Prometheus metrics',
        description: 'Needs an admin key, or the metrics token the deployment configured (METRICS_TOKEN) for its scraper: `Authorization: Bearer <token>`.',
        security: [{ bearer: [] }],
        produces: ['text/plain'],
        response: { 200: Type.String({ description: 'Prometheus text exposition format.' }), ...problems(401, 403) },
      },
    },
    async (_request, reply) => {
      reply.type(metrics.registry.contentType)
      return metrics.registry.metrics()
    },
  )

  app.get(
    '/openapi.json',
    {
      config,
      schema: {
        operationId: 'getOpenApi',
        tags,
        summary: 'This API as an OpenAPI 3.1 document',
        security: [],
        response: { 200: Type.Object({}, { additionalProperties: true, description: 'The OpenAPI document.' }), ...unauthorized },
      },
    },
    async () => app.swagger(),
  )
}

export default system
