import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyList } from '../../schemas/apiKey.js'
import { IdParams, ref } from '../../schemas/common.js'
import type { ApiKeyService } from '../../services/apiKeys.js'
import { mapApiKey } from '../../mappers/catalog.js'
import { idempotencyHeaders, problems, ok } from '../common.js'

const tags = ['api-keys']
const config = { scope: 'admin' } as const

/** API keys: admin scope only. The secret is returned once, at creation. */
const apiKeys: FastifyPluginAsyncTypebox<{ service: ApiKeyService }> = async (app, { service }) => {
  app.post(
    '/v1/api-keys',
    {
      config: { ...config, idempotent: true },
      schema: {
        operationId: 'createApiKey',
        tags,
        summary: 'Create an API key (the secret is shown once)',
        headers: idempotencyHeaders,
        body: ref(ApiKeyCreate),
        response: { 201: ok(ApiKeyCreated, 'The new key, with its secret.'), ...problems(400, 401, 403, 413, 415, 422) },
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
        params: ref(IdParams),
        response: { 200: ok(ApiKey, 'The revoked key.'), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => mapApiKey(await service.revoke(request.params.id)),
  )
}

export default apiKeys
