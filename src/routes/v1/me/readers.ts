import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { Reader, ReaderCreated } from '../../../schemas/reader.js'
import { mapReader } from '../../../mappers/reader.js'
import type { ReaderService } from '../../../services/readers.js'
import { ok, problems, STORAGE_ERRORS } from '../../common.js'
import { READER_ERRORS, readerConfig, readerOf, tags } from './common.js'

/**
 * myNEWS readers. A site's sign-up creates a reader with any API key (read
 * scope is enough) and hands the reader token, shown once, to the reader's
 * browser or app; from then on the reader uses /v1/me/... with that token.
 */
const readers: FastifyPluginAsyncTypebox<{ service: ReaderService }> = async (app, { service }) => {
  app.post(
    '/v1/readers',
    {
      config: { scope: 'read', keyRequired: true },
      schema: {
        operationId: 'createReader',
        tags,
        summary: 'Create a myNEWS reader (its token is shown once)',
        description: 'Any API key may create readers (anonymous callers may not). The answer holds the reader token, once: only its hash is stored.',
        security: [{ bearer: [] }],
        response: { 201: ok(ReaderCreated, 'The new reader, with its token.'), ...problems(401, 403, ...STORAGE_ERRORS) },
      },
    },
    async (_request, reply) => {
      const { reader, token } = await service.create()
      reply.code(201).header('location', '/v1/me').header('cache-control', 'no-store')
      return { ...mapReader(reader), token }
    },
  )

  app.get(
    '/v1/me',
    { config: readerConfig, schema: { operationId: 'getMe', tags, summary: 'The reader this token belongs to', response: { 200: ok(Reader, 'The reader.'), ...problems(...READER_ERRORS) } } },
    async (request) => mapReader(await service.get(readerOf(request))),
  )

  app.delete(
    '/v1/me',
    {
      config: readerConfig,
      schema: {
        operationId: 'deleteMe',
        tags,
        summary: 'Delete the reader, with every follow, mute, read mark and token',
        description: 'Nothing of the reader is kept. The reader token and any private feed URL stop working at once.',
        response: { 204: Type.Null({ description: 'Deleted.' }), ...problems(...READER_ERRORS, ...STORAGE_ERRORS) },
      },
    },
    async (request, reply) => {
      await service.remove(readerOf(request))
      return reply.code(204).send(null)
    },
  )
}

export default readers
