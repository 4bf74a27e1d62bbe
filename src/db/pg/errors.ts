import { DatabaseBusyError, InsufficientStorageError, type DomainError } from '../../errors.js'

/**
 * What PostgreSQL's errors mean, for the engine-neutral code around them.
 * node-postgres puts the SQLSTATE in `code` (five characters: '23505'); a
 * connection that fails has a Node system error code (ECONNREFUSED) or none.
 */

/** Serialization failure, deadlock, lock not available (NOWAIT), statement timeout (lock_timeout and statement_timeout too). */
const BUSY = new Set(['40001', '40P01', '55P03', '57014', '53300', '57P01', '57P02', '57P03'])
const CONNECTION = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])
/** node-postgres' own errors for a lost connection or a pool with no free connection, which carry no code. */
const CONNECTION_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/

/**
 * The domain error for a PostgreSQL error, or undefined for one that is a
 * plain server error. Busy (503, Retry-After): a serialization failure or a
 * deadlock (the transaction may simply be retried), a lock or statement
 * timeout, too many connections, a server shutting down or a lost connection
 * (class 08 and node-postgres' own). Full (507): disk_full (53100).
 */
export function databaseErrorOf(err: unknown): DomainError | undefined {
  if (!(err instanceof Error)) return undefined
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string') {
    if (BUSY.has(code) || /^08[0-9A-Z]{3}$/.test(code) || CONNECTION.has(code)) return new DatabaseBusyError()
    if (code === '53100') return new InsufficientStorageError()
    return undefined
  }
  return CONNECTION_MESSAGE.test(err.message) ? new DatabaseBusyError() : undefined
}

interface PgError {
  code: string
  constraint?: string
  table?: string
  detail?: string
}

function pgErrorIn(err: unknown): PgError | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return e as unknown as PgError
  }
  return null
}

/**
 * A constraint a PostgreSQL error says a write broke (the error may be the
 * `cause` of drizzle's DrizzleQueryError), with its table and the constraint's
 * name ("articles_slug_unique", "article_credits_contributor_id_contributors_id_fk");
 * null for any other error. A primary key is a unique constraint on PostgreSQL:
 * its name ends in `_pkey`.
 */
export function brokenConstraint(err: unknown): { kind: 'unique' | 'primary-key' | 'foreign-key'; table: string; constraint: string } | null {
  const e = pgErrorIn(err)
  if (!e) return null
  const found = { table: e.table ?? '', constraint: e.constraint ?? '' }
  if (e.code === '23505') return { kind: found.constraint.endsWith('_pkey') ? 'primary-key' : 'unique', ...found }
  if (e.code === '23503') return { kind: 'foreign-key', ...found }
  return null
}

/**
 * What is wrong with a search query PostgreSQL refused, or null when the error
 * is something else. The translator (pg/search.ts) throws SearchQueryError
 * itself for what it refuses; this is for what to_tsquery still rejects
 * (42601 syntax_error in a tsquery).
 */
export function searchQueryProblem(err: unknown): string | null {
  const e = pgErrorIn(err) as (PgError & { message?: string }) | null
  if (e?.code === '42601' && /tsquery/i.test(String((e as unknown as Error).message))) return 'syntax error in the search query'
  return null
}

/**
 * Whether an error means a replica cannot answer now, so that the read is
 * asked of the primary instead: a connection refused, lost or timed out (class
 * 08, node-postgres' own), a server shutting down or starting (57P01-57P03),
 * too many connections (53300), or a query cancelled by a conflict with the
 * recovery it is replaying (40001). The error may be the `cause` of drizzle's.
 */
export function replicaUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && (CONNECTION.has(code) || /^08[0-9A-Z]{3}$/.test(code) || ['57P01', '57P02', '57P03', '53300', '40001'].includes(code))) return true
    if (CONNECTION_MESSAGE.test(e.message)) return true
  }
  return false
}
