import pg from 'pg'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { fileURLToPath } from 'node:url'
import * as schema from './schema.js'
import { LOCKS } from './locks.js'

/** A Drizzle database on the PostgreSQL schema, whichever driver is under it (node-postgres, or PGlite in tests). */
export type PgDb = PgDatabase<PgQueryResultHKT, typeof schema>

/** migrations/pg sits three levels above this file both in src/db/pg and in dist/db/pg. */
export const pgMigrationsFolder = fileURLToPath(new URL('../../../migrations/pg', import.meta.url))

/** Any number of processes may start at once: one at a time applies the migrations, under this advisory lock. */
const MIGRATION_LOCK = LOCKS.migrations

export interface PostgresHandle {
  db: PgDb
  pool: pg.Pool
  close(): Promise<void>
}

export interface PostgresOptions {
  /** Connections in the pool (node-postgres' `max`). */
  poolSize?: number
  /**
   * Told when an idle pooled connection fails (the server restarted, or ended
   * it). The pool drops that connection and opens another when needed; without
   * a listener, node-postgres would throw the error and end the process.
   */
  onIdleError?: (err: Error) => void
}

/** Connects a pool to DATABASE_URL and applies pending migrations, one process at a time. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<PostgresHandle> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 })
  pool.on('error', options.onIdleError ?? (() => {}))
  try {
    const client = await pool.connect()
    try {
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK])
      try {
        await migrate(drizzle(client, { schema }), { migrationsFolder: pgMigrationsFolder })
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK])
      }
    } finally {
      client.release()
    }
  } catch (err) {
    await pool.end()
    throw err
  }
  return { db: drizzle(pool, { schema }), pool, close: () => pool.end() }
}

/** How long a read waits to connect to a replica before it is asked of the primary instead. */
const REPLICA_CONNECT_TIMEOUT_MS = 3000

/**
 * A pool on a read replica (DATABASE_REPLICA_URL): nothing is migrated (a
 * standby is read-only, and replays the primary's migrations), and nothing is
 * connected until the first read, so that the API starts while the replica is
 * down (its reads then go to the primary).
 */
export function openReplicaPool(url: string, options: PostgresOptions = {}): PostgresHandle {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, connectionTimeoutMillis: REPLICA_CONNECT_TIMEOUT_MS })
  pool.on('error', options.onIdleError ?? (() => {}))
  return { db: drizzle(pool, { schema }), pool, close: () => pool.end() }
}
