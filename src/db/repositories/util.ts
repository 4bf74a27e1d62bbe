import Database from 'better-sqlite3'
import { ConflictError } from '../../errors.js'

/** Turns a UNIQUE violation into a 409 naming the field; anything else is rethrown. */
export function rethrowUnique(err: unknown, field: string, value: string): never {
  if (err instanceof Database.SqliteError && err.code === 'SQLITE_CONSTRAINT_UNIQUE') {
    throw new ConflictError(`The ${field} '${value}' is already taken.`)
  }
  throw err
}

