import { databaseErrorOf } from './sqlite/errors.js'

/**
 * A database error as the domain error it means (see the engine's
 * databaseErrorOf): the engine's error may be the error itself or the `cause` of drizzle's
 * DrizzleQueryError (whose message holds the SQL, which must not reach a client).
 * Any other error is returned as it is.
 */
export function translateDatabaseError(err: unknown): unknown {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const mapped = databaseErrorOf((e as { code?: unknown }).code)
    if (mapped) {
      mapped.cause = err // for the server log; the client sees only the problem
      return mapped
    }
  }
  return err
}
