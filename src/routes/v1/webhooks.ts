import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, PageQuery, ref } from '../../schemas/common.js'
import { DeliveryParams, Webhook, WebhookCreate, WebhookDelivery, WebhookDeliveryList, WebhookList, WebhookPatch, WebhookWithSecret } from '../../schemas/webhook.js'
import { mapWebhook, mapWebhookDelivery } from '../../mappers/webhook.js'
import type { WebhookService } from '../../services/webhooks.js'
import { PROBLEM_TYPE } from '../../plugins/problem.js'
import type { StoredAnswer } from '../../plugins/types.js'
import {
  ANSWER_HEADERS,
  CREATED_HEADERS,
  READ_HEADERS,
  RESOURCE_HEADERS,
  STORAGE_ERRORS,
  WRITE_ERRORS,
  created,
  idempotencyHeaders,
  ifMatchHeaders,
  ifNoneMatchHeaders,
  notModified,
  ok,
  parseIfMatch,
  problems,
  versioned,
} from '../common.js'

const tags = ['webhooks']
const params = ref(IdParams)
const ADMIN_READ_ERRORS = [400, 401, 403]

/**
 * What the idempotency table keeps for a subscription's creation: never the
 * answer (it holds the secret), but a 409 problem naming the subscription.
 */
function secretShownOnce(answer: StoredAnswer): StoredAnswer {
  if (answer.statusCode !== 201) return answer
  const { id } = JSON.parse(answer.body) as { id: string }
  const body = JSON.stringify({
    type: '/problems/webhook-secret-shown-once',
    title: 'Conflict',
    status: 409,
    detail: `This Idempotency-Key already created the webhook subscription ${id}. Its secret was shown once, in that answer, and is not stored to be sent again; if that answer was lost, rotate the secret.`,
    instance: '/v1/webhooks',
  })
  return { statusCode: 409, body, headers: { 'content-type': PROBLEM_TYPE, location: `/v1/webhooks/${id}` } }
}

/**
 * Webhook subscriptions (admin scope): CRUD, secret rotation, the deliveries
 * of each with every attempt, and redelivery. Answers carrying a secret are
 * no-store. Deliveries are signed Standard Webhooks (see the WebhookEvent schema).
 */
const webhooks: FastifyPluginAsyncTypebox<{ service: WebhookService }> = async (app, { service }) => {
  app.post(
    '/v1/webhooks',
    {
      config: { scope: 'admin', idempotent: true, idempotencyRecord: secretShownOnce },
      schema: {
        operationId: 'createWebhook',
        tags,
        summary: 'Subscribe a URL to events (the signing secret is shown once)',
        description: 'A retry with the same Idempotency-Key creates nothing and answers 409 (`/problems/webhook-secret-shown-once`) naming the subscription: the secret is not stored for replays. The URL is checked now and again at every send: http(s) only, and no loopback, private, link-local, CGNAT or metadata address unless WEBHOOK_ALLOWED_HOSTS lists it (400, naming /body/url).',
        headers: idempotencyHeaders,
        body: ref(WebhookCreate),
        response: { 201: ok(WebhookWithSecret, 'The new subscription, with its secret; Location names it.', CREATED_HEADERS), ...problems(...WRITE_ERRORS, 409, 422) },
      },
    },
    async (request, reply) => {
      const { row, secret } = await service.create(request.body)
      reply.header('cache-control', 'no-store')
      return created(reply, `/v1/webhooks/${row.id}`, row, { ...mapWebhook(row), secret })
    },
  )

  app.get(
    '/v1/webhooks',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listWebhooks',
        tags,
        summary: 'List webhook subscriptions',
        querystring: ref(PageQuery),
        headers: ifNoneMatchHeaders,
        response: { 200: ok(WebhookList, 'A page of subscriptions.', ANSWER_HEADERS), ...notModified, ...problems(...ADMIN_READ_ERRORS) },
      },
    },
    async (request) => {
      const page = await service.list(request.query)
      return { data: page.items.map(mapWebhook), next: page.next }
    },
  )

  app.get(
    '/v1/webhooks/:id',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'getWebhook',
        tags,
        summary: 'Get a webhook subscription',
        params,
        headers: ifNoneMatchHeaders,
        response: { 200: ok(Webhook, 'The subscription.', READ_HEADERS), ...notModified, ...problems(...ADMIN_READ_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const row = await service.get(request.params.id)
      return versioned(reply, row, mapWebhook(row))
    },
  )

  app.patch(
    '/v1/webhooks/:id',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'updateWebhook',
        tags,
        summary: 'Change a webhook subscription (If-Match required); active: true turns a disabled one on again',
        params,
        headers: ifMatchHeaders,
        body: ref(WebhookPatch),
        response: { 200: ok(Webhook, 'The subscription.', RESOURCE_HEADERS), ...problems(...WRITE_ERRORS, 404, 412, 428) },
      },
    },
    async (request, reply) => {
      const row = await service.patch(request.params.id, parseIfMatch(request.headers['if-match']), request.body)
      return versioned(reply, row, mapWebhook(row))
    },
  )

  app.delete(
    '/v1/webhooks/:id',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'deleteWebhook',
        tags,
        summary: 'Delete a webhook subscription and its deliveries (If-Match required)',
        params,
        headers: ifMatchHeaders,
        response: { 204: Type.Null({ description: 'Deleted.' }), ...problems(400, 401, 403, 404, 412, 428, ...STORAGE_ERRORS) },
      },
    },
    async (request, reply) => {
      await service.remove(request.params.id, parseIfMatch(request.headers['if-match']))
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/v1/webhooks/:id/rotate-secret',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'rotateWebhookSecret',
        tags,
        summary: 'Rotate the signing secret (the new one is shown once)',
        description: 'Deliveries are signed with the new secret and, until previousSecretValidUntil (WEBHOOK_SECRET_OVERLAP_MS), with the old one too: two v1 signatures in webhook-signature.',
        params,
        response: { 200: ok(WebhookWithSecret, 'The subscription with its new secret.', RESOURCE_HEADERS), ...problems(400, 401, 403, 404, 412, ...STORAGE_ERRORS) },
      },
    },
    async (request, reply) => {
      const { row, secret } = await service.rotateSecret(request.params.id)
      reply.header('cache-control', 'no-store')
      return versioned(reply, row, { ...mapWebhook(row), secret })
    },
  )

  app.get(
    '/v1/webhooks/:id/deliveries',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listWebhookDeliveries',
        tags,
        summary: "A subscription's deliveries, newest first, with every attempt",
        params,
        querystring: ref(PageQuery),
        headers: ifNoneMatchHeaders,
        response: { 200: ok(WebhookDeliveryList, 'A page of deliveries.', ANSWER_HEADERS), ...notModified, ...problems(...ADMIN_READ_ERRORS, 404) },
      },
    },
    async (request) => {
      const page = await service.deliveries(request.params.id, request.query)
      return { data: page.items.map(mapWebhookDelivery), next: page.next }
    },
  )

  app.post(
    '/v1/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'redeliverWebhook',
        tags,
        summary: 'Send a delivery again (same webhook-id), whatever its status',
        params: ref(DeliveryParams),
        response: { 202: ok(WebhookDelivery, 'The delivery, due now.'), ...problems(400, 401, 403, 404, ...STORAGE_ERRORS) },
      },
    },
    async (request, reply) => {
      const delivery = await service.redeliver(request.params.id, request.params.deliveryId)
      reply.code(202)
      return mapWebhookDelivery(delivery)
    },
  )
}

export default webhooks
