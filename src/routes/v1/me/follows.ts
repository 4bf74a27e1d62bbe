import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, ref } from '../../../schemas/common.js'
import { Follow, FollowCreate, FollowList, MuteCreate } from '../../../schemas/reader.js'
import { mapFollow } from '../../../mappers/reader.js'
import { MAX_FOLLOWS, MAX_MUTES, type ReaderService } from '../../../services/readers.js'
import { ok, problems, STORAGE_ERRORS } from '../../common.js'
import { READER_ERRORS, readerConfig, readerOf, tags } from './common.js'

const params = ref(IdParams)
const CREATED = 'Created: the new follow; Location names it.'
const EXISTING = 'Already there: the existing one (following twice changes nothing).'

/**
 * What a reader follows (topics, contributors, sections with their
 * subsections) and mutes (topics, contributors). Following twice is
 * idempotent (200 with the existing follow); an unknown target is 404; past
 * the documented maximum, 409. Ids of another reader's follows are 404.
 */
const follows: FastifyPluginAsyncTypebox<{ service: ReaderService }> = async (app, { service }) => {
  app.post(
    '/v1/me/follows',
    {
      config: readerConfig,
      schema: {
        operationId: 'follow',
        tags,
        summary: `Follow a topic, contributor or section (at most ${MAX_FOLLOWS})`,
        body: ref(FollowCreate),
        response: { 200: ok(Follow, EXISTING), 201: ok(Follow, CREATED), ...problems(...READER_ERRORS, 404, 409, 413, 415, ...STORAGE_ERRORS) },
      },
    },
    async (request, reply) => {
      const { follow, created } = await service.follow(readerOf(request), request.body.kind, request.body.target)
      if (created) reply.code(201).header('location', `/v1/me/follows/${follow.id}`)
      return mapFollow(follow)
    },
  )

  app.get(
    '/v1/me/follows',
    { config: readerConfig, schema: { operationId: 'listFollows', tags, summary: 'What the reader follows', response: { 200: ok(FollowList, 'Every follow, oldest first.'), ...problems(...READER_ERRORS) } } },
    async (request) => ({ data: (await service.follows(readerOf(request))).map(mapFollow), limit: MAX_FOLLOWS }),
  )

  app.delete(
    '/v1/me/follows/:id',
    {
      config: readerConfig,
      schema: { operationId: 'unfollow', tags, summary: 'Stop following', params, response: { 204: Type.Null({ description: 'Removed.' }), ...problems(...READER_ERRORS, 404, ...STORAGE_ERRORS) } },
    },
    async (request, reply) => {
      await service.unfollow(readerOf(request), request.params.id)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/v1/me/mutes',
    {
      config: readerConfig,
      schema: {
        operationId: 'mute',
        tags,
        summary: `Mute a topic or contributor: their articles leave the feed (at most ${MAX_MUTES})`,
        body: ref(MuteCreate),
        response: { 200: ok(Follow, EXISTING), 201: ok(Follow, CREATED), ...problems(...READER_ERRORS, 404, 409, 413, 415, ...STORAGE_ERRORS) },
      },
    },
    async (request, reply) => {
      const { follow, created } = await service.mute(readerOf(request), request.body.kind, request.body.target)
      if (created) reply.code(201).header('location', `/v1/me/mutes/${follow.id}`)
      return mapFollow(follow)
    },
  )

  app.get(
    '/v1/me/mutes',
    { config: readerConfig, schema: { operationId: 'listMutes', tags, summary: 'What the reader mutes', response: { 200: ok(FollowList, 'Every mute, oldest first.'), ...problems(...READER_ERRORS) } } },
    async (request) => ({ data: (await service.mutes(readerOf(request))).map(mapFollow), limit: MAX_MUTES }),
  )

  app.delete(
    '/v1/me/mutes/:id',
    {
      config: readerConfig,
      schema: { operationId: 'unmute', tags, summary: 'Stop muting', params, response: { 204: Type.Null({ description: 'Removed.' }), ...problems(...READER_ERRORS, 404, ...STORAGE_ERRORS) } },
    },
    async (request, reply) => {
      await service.unmute(readerOf(request), request.params.id)
      return reply.code(204).send(null)
    },
  )
}

export default follows
