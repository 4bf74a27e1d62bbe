import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { DomainError, type ErrorCode, type Issue } from '../errors.js'
import { translateDatabaseError } from '../db/index.js'

export const PROBLEM_TYPE = 'application/problem+json'

/**
 * The HTTP answer to each domain error code, in one table: its status and the
 * problem's `title` (the status's name in RFC 9110). The problem type is
 * /problems/<code> (a page in src/routes/problems.ts).
 */
export const DOMAIN_PROBLEMS: Record<ErrorCode, { status: number; title: string }> = {
  validation: { status: 400, title: 'Bad Request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not Found' },
  conflict: { status: 409, title: 'Conflict' },
  'last-admin-key': { status: 409, title: 'Conflict' },
  'idempotency-key-in-progress': { status: 409, title: 'Conflict' },
  'idempotency-key-unanswered': { status: 409, title: 'Conflict' },
  'precondition-failed': { status: 412, title: 'Precondition Failed' },
  'text-too-large': { status: 413, title: 'Content Too Large' },
  'not-text': { status: 415, title: 'Unsupported Media Type' },
  'idempotency-key-reused': { status: 422, title: 'Unprocessable Content' },
  'empty-text': { status: 422, title: 'Unprocessable Content' },
  'unusable-text': { status: 422, title: 'Unprocessable Content' },
  'archive-line-failed': { status: 422, title: 'Unprocessable Content' },
  'precondition-required': { status: 428, title: 'Precondition Required' },
  'database-busy': { status: 503, title: 'Service Unavailable' },
  'insufficient-storage': { status: 507, title: 'Insufficient Storage' },
}

/** The HTTP status a domain error answers with. */
export const statusOf = (error: DomainError): number => DOMAIN_PROBLEMS[error.code].status

interface ProblemInit {
  status: number
  code: string
  detail: string
  title?: string
  extra?: Record<string, unknown>
}

/**
 * An error a route throws with its HTTP answer, for what only the HTTP layer
 * knows about (a body's size or type). Services throw domain errors instead.
 */
export class HttpProblem extends Error {
  constructor(readonly problem: ProblemInit) {
    super(problem.detail)
  }
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, p: ProblemInit): FastifyReply {
  if (p.status === 401) reply.header('www-authenticate', 'Bearer realm="newsdesk"')
  return reply
    .code(p.status)
    .type(PROBLEM_TYPE)
    .send({
      type: `/problems/${p.code}`,
      title: p.title ?? STATUS_CODES[p.status] ?? 'Error',
      status: p.status,
      detail: p.detail,
      instance: request.url.split('?')[0],
      requestId: request.id,
      ...p.extra,
    })
}

interface AjvIssue {
  instancePath: string
  message?: string
  keyword: string
  params: Record<string, unknown>
}

/** The name each request part has in error paths (see requestPath in src/errors.ts). */
const PARTS: Record<string, { path: string; name: string }> = {
  body: { path: 'body', name: 'body' },
  querystring: { path: 'query', name: 'query string' },
  params: { path: 'params', name: 'path parameters' },
  headers: { path: 'headers', name: 'headers' },
}

/**
 * Ajv errors as {path, message}, by the convention of requestPath: /body/ and
 * a JSON pointer into the body (/body/headlines/basic, /body/body/3/html is
 * the html of the fourth block), /query/NAME, /params/NAME, /headers/NAME. A
 * missing property is named by its own path (/body/headlines: "is required").
 */
function issuesOf(validation: AjvIssue[], part: string): Issue[] {
  return validation.map((v) => {
    let path = `/${part}${v.instancePath}`
    let message = v.message ?? 'is invalid'
    if (v.keyword === 'additionalProperties') {
      path += `/${String(v.params.additionalProperty)}`
      message = 'is not a known property'
    } else if (v.keyword === 'required') {
      path += `/${String(v.params.missingProperty)}`
      message = 'is required'
    } else if (v.keyword === 'discriminator' && v.params.error === 'mapping') {
      path += '/type'
      message = `'${String(v.params.tagValue)}' is not a known block type`
    }
    return { path, message }
  })
}

/** The body types a route takes, for a 415: its `accepts` config, or JSON (and merge-patch for PATCH). */
const acceptedTypes = (request: FastifyRequest) =>
  request.routeOptions.config?.accepts ?? (request.method === 'PATCH' ? ['application/json', 'application/merge-patch+json'] : ['application/json'])

const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'malformed-json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed-json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad-request' },
}

/** The longest path parameter the router takes (ids and slugs are at most 200 characters); a longer one is a 414. */
export const MAX_PARAM_LENGTH = 200

/**
 * Errors Fastify raises before a route is found (Fastify's `frameworkErrors`
 * option): a URL that is not valid percent-encoding, a path parameter over
 * MAX_PARAM_LENGTH. Problem+json like every other error.
 */
export function frameworkErrorProblem(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.code === 'FST_ERR_BAD_URL') {
    return sendProblem(request, reply, { status: 400, code: 'bad-url', detail: 'The URL is not valid: a percent-escape does not decode to UTF-8 text.' })
  }
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return sendProblem(request, reply, { status: 414, code: 'uri-too-long', detail: `A path parameter is longer than ${MAX_PARAM_LENGTH} characters; no id or slug is that long.` })
  }
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
  if (status === 500) request.log.error({ err: error }, 'framework error')
  return sendProblem(request, reply, { status, code: status === 500 ? 'internal' : 'bad-request', detail: status === 500 ? 'Something went wrong on our side.' : error.message })
}

/**
 * Errors of Node's HTTP parser, before Fastify sees a request (Fastify's
 * `clientErrorHandler` option): headers over the size limit (431), a request
 * that took too long to arrive (408), bytes that are not HTTP (400). The answer
 * is problem+json, written straight to the socket, which is then closed.
 */
export function clientErrorProblem(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const [status, code, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers-too-large', 'The request headers are larger than this server accepts.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request-timeout', 'The request did not arrive in time.']
        : [400, 'bad-request', 'The request is not valid HTTP.']
  const title = STATUS_CODES[status] ?? 'Error'
  const body = JSON.stringify({ type: `/problems/${code}`, title, status, detail })
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy(err)
}

/** One handler turns every error, and every unknown route, into RFC 9457 problem+json. */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      // A database error that did not come through a repository (which translates them) is mapped here too.
      const translated = error instanceof DomainError ? error : translateDatabaseError(error)
      const domain = translated instanceof DomainError ? translated : undefined
      if (error instanceof HttpProblem) return sendProblem(request, reply, error.problem)
      if (domain) {
        const { status, title } = DOMAIN_PROBLEMS[domain.code]
        // 503 database-busy, 507 insufficient-storage: the server's state, worth a line in the log (without the SQL for clients).
        if (status >= 500) request.log.warn({ err: domain.cause ?? error, code: domain.code }, 'write refused')
        if ('retryAfterSeconds' in domain) reply.header('retry-after', String(domain.retryAfterSeconds))
        return sendProblem(request, reply, { status, code: domain.code, title, detail: domain.message, extra: domain.extra })
      }
      if (error.validation) {
        const part = PARTS[error.validationContext ?? 'body'] ?? PARTS.body!
        return sendProblem(request, reply, {
          status: 400,
          code: 'validation',
          detail: `The request ${part.name} is not valid.`,
          extra: { errors: issuesOf(error.validation as AjvIssue[], part.path) },
        })
      }
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        const limit = request.routeOptions.bodyLimit ?? request.server.initialConfig.bodyLimit
        return sendProblem(request, reply, { status: 413, code: 'body-too-large', detail: `The request body is larger than the ${limit} bytes this operation takes.`, extra: { limitBytes: limit } })
      }
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        const accepted = acceptedTypes(request)
        reply.header(request.method === 'PATCH' ? 'accept-patch' : 'accept', accepted.join(', '))
        return sendProblem(request, reply, {
          status: 415,
          code: 'unsupported-media-type',
          detail: `This operation takes a body of type ${accepted.join(', ')}; the request sent ${request.headers['content-type'] ?? 'no Content-Type'}.`,
          extra: { accepted },
        })
      }
      const known = error.code ? FASTIFY_CODES[error.code] : undefined
      if (known) return sendProblem(request, reply, { ...known, detail: error.message })
      if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
        return sendProblem(request, reply, { status: 400, code: 'malformed-json', detail: 'The request body is not valid JSON.' })
      }
      const status = error.statusCode ?? 500
      if (status >= 400 && status < 500) {
        return sendProblem(request, reply, { status, code: status === 429 ? 'rate-limited' : 'bad-request', detail: error.message })
      }
      request.log.error({ err: error }, 'unhandled error')
      return sendProblem(request, reply, { status: 500, code: 'internal', detail: 'Something went wrong on our side. The request id identifies it in our logs.' })
    })

    app.setNotFoundHandler((request, reply) =>
      sendProblem(request, reply, { status: 404, code: 'not-found', detail: `No route ${request.method} ${request.url.split('?')[0]}.` }),
    )
  },
  { name: 'problem' },
)
