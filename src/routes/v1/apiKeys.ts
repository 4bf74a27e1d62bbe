import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyList } from '../../schemas/apiKey.js'
import { IdParams, ref } from '../../schemas/common.js'
import type { ApiKeyService } from '../../services/apiKeys.js'
import { mapApiKey } from '../../mappers/catalog.js'
import { idempotencyHeaders, problems, ok, STORAGE_ERRORS } from '../common.js'
import { PROBLEM_TYPE } from '../../plugins/problem.js'
import type { StoredAnswer } from '../../plugins/types.js'

const tags = ['api-keys']
const config = { scope: 'admin' } as const

const REPLAY_DESCRIPTION =
  'The secret is in this answer only: it is never stored, not even for Idempotency-Key replays. ' +
  'A retry with the same Idempotency-Key creates nothing and answers 409 (`/problems/api-key-secret-shown-once`), ' +
  'its Location naming the key the first request created: if that first answer was lost, revoke that key and create a new one.'

/**
 * What the idempotency table keeps for a key creation: never the answer (it holds
 * the secret), but a 409 problem naming the key that was created.
 */
function secretShownOnce(answer: StoredAnswer): StoredAnswer {
  if (answer.statusCode !== 201) return answer
  const { id, name } = JSON.parse(answer.body) as { id: string; name: string }
  const body = JSON.stringify({
    type: '/problems/api-key-secret-shown-once',
    title: 'Conflict',
    status: 409,
    detail: `This Idempotency-Key already created the API key ${id} ('${name}'). Its secret was shown once, in that answer, and is not stored. If that answer was lost, revoke the key and create a new one.`,
    instance: '/v1/api-keys',
  })
  return { statusCode: 409, body, headers: { 'content-type': PROBLEM_TYPE, location: `/v1/api-keys/${id}` } }
}

/** API keys: admin scope only. The secret is returned once, at creation. */
const apiKeys: FastifyPluginAsyncTypebox<{ service: ApiKeyService }> = async (app, { service }) => {
  app.post(
    '/v1/api-keys',
    {
      config: { ...config, idempotent: true, idempotencyRecord: secretShownOnce },
      schema: {
        operationId: 'createApiKey',
        tags,
        summary: 'Create an API key (the secret is shown once)',
        description: REPLAY_DESCRIPTION,
        headers: idempotencyHeaders,
        body: ref(ApiKeyCreate),
        response: { 201: ok(ApiKeyCreated, 'The new key, with its secret.'), ...problems(400, 401, 403, 409, 413, 415, 422, ...STORAGE_ERRORS) },
      },
    },
    async (request, reply) => {
      const { row, key } = await service.create(request.body.name, request.body.scope)
      reply.code(201).header('location', `/v1/api-keys/${row.id}`).header('cache-control', 'no-store')
      return { ...mapApiKey(row), key }
    },
  )

  app.get(
    '/v1/api-keys',
    {
      config,
      schema: { operationId: 'listApiKeys', tags, summary: 'List API keys (never their secrets)', response: { 200: ok(ApiKeyList, 'Every key, without secrets.'), ...problems(401, 403) } },
    },
    async () => ({ data: (await service.list()).map(mapApiKey) }),
  )

  app.post(
    '/v1/api-keys/:id/revoke',
    {
      config,
      schema: {
        operationId: 'revokeApiKey',
        tags,
        summary: 'Revoke an API key (idempotent)',
        description: 'The last active admin key cannot be revoked (409 `/problems/last-admin-key`): create another admin key first.',
        params: ref(IdParams),
        response: { 200: ok(ApiKey, 'The revoked key.'), ...problems(400, 401, 403, 404, 409, ...STORAGE_ERRORS) },
      },
    },
    async (request) => mapApiKey(await service.revoke(request.params.id)),
  )
}

export default apiKeys
