import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Problem, ref } from '../../schemas/common.js'
import { ImportProblem, ImportQuery, ImportRequest, ImportResult, ImportText, type ImportResultOut } from '../../schemas/imports.js'
import { decodeText, NotTextError, type ImportResult as ServiceResult, type ImportService } from '../../services/imports.js'
import { mapArticle } from '../../mappers/article.js'
import { htmlToText } from '../../ingest/html.js'
import { HttpProblem } from '../../plugins/problem.js'
import { idempotencyHeaders, ok, problems, STORAGE_ERRORS } from '../common.js'

const problem = (description: string, schema: TSchema = Problem) => ({ description, content: { 'application/problem+json': { schema: ref(schema) } } })

/** The error answers of this route, described for what they mean here. */
const errors = {
  ...problems(400, 401, 403, 409, 413, 415, 422, ...STORAGE_ERRORS),
  409: problem('A request with this Idempotency-Key is still being processed.'),
  413: problem('The request body is larger than the server takes (`/problems/body-too-large`).'),
  415: problem(
    'The request has no Content-Type, or one other than text/plain, text/html and application/json (`/problems/unsupported-media-type`, ' +
      'with the `accepted` types), or the body is not UTF-8 text: another charset, NUL bytes (a binary file) or bytes that are not UTF-8 (`/problems/not-text`).',
  ),
  422: problem(
    'The text cannot become an article: it is empty (`/problems/empty-text`), has no headline (only page chrome; `/problems/unusable-text`, with the parser `warnings`), ' +
      'or is too big for one article; or the Idempotency-Key was used before with a different request.',
    ImportProblem,
  ),
} as unknown as ReturnType<typeof problems>

const UTF8 = /^(utf-?8|us-ascii)$/i

/** The body types this route takes, named in its 415 answers. */
export const IMPORT_TYPES = ['text/plain', 'text/html', 'application/json']

function unsupported(contentType: string | undefined): HttpProblem {
  return new HttpProblem({
    status: 415,
    code: 'unsupported-media-type',
    title: 'Unsupported Media Type',
    detail: `Send the story as ${IMPORT_TYPES.join(', ')} (UTF-8); the request sent ${contentType ? `Content-Type ${contentType}` : 'no Content-Type'}.`,
    extra: { accepted: IMPORT_TYPES },
  })
}

function toResponse(result: ServiceResult): ImportResultOut {
  return {
    created: result.created,
    article: result.article ? mapArticle(result.article) : null,
    parse: result.parse.article,
    report: result.parse.report,
    suggestions: result.suggestions,
  }
}

/**
 * Ingest: raw text (a copied news page, wire copy) becomes a draft article.
 * This plugin alone accepts text/plain and text/html; everywhere else they are a 415.
 */
const imports: FastifyPluginAsyncTypebox<{ service: ImportService }> = async (app, { service }) => {
  // Read as bytes so that binary and non-UTF-8 bodies are refused instead of silently mangled.
  // A saved page (text/html) becomes the text a reader sees, one block a line (src/ingest/html.ts).
  for (const type of ['text/plain', 'text/html']) {
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (request, body, done) => {
      const charset = /;\s*charset="?([^";\s]+)"?/i.exec(request.headers['content-type'] ?? '')?.[1]
      if (charset && !UTF8.test(charset)) {
        done(new NotTextError(`its charset is ${charset}; only UTF-8 is taken`), undefined)
        return
      }
      try {
        const text = decodeText(body as Buffer)
        done(null, type === 'text/html' ? htmlToText(text) : text)
      } catch (err) {
        done(err as Error, undefined)
      }
    })
  }

  // A body without a Content-Type is not parsed at all: say which types are taken.
  app.addHook('preValidation', async (request) => {
    if (request.headers['content-type'] === undefined) throw unsupported(undefined)
  })

  app.post(
    '/v1/imports',
    {
      config: { scope: 'write', idempotent: true, accepts: IMPORT_TYPES },
      schema: {
        operationId: 'importArticle',
        tags: ['imports'],
        summary: 'Import raw text as a draft article',
        description:
          'Send the text of one story as `text/plain` (UTF-8), a saved page as `text/html` (its visible text is extracted, one block a line), ' +
          'or JSON `{"text": ...}`; a request without a Content-Type is a 415 that lists these types. The parser finds the headline, topic label, standfirst, ' +
          'lead photo, paragraphs, photos with captions and credits, video teasers, ad slots, bylines and wire credits and the print-edition line, ' +
          'and drops page chrome; `report` says what it did with every line (with the reason for each dropped one), how confident it is of each field, ' +
          'and which fields need an editor\'s eye (`lowConfidence`). Contributors and the primary topic are matched by name or alias, ' +
          'or created. The same text imported again returns the first article (200, `created: false`). `?dryRun=true` saves nothing.',
        querystring: ref(ImportQuery),
        headers: idempotencyHeaders,
        body: Type.Unsafe<string | Static<typeof ImportRequest>>({
          content: {
            'text/plain': { schema: ref(ImportText) },
            'text/html': { schema: ref(ImportText) },
            'application/json': { schema: ref(ImportRequest) },
          },
          required: true,
        }),
        response: {
          201: ok(ImportResult, 'The article was created (a draft); Location names it.'),
          200: ok(ImportResult, 'A dry run (nothing saved, `article` null), or text imported before (`created: false`, the earlier article).'),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const body: unknown = request.body
      let text: string
      if ((request.mediaType === 'text/plain' || request.mediaType === 'text/html') && typeof body === 'string') text = body
      else if (request.mediaType === 'application/json' && typeof body === 'object' && body !== null) text = (body as { text: string }).text
      // No body at all: nothing to import (422 from the service, as for whitespace).
      else if (body === undefined || body === null || body === '') text = ''
      // A type that only other routes take (application/merge-patch+json) reached the app-wide parser.
      else throw unsupported(request.headers['content-type'])

      const result = await service.importText(text, request.actor, { dryRun: request.query.dryRun ?? false })
      if (result.created && result.article) reply.code(201).header('location', `/v1/articles/${result.article.article.id}`)
      return toResponse(result)
    },
  )
}

export default imports
