import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import escapeHtml from 'escape-html'
import { problems } from './common.js'

/**
 * Every problem `type` the API answers with (`/problems/<code>`), with a short
 * explanation for people. The URIs are relative, so they resolve against the
 * server that answered: GET /problems/validation is this page.
 */
export const PROBLEM_TYPES: Record<string, { status: number; title: string; text: string }> = {
  validation: {
    status: 400,
    title: 'The request is not valid',
    text: 'Something in the request does not fit the schema. `errors` lists each issue with a `path` naming what you sent: `/body/` and a JSON pointer into the body (`/body/headlines/basic`; a missing property is named by its own path), `/query/NAME`, `/params/NAME` or `/headers/NAME`. A malformed If-Match is one too: send `*`, an ETag as the ETag header gave it (`"3-9f86d081"`) or a version number.',
  },
  'malformed-json': { status: 400, title: 'The body is not valid JSON', text: 'The body could not be parsed as JSON. Check quoting and commas, and send `Content-Type: application/json`.' },
  'bad-url': { status: 400, title: 'The URL is not valid', text: 'A percent-escape in the path does not decode to UTF-8 text (`%ff`, for example). Encode ids and slugs as UTF-8 before percent-encoding them.' },
  'bad-request': { status: 400, title: 'Bad request', text: 'The request could not be understood as HTTP (for example a wrong Content-Length). `detail` says what.' },
  unauthorized: { status: 401, title: 'No valid API key', text: 'Send an API key as `Authorization: Bearer <key>`. An admin creates keys with `POST /v1/api-keys` or `npm run keys -- create`.' },
  forbidden: { status: 403, title: 'The key lacks a scope', text: 'The operation needs a wider scope than the key has: `read` reads published content, `write` also drafts and edits, `admin` also keys and the archive.' },
  'not-found': { status: 404, title: 'Not found', text: 'No resource (or route) at this address. Articles are found by id or slug; drafts are hidden from read keys and anonymous callers.' },
  'not-acceptable': {
    status: 406,
    title: 'Not acceptable',
    text: 'The request accepts (Accept header, or `?format=`) no media type this operation produces; `accepted` lists those it does. Articles: `application/json`, `application/ld+json` (schema.org NewsArticle), `application/vnd.iptc.ninjs+json` (ninjs 2.2; `version=3` or a `profile` of the 3.1 schema URI for 3.1). Feeds: `application/rss+xml`, `application/atom+xml`, `application/feed+json`.',
  },
  conflict: { status: 409, title: 'Conflict', text: 'The request conflicts with the current state: a slug that is taken, or a delete of something articles still use (`usedBy` names them; `?force=true` detaches it first).' },
  'api-key-secret-shown-once': { status: 409, title: 'The key was already created', text: 'A retry of `POST /v1/api-keys` with the same Idempotency-Key: the key was created by the first request, and its secret is shown only once, so it is not stored to be sent again. The Location header names the key; revoke it and create another if the secret was lost.' },
  'webhook-secret-shown-once': { status: 409, title: 'The subscription was already created', text: 'A retry of `POST /v1/webhooks` with the same Idempotency-Key: the subscription was created by the first request, and its secret is shown only once, so it is not stored to be sent again. The Location header names the subscription; rotate its secret (`POST /v1/webhooks/{id}/rotate-secret`) if the first answer was lost.' },
  'last-admin-key': { status: 409, title: 'The last admin key', text: 'Revoking this key would leave no active admin key. Create another admin key first (`POST /v1/api-keys` or `npm run keys -- create --scope admin`).' },
  'idempotency-key-in-progress': { status: 409, title: 'The same request is still running', text: 'A request with this Idempotency-Key has not finished yet. Retry in a moment to get its answer.' },
  'idempotency-key-unanswered': {
    status: 409,
    title: 'The request was carried out, its answer was lost',
    text: 'The first request with this Idempotency-Key committed its change, but the server stopped (a crash, a restart) before it stored the answer. The request is not run a second time. Look the result up instead (for a create: the newest items of the list) and use a new key for a new request.',
  },
  'request-timeout': { status: 408, title: 'The request took too long to arrive', text: 'The server stopped waiting for the rest of the request (its headers or body). Retry; a large upload may need a faster connection.' },
  'precondition-failed': { status: 412, title: 'The resource has changed', text: 'If-Match named a version that is no longer current (`currentVersion` says which is). Fetch the resource again, reapply your change and send the new ETag.' },
  'body-too-large': { status: 413, title: 'The body is too large', text: 'The body is larger than the operation takes; `limitBytes` says the limit (the server-wide one is BODY_LIMIT_BYTES). Archives larger than the HTTP limit import with `npm run archive -- import`.' },
  'uri-too-long': { status: 414, title: 'A path parameter is too long', text: 'An id or slug in the path is longer than 200 characters; no resource has one that long.' },
  'text-too-large': { status: 413, title: 'The text is too long to import', text: 'An import takes one story. Split the text into several imports.' },
  'unsupported-media-type': { status: 415, title: 'Unsupported body type', text: 'The body is of a type the operation does not take; `accepted` (and the Accept or Accept-Patch header) lists those it does: `application/json`, and also `application/merge-patch+json` for PATCH.' },
  'not-text': { status: 415, title: 'The content is not text', text: 'An import takes UTF-8 text. The content held NUL bytes or bytes that are not UTF-8, or named another charset.' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency-Key reused', text: 'This Idempotency-Key was first used with a different request. Use a new key for a new request.' },
  'empty-text': { status: 422, title: 'The text is empty', text: 'An import needs a story to read: the text was empty or only white space.' },
  'unusable-text': { status: 422, title: 'No story found in the text', text: 'The importer found no headline and body in the text (only page chrome, for example). `detail` says what it found.' },
  'archive-line-failed': { status: 422, title: 'An archive line could not be imported', text: 'The import stopped at the line the problem names; its batch was rolled back and every line before it stays imported. Fix the line and import again (the import skips what is there).' },
  'headers-too-large': { status: 431, title: 'The request headers are too large', text: 'The request headers add up to more than the server accepts (16 KiB by default in Node.js). Send fewer or shorter headers.' },
  'precondition-required': { status: 428, title: 'If-Match is required', text: 'Every write to an existing resource needs If-Match with the ETag (or version) you last read, so that no edit is lost. GET the resource and send its ETag.' },
  'rate-limited': { status: 429, title: 'Too many requests', text: 'The key (or address) went over its requests per minute. Wait as long as the RateLimit-Reset header says.' },
  'database-busy': {
    status: 503,
    title: 'The database is busy',
    text: 'Another process (a backup, an import, a maintenance command) held the write lock longer than the server waits (`DB_BUSY_TIMEOUT_MS`). Nothing was changed. Retry after the seconds in the `Retry-After` header; reads keep working meanwhile.',
  },
  'insufficient-storage': {
    status: 507,
    title: 'No room to store the write',
    text: 'The disk holding the database (or its size limit) is full. Nothing was changed, and nothing stored before is lost; reads and `/healthz` keep working. Retry once the operator has freed space.',
  },
  internal: { status: 500, title: 'Server error', text: 'Something went wrong on our side. The `requestId` identifies the request in the server log.' },
}

/** Markdown code spans as <code>, everything else escaped. */
const inline = (text: string) =>
  text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? `<code>${escapeHtml(part)}</code>` : escapeHtml(part)))
    .join('')

const page = (title: string, body: string) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} - Newsdesk</title></head>\n<body>\n${body}\n</body></html>\n`

/** A short page for people for each problem type, and an index of them. */
const problemPages: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/problems',
    {
      config: { scope: 'none' },
      schema: {
        operationId: 'listProblemTypes',
        tags: ['system'],
        summary: 'The problem types this API answers with (a page for people)',
        security: [],
        produces: ['text/html'],
        response: { 200: Type.String({ description: 'An HTML list of the problem types.' }), ...problems(401) },
      },
    },
    async (_request, reply) => {
      const items = Object.entries(PROBLEM_TYPES)
        .map(([code, p]) => `<li><a href="/problems/${code}">${escapeHtml(code)}</a> (${p.status}): ${escapeHtml(p.title)}</li>`)
        .join('\n')
      return reply.type('text/html; charset=utf-8').send(page('Problem types', `<h1>Problem types</h1>\n<p>Every error is RFC 9457 <code>application/problem+json</code>; its <code>type</code> is one of these.</p>\n<ul>\n${items}\n</ul>`))
    },
  )

  app.get(
    '/problems/:code',
    {
      config: { scope: 'none' },
      schema: {
        operationId: 'getProblemType',
        tags: ['system'],
        summary: 'What a problem type means (a page for people)',
        security: [],
        produces: ['text/html'],
        params: Type.Object({ code: Type.String({ maxLength: 100, pattern: '^[a-z-]+$', description: 'The last segment of a problem `type`.' }) }),
        response: { 200: Type.String({ description: 'An HTML page explaining the problem type.' }), ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const p = PROBLEM_TYPES[request.params.code]
      if (!p) return reply.callNotFound()
      const body = `<h1>${escapeHtml(p.title)}</h1>\n<p>HTTP status ${p.status}. Problem type <code>/problems/${escapeHtml(request.params.code)}</code>.</p>\n<p>${inline(p.text)}</p>\n<p><a href="/problems">All problem types</a> - <a href="/docs">API docs</a></p>`
      return reply.type('text/html; charset=utf-8').send(page(p.title, body))
    },
  )
}

export default problemPages
