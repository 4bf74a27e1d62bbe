import type { Db } from './client.js'

/**
 * SQLite's plan for a statement built with drizzle (EXPLAIN QUERY PLAN, one
 * line of detail per step), with its placeholders filled from `values`.
 */
export function explainQueryPlan(db: Db, query: { toSQL(): { sql: string; params: unknown[] } }, values: Record<string, unknown>): string[] {
  const { sql: text, params } = query.toSQL()
  const bound = params.map((v) => (typeof v === 'object' && v !== null && 'name' in v ? values[(v as { name: string }).name] : v))
  const plan = db.$client.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...bound) as { detail: string }[]
  return plan.map((row) => row.detail)
}
