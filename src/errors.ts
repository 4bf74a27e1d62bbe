/**
 * Domain errors. Services and repositories throw these; one error handler
 * turns every error into an RFC 9457 problem. No Fastify import here.
 */
export interface Issue {
  path: string
  message: string
}

export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail)
  }
}

export class NotFoundError extends DomainError {
  constructor(resource: string, key: string) {
    super(404, 'not-found', 'Not Found', `No ${resource} with id or slug '${key}'.`)
  }
}

/**
 * Where an issue is, by one convention for every part of a request:
 * /body/... (a JSON pointer into the request body: /body/headlines/basic),
 * /query/NAME, /params/NAME, /headers/NAME (lower case).
 * Services name query, path and header issues with their part (/query/since);
 * any other path is a pointer into the body and gets /body in front
 * (/body/3/html, the html of an article's fourth block, becomes /body/body/3/html).
 */
export function requestPath(path: string): string {
  if (path.startsWith('/querystring/')) return path.replace('/querystring/', '/query/') // the former spelling
  return /^\/(query|params|headers)\//.test(path) ? path : `/body${path === '/' ? '' : path}`
}

export class ValidationError extends DomainError {
  /** `errors` paths follow requestPath: a path without a part is a pointer into the request body. */
  constructor(detail: string, errors: Issue[]) {
    super(400, 'validation', 'Bad Request', detail, { errors: errors.map((e) => ({ ...e, path: requestPath(e.path) })) })
  }
}

export class ConflictError extends DomainError {
  constructor(detail: string, extra: Record<string, unknown> = {}) {
    super(409, 'conflict', 'Conflict', detail, extra)
  }
}

export class PreconditionFailedError extends DomainError {
  constructor(currentVersion: number) {
    super(
      412,
      'precondition-failed',
      'Precondition Failed',
      `The resource has changed: it is at version ${currentVersion}. Fetch it again, reapply your change and send the new ETag in If-Match.`,
      { currentVersion },
    )
  }
}

export class PreconditionRequiredError extends DomainError {
  constructor() {
    super(
      428,
      'precondition-required',
      'Precondition Required',
      'This write needs an If-Match header with the current ETag (or version) of the resource, so that no edit is lost.',
    )
  }
}

export class IdempotencyMismatchError extends DomainError {
  constructor() {
    super(422, 'idempotency-key-reused', 'Unprocessable Content', 'This Idempotency-Key was already used with a different request.')
  }
}

export class IdempotencyInProgressError extends DomainError {
  constructor() {
    super(409, 'idempotency-key-in-progress', 'Conflict', 'A request with this Idempotency-Key is still being processed. Retry shortly.')
  }
}

export class IdempotencyUnansweredError extends DomainError {
  constructor() {
    super(
      409,
      'idempotency-key-unanswered',
      'Conflict',
      'The first request with this Idempotency-Key was carried out, but the server stopped before it could store the answer. It was not run again: look its result up instead of retrying.',
    )
  }
}

/** Revoking this key would leave no active admin key, locking every admin out. */
export class LastAdminKeyError extends DomainError {
  constructor(id: string) {
    super(409, 'last-admin-key', 'Conflict', `The API key ${id} is the last active admin key; create another admin key before revoking this one.`)
  }
}

export class UnauthorizedError extends DomainError {
  constructor(detail = 'This operation needs an API key: send Authorization: Bearer <key>.') {
    super(401, 'unauthorized', 'Unauthorized', detail)
  }
}

export class ForbiddenError extends DomainError {
  constructor(needed: string, has: string) {
    super(403, 'forbidden', 'Forbidden', `This operation needs the '${needed}' scope; this key has '${has}'.`)
  }
}

/**
 * The database is locked by another writer for longer than the busy timeout
 * (config dbBusyTimeoutMs): nothing was written; the client retries after
 * `retryAfterSeconds` (the Retry-After header).
 */
export class DatabaseBusyError extends DomainError {
  readonly retryAfterSeconds = 1
  constructor() {
    super(503, 'database-busy', 'Service Unavailable', 'The database is busy with another write; nothing was changed. Retry after the number of seconds in Retry-After.')
  }
}

/** The disk (or the database's size limit) is full: nothing was written; reads still work. */
export class InsufficientStorageError extends DomainError {
  constructor() {
    super(507, 'insufficient-storage', 'Insufficient Storage', 'The server has no room left to store this write; nothing was changed. Reads still work; retry once space has been freed.')
  }
}

/**
 * The domain error for a database error code (better-sqlite3's SqliteError
 * `code`, e.g. SQLITE_BUSY_SNAPSHOT), or undefined for one that is a plain
 * server error. Busy and locked: 503 with Retry-After; full: 507. An I/O error
 * (SQLITE_IOERR_*) stays a 500: it does not say that space is what is missing.
 */
export function databaseErrorOf(code: unknown): DomainError | undefined {
  if (typeof code !== 'string') return undefined
  if (/^SQLITE_(BUSY|LOCKED)(_|$)/.test(code)) return new DatabaseBusyError()
  if (code === 'SQLITE_FULL') return new InsufficientStorageError()
  return undefined
}
