import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Readable } from 'node:stream'
import { Problem, ref } from '../../schemas/common.js'
import { ArchiveExportQuery, ArchiveImportProblem, ArchiveImportQuery, ArchiveImportResult, ArchiveNdjson } from '../../schemas/archive.js'
import { ArchiveImportFailedError, type ArchiveService } from '../../services/archive.js'
import { HttpProblem } from '../../plugins/problem.js'
import { ok, problems } from '../common.js'

/** The largest archive one import request takes (this route only; every other route keeps the server's body limit). */
export const ARCHIVE_BODY_LIMIT = 1024 * 1024 * 1024

export const NDJSON = 'application/x-ndjson'

class ArchiveTooLargeError extends HttpProblem {
  constructor(limit: number) {
    super({ status: 413, code: 'body-too-large', title: 'Content Too Large', detail: `An archive import takes at most ${limit} bytes; import a larger archive with \`npm run archive -- import\`.` })
  }
}

class NotNdjsonError extends HttpProblem {
  constructor() {
    super({ status: 415, code: 'unsupported-media-type', title: 'Unsupported Media Type', detail: `Send the archive as ${NDJSON} (one JSON object a line, UTF-8).` })
  }
}

/** The byte stream of each NDJSON request, read by the handler (the parser passes it through unread). */
const bodies = new WeakMap<FastifyRequest, Readable>()

/**
 * The body as it arrives, without ending the request when the import stops
 * early (so that the answer still reaches the client), and never more than `limit` bytes.
 */
async function* limited(body: Readable, limit: number): AsyncGenerator<Buffer> {
  let bytes = 0
  for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    bytes += chunk.length
    if (bytes > limit) throw new ArchiveTooLargeError(limit)
    yield chunk
  }
}

const problem = (description: string, schema: TSchema = Problem) => ({ description, content: { 'application/problem+json': { schema: ref(schema) } } })

/** The error answers of the import, described for what they mean here. */
const importErrors = {
  ...problems(400, 401, 403, 413, 415, 422),
  413: problem('The body is larger than this route takes (1 GiB; `/problems/body-too-large`).'),
  415: problem(`The body is not ${NDJSON} (\`/problems/unsupported-media-type\`).`),
  422: problem(
    'A line could not be imported (`/problems/archive-line-failed`): `failed` names it and says why, and `resumeFrom` is the first line ' +
      'not imported; the counts say what was imported before it.',
    ArchiveImportProblem,
  ),
} as unknown as ReturnType<typeof problems>

/**
 * Bulk export and import of the whole archive as NDJSON (admin scope). Both
 * stream: the export is written as it is read, page by page; the import is
 * read line by line and written in batches, each in one transaction.
 */
const archive: FastifyPluginAsyncTypebox<{ service: ArchiveService; bodyLimit?: number }> = async (app, { service, bodyLimit = ARCHIVE_BODY_LIMIT }) => {
  // This plugin alone takes NDJSON, and passes the stream through unread: the import reads it line by line.
  app.addContentTypeParser(NDJSON, (request, payload, done) => {
    const length = Number(request.headers['content-length'])
    if (length > bodyLimit) {
      done(new ArchiveTooLargeError(bodyLimit), undefined)
      return
    }
    bodies.set(request, payload as Readable)
    // The body schema documents the archive as a string; the stream itself stays out of validation.
    done(null, '')
  })

  app.get(
    '/v1/archive/export',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'exportArchive',
        tags: ['archive'],
        summary: 'Export the whole archive as NDJSON',
        description:
          'Every section, topic, contributor, media item and article (with its credits and topics, ids, versions and timestamps), ' +
          'and with `?revisions=true` every article revision, as one consistent snapshot streamed as NDJSON. ' +
          '`POST /v1/archive/import` (or `npm run archive -- import`) reads it back into another database exactly. API keys, ' +
          'idempotency keys and the change feed are not part of an archive.',
        querystring: ref(ArchiveExportQuery),
        response: {
          200: {
            description: 'The archive, streamed: one `ArchiveLine` a line.',
            content: { [NDJSON]: { schema: ref(ArchiveNdjson) } },
            headers: {
              // x-required: the header is on every such answer (see src/plugins/swagger.ts).
              'Content-Disposition': Type.String({ description: '`attachment; filename="newsdesk-archive-<time>.ndjson"`', 'x-required': true }),
              'Cache-Control': Type.String({ description: 'no-store: an archive holds drafts.', 'x-required': true }),
            },
          },
          ...problems(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const revisions = request.query.revisions ?? false
      const stamp = new Date().toISOString().replace(/[:.]/g, '-')
      reply
        .type(`${NDJSON}; charset=utf-8`)
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="newsdesk-archive-${stamp}.ndjson"`)
      // A byte stream (not object mode), so at most one piece waits for a slow client. The schema documents it as the text it is.
      const stream = Readable.from(service.exportArchive({ revisions }), { objectMode: false })
      return reply.send(stream as unknown as string)
    },
  )

  app.post(
    '/v1/archive/import',
    {
      config: { scope: 'admin' },
      bodyLimit,
      schema: {
        operationId: 'importArchive',
        tags: ['archive'],
        summary: 'Import an NDJSON archive',
        description:
          `Reads an archive made by \`GET /v1/archive/export\` (as \`${NDJSON}\`, up to 1 GiB, gzipped with \`Content-Encoding: gzip\` or not; ` +
          'larger ones with `npm run archive -- import`). ' +
          'Records are upserted by id and keep their ids, versions and timestamps; rows the database already holds exactly are left alone, ' +
          'so importing the same archive twice changes nothing. A stored row at a newer version than the archive\'s is never overwritten. ' +
          'Lines are written in batches of 500, each in one transaction: the first bad line (not JSON, an unknown kind, a schema violation, ' +
          'a reference to a record that is neither stored nor earlier in the archive) stops the import with a 422 that names it, and rolls ' +
          'its batch back; every line before `resumeFrom` stays imported. Send the archive again with `?resumeFrom=` to carry on. ' +
          'Drafts stay drafts: readers see only published articles, in reads, search and the public changes feed. ' +
          'The body is read as the records are written, so the whole import must fit in the server\'s request timeout ' +
          '(`REQUEST_TIMEOUT_MS`); import a large archive with `npm run archive -- import`.',
        querystring: ref(ArchiveImportQuery),
        body: Type.Unsafe<string>({ content: { [NDJSON]: { schema: ref(ArchiveNdjson) } }, required: true }),
        response: {
          200: ok(ArchiveImportResult, 'The whole archive is imported.'),
          ...importErrors,
        },
      },
    },
    async (request) => {
      const body = bodies.get(request)
      if (!body) throw new NotNdjsonError()
      const summary = await service.importArchive(limited(body, bodyLimit), { resumeFrom: request.query.resumeFrom ?? 1 })
      if (summary.failed) {
        // Also in the log: a client whose connection broke (a 408 for a body not received within the request timeout) never sees the answer.
        request.log.warn({ failed: summary.failed, resumeFrom: summary.resumeFrom, imported: summary.imported }, 'archive import stopped')
        throw new ArchiveImportFailedError(summary)
      }
      return summary as Static<typeof ArchiveImportResult>
    },
  )
}

export default archive
