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
    help: 'Repository operation latency (the database, either engine) by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [registry],
  })
  // The label sets are few and fixed (routes, statuses, repository methods): each one's series is looked up once
  // and kept, so that a request does not hash its labels again (it was among the costs of a read).
  const queries = new Map<string, ReturnType<typeof dbDuration.labels>>()
  const observeQuery: QueryObserver = (operation, seconds, ok) => {
    const key = `${operation} ${ok}`
    let series = queries.get(key)
    if (series === undefined) queries.set(key, (series = dbDuration.labels({ operation, outcome: ok ? 'ok' : 'error' })))
    series.observe(seconds)
  }
  const requests = new Map<string, { total: ReturnType<typeof httpTotal.labels>; duration: ReturnType<typeof httpDuration.labels> }>()
  /** Counts a request and observes its duration, by method, route pattern and status. */
  const observeRequest = (method: string, route: string, status: number, seconds: number) => {
    const key = `${method} ${route} ${status}`
    let series = requests.get(key)
    if (series === undefined) {
      const labels = { method, route, status_code: String(status) }
      requests.set(key, (series = { total: httpTotal.labels(labels), duration: httpDuration.labels(labels) }))
    }
    series.total.inc()
    series.duration.observe(seconds)
  }
  return { registry, httpDuration, httpTotal, observeQuery, observeRequest }
}

export type Metrics = ReturnType<typeof createMetrics>

export default fp<{ metrics: Metrics }>(
  async (app, { metrics }) => {
    app.addHook('onResponse', async (request, reply) => {
      // The route pattern, never the raw URL, so label sets stay bounded.
      metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000)
    })
  },
  { name: 'metrics' },
)
