import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as schema from '../schema.js'
import { CARRIED_OUT, currentClaim } from '../idempotencyScope.js'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

export interface DatabaseHandle {
  sqlite: Database.Database
  db: Db
  close(): void
}

export interface DatabaseOptions {
  /**
   * How long a write waits for another connection's write lock before it fails
   * with SQLITE_BUSY (a 503 to clients). better-sqlite3 waits synchronously, so
   * the server keeps this short (config dbBusyTimeoutMs); tools that run on
   * their own may wait longer.
   */
  busyTimeoutMs?: number
}

/** The wait of tools (CLI commands, tests) that do not say otherwise. */
export const DEFAULT_BUSY_TIMEOUT_MS = 2000

/** migrations/ sits three levels above this file both in src/db/sqlite and in dist/db/sqlite. */
export const migrationsFolder = fileURLToPath(new URL('../../../migrations', import.meta.url))

/** Opens the database with the durability settings every connection needs, and applies pending migrations. */
export function openDatabase(path: string, options: DatabaseOptions = {}): DatabaseHandle {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`)
  const db = drizzle(sqlite, { schema })
  migrate(db, { migrationsFolder })
  markClaimsInTransactions(db, sqlite)
  return {
    sqlite,
    db,
    close: () => {
      if (sqlite.open) sqlite.close()
    },
  }
}

/**
 * Makes every write transaction (`behavior: 'immediate'`) of a request that
 * holds an Idempotency-Key claim also mark that claim as carried out, in the
 * same commit: the write and the mark are on disk together or not at all.
 */
function markClaimsInTransactions(db: Db, sqlite: Database.Database): void {
  const mark = sqlite.prepare(`update idempotency_keys set status_code = ${CARRIED_OUT} where api_key_id = ? and key = ? and status_code is null`)
  const transaction = db.transaction.bind(db)
  db.transaction = ((fn, config) =>
    transaction((tx) => {
      const result = fn(tx)
      const claim = config?.behavior === 'immediate' ? currentClaim() : undefined
      if (claim) mark.run(claim.apiKeyId, claim.key)
      return result
    }, config)) as typeof db.transaction
}

/** The database answers a trivial query. */
export function ping(handle: DatabaseHandle): boolean {
  try {
    return handle.sqlite.prepare('select 1 as ok').get() !== undefined
  } catch {
    return false
  }
}
