/**
 * Domain errors. Services and repositories throw these; one error handler
 * (src/plugins/problem.ts) turns every error into an RFC 9457 problem. Errors
 * say what went wrong by their code; which HTTP status (and problem type) a
 * code answers with is the problem plugin's business (its DOMAIN_PROBLEMS
 * table). No Fastify import here, and no HTTP status.
 */
export interface Issue {
  path: string
  message: string
}

/** What went wrong, by name. The problem type of the answer is /problems/<code>. */
export type ErrorCode =
  | 'validation'
  | 'not-found'
  | 'conflict'
  | 'last-admin-key'
  | 'precondition-failed'
  | 'precondition-required'
  | 'idempotency-key-reused'
  | 'idempotency-key-in-progress'
  | 'idempotency-key-unanswered'
  | 'unauthorized'
  | 'forbidden'
  | 'database-busy'
  | 'insufficient-storage'
  | 'text-too-large'
  | 'not-text'
  | 'empty-text'
  | 'unusable-text'
  | 'archive-line-failed'

export class DomainError extends Error {
  readonly code: ErrorCode
  readonly extra: Record<string, unknown>
  constructor(code: ErrorCode, detail: string, extra?: Record<string, unknown>) {
    super(detail)
    this.code = code
    this.extra = extra ?? {}
  }
}

export class NotFoundError extends DomainError {
  constructor(resource: string, key: string) {
    super('not-found', `No ${resource} with id or slug '${key}'.`)
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
    super('validation', detail, { errors: errors.map((e) => ({ ...e, path: requestPath(e.path) })) })
  }
}

export class ConflictError extends DomainError {
  constructor(detail: string, extra: Record<string, unknown> = {}) {
    super('conflict', detail, extra)
  }
}

/** Revoking this key would leave no active admin key. */
export class LastAdminKeyError extends DomainError {
  constructor(id: string) {
    super('last-admin-key', `The API key ${id} is the last active admin key; create another admin key before revoking this one.`)
  }
}

export class PreconditionFailedError extends DomainError {
  constructor(currentVersion: number) {
    super(
      'precondition-failed',
      `The resource has changed: it is at version ${currentVersion}. Fetch it again, reapply your change and send the new ETag in If-Match.`,
      { currentVersion },
    )
  }
}

export class PreconditionRequiredError extends DomainError {
  constructor() {
    super('precondition-required', 'This write needs an If-Match header with the current ETag (or version) of the resource, so that no edit is lost.')
  }
}

export class IdempotencyMismatchError extends DomainError {
  constructor() {
    super('idempotency-key-reused', 'This Idempotency-Key was already used with a different request.')
  }
}

export class IdempotencyInProgressError extends DomainError {
  constructor() {
    super('idempotency-key-in-progress', 'A request with this Idempotency-Key is still being processed. Retry shortly.')
  }
}

export class IdempotencyUnansweredError extends DomainError {
  constructor() {
    super(
      'idempotency-key-unanswered',
      'The first request with this Idempotency-Key was carried out, but the server stopped before it could store the answer. It was not run again: look its result up instead of retrying.',
    )
  }
}

export class UnauthorizedError extends DomainError {
  constructor(detail = 'This operation needs an API key: send Authorization: Bearer <key>.') {
    super('unauthorized', detail)
  }
}

export class ForbiddenError extends DomainError {
  constructor(needed: string, has: string) {
    super('forbidden', `This operation needs the '${needed}' scope; this key has '${has}'.`)
  }
}

/**
 * The database is locked by another writer for longer than the busy timeout
 * (config dbBusyTimeoutMs): nothing was written; the client may retry after
 * `retryAfterSeconds` (the problem plugin sends it as Retry-After).
 */
export class DatabaseBusyError extends DomainError {
  readonly retryAfterSeconds = 1
  constructor() {
    super('database-busy', 'The database is busy with another write; nothing was changed. Retry after the number of seconds in Retry-After.')
  }
}

/** The disk (or the database's size limit) is full: nothing was written; reads still work. */
export class InsufficientStorageError extends DomainError {
  constructor() {
    super('insufficient-storage', 'The server has no room left to store this write; nothing was changed. Reads still work; retry once space has been freed.')
  }
}
