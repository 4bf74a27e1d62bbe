import { databaseErrorOf as sqliteErrorOf } from './sqlite/errors.js'
import { databaseErrorOf as postgresErrorOf } from './pg/errors.js'

/**
 * A database error as the domain error it means (see each engine's
 * databaseErrorOf: SQLite's codes are SQLITE_*, PostgreSQL's are SQLSTATEs or
 * a lost connection): the engine's error may be the error itself or the `cause`
 * of drizzle's DrizzleQueryError (whose message holds the SQL, which must not
 * reach a client). Any other error is returned as it is.
 */
export function translateDatabaseError(err: unknown): unknown {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const mapped = sqliteErrorOf((e as { code?: unknown }).code) ?? postgresErrorOf(e)
    if (mapped) {
      mapped.cause = err // for the server log; the client sees only the problem
      return mapped
    }
  }
  return err
}

/*
 * What a repository found wrong with a write or a query, as facts (which
 * resources, which ids), with no words for a client: the service that called
 * it knows which part of its request named them, and phrases the problem.
 */

/** The resources a write refers to that do not exist, in the order they were checked. */
export class MissingReferencesError extends Error {
  constructor(readonly missing: { kind: 'section' | 'media' | 'contributor' | 'topic'; id: string }[]) {
    super(`missing: ${missing.map((m) => `${m.kind} ${m.id}`).join(', ')}`)
  }
}

/** A section cannot move under itself or below one of its own subsections. */
export class SectionCycleError extends Error {
  constructor(
    readonly sectionId: string,
    readonly parentId: string,
  ) {
    super(`section ${sectionId} cannot move under ${parentId}`)
  }
}

/** The item cannot be deleted while these articles use it (at most 100 are named). */
export class InUseError extends Error {
  constructor(
    readonly resource: 'section' | 'media' | 'contributor' | 'topic',
    readonly usedBy: string[],
  ) {
    super(`${resource} used by ${usedBy.length} article(s)`)
  }
}

/** The search engine refused a search query; `problem` says what is wrong with it. */
export class SearchQueryError extends Error {
  constructor(readonly problem: string) {
    super(`invalid search query: ${problem}`)
  }
}
