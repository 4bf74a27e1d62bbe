import Database from 'better-sqlite3'
import { DatabaseBusyError, InsufficientStorageError, type DomainError } from '../../errors.js'

/** What SQLite's errors mean, for the engine-neutral code around them. */

/**
 * The domain error for an SQLite error code (better-sqlite3's SqliteError
 * `code`, e.g. SQLITE_BUSY_SNAPSHOT), or undefined for one that is a plain
 * server error. Busy and locked: the database is busy (503, Retry-After);
 * full: no room (507). An I/O error (SQLITE_IOERR_*) stays a server error: it
 * does not say that space is what is missing.
 */
export function databaseErrorOf(code: unknown): DomainError | undefined {
  if (typeof code !== 'string') return undefined
  if (/^SQLITE_(BUSY|LOCKED)(_|$)/.test(code)) return new DatabaseBusyError()
  if (code === 'SQLITE_FULL') return new InsufficientStorageError()
  return undefined
}

/** A constraint an SQLite error says a write broke, with the columns it names ("articles.slug"); null for any other error. */
export function brokenConstraint(err: unknown): { kind: 'unique' | 'primary-key' | 'foreign-key'; columns: string } | null {
  if (!(err instanceof Database.SqliteError)) return null
  const columns = /constraint failed: (.+)$/.exec(err.message)?.[1] ?? ''
  if (err.code === 'SQLITE_CONSTRAINT_UNIQUE') return { kind: 'unique', columns }
  if (err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return { kind: 'primary-key', columns }
  if (err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return { kind: 'foreign-key', columns }
  return null
}

/** What is wrong with a search query FTS5 refused (its syntax), or null when the error is something else. */
export function searchQueryProblem(err: unknown): string | null {
  if (err instanceof Database.SqliteError && /fts5|no such column|unterminated|unknown special query/i.test(err.message)) return err.message.replace(/^fts5: /, '')
  return null
}
