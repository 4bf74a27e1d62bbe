import fp from 'fastify-plugin'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { QueryObserver } from '../db/index.js'

/** Prometheus metrics: process, HTTP by route and status, and repository (database) timings. */
export function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })
  const httpTotal = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  })
  const dbDuration = new Histogram({
    name: 'db_operation_duration_seconds',
    help: 'Repository operation latency (SQLite) by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [registry],
  })
  const observeQuery: QueryObserver = (operation, seconds, ok) => dbDuration.observe({ operation, outcome: ok ? 'ok' : 'error' }, seconds)
  return { registry, httpDuration, httpTotal, observeQuery }
}

export type Metrics = ReturnType<typeof createMetrics>

export default fp<{ metrics: Metrics }>(
  async (app, { metrics }) => {
    app.addHook('onResponse', async (request, reply) => {
      const labels = {
        method: request.method,
        // The route pattern, never the raw URL, so label sets stay bounded.
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      }
      metrics.httpTotal.inc(labels)
      metrics.httpDuration.observe(labels, reply.elapsedTime / 1000)
    })
  },
  { name: 'metrics' },
)
