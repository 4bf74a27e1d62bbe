import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import * as schema from '../schema.js'
import type { Db } from './client.js'

export interface Snapshot {
  db: Db
  release(): void
}

/**
 * A consistent, read-only view of the database for a long read (an export):
 * on a file, a second, read-only connection holding one read transaction, so
 * every page read sees the same state while writers carry on (WAL). An
 * in-memory database has no second connection: its snapshot is the live
 * connection, read page by page.
 */
export function openSnapshot(db: Db): Snapshot {
  const client = db.$client
  if (client.memory) return { db, release: () => {} }
  const sqlite = new Database(client.name, { readonly: true, fileMustExist: true })
  try {
    sqlite.pragma('busy_timeout = 2000')
    sqlite.exec('BEGIN')
    // The first read starts the snapshot that every page then sees.
    sqlite.prepare('select count(*) from sqlite_master').get()
  } catch (err) {
    sqlite.close()
    throw err
  }
  return {
    db: drizzle(sqlite, { schema }) as Db,
    release: () => {
      if (sqlite.open) {
        if (sqlite.inTransaction) sqlite.exec('COMMIT')
        sqlite.close()
      }
    },
  }
}
