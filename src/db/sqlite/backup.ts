import Database from 'better-sqlite3'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { SEARCH_INDEX_CHECK } from './search.js'

export interface BackupResult {
  destination: string
  pages: number
  bytes: number
  milliseconds: number
  /** PRAGMA integrity_check of the copy: 'ok' when sound. */
  integrity: string
  /** The full-text index's own integrity check of the copy: 'ok' when sound. */
  searchIndex: string
}

/**
 * An online backup of the database file at `source` into a new file at
 * `destination`, with SQLite's backup API, while the server keeps writing
 * (WAL). The first step copies 100 pages; every later step copies all that
 * remain, in one read transaction, so writes made meanwhile by other
 * connections restart the copy at most at that step instead of starving it.
 * The copy is then checked (integrity_check and the FTS5 integrity check).
 */
export async function backupDatabase(source: string, destination: string): Promise<BackupResult> {
  if (source === ':memory:') throw new Error('An in-memory database cannot be backed up: set DATABASE_PATH to a file.')
  if (existsSync(destination)) throw new Error(`${destination} exists already; a backup never overwrites a file.`)
  mkdirSync(dirname(destination), { recursive: true })
  const started = Date.now()
  const db = new Database(source, { readonly: true, fileMustExist: true })
  let pages: number
  try {
    db.pragma('busy_timeout = 5000')
    const result = await db.backup(destination, { progress: ({ remainingPages }) => Math.max(100, remainingPages) })
    pages = result.totalPages
  } finally {
    db.close()
  }
  const copy = new Database(destination, { fileMustExist: true })
  try {
    const integrity = (copy.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ')
    let searchIndex = 'ok'
    try {
      copy.exec(SEARCH_INDEX_CHECK)
    } catch (err) {
      searchIndex = (err as Error).message
    }
    return { destination, pages, bytes: statSync(destination).size, milliseconds: Date.now() - started, integrity, searchIndex }
  } finally {
    copy.close()
  }
}
