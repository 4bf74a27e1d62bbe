import { Type, type Static } from '@sinclair/typebox'
import { WEBHOOK_EVENT_TYPES } from '../db/rows.js'
import { Nullable, Strict, Timestamp, ref } from './common.js'

/** The event groups a subscription may take whole (article.* ...), and * for every event. */
export const WEBHOOK_EVENT_FILTERS = [...WEBHOOK_EVENT_TYPES, 'article.*', 'section.*', 'topic.*', 'contributor.*', 'media.*', '*'] as const

export const WebhookEventType = Type.Unsafe<(typeof WEBHOOK_EVENT_TYPES)[number]>({
  $id: 'WebhookEventType',
  type: 'string',
  enum: [...WEBHOOK_EVENT_TYPES],
  description:
    'What happened. article.* events report what readers saw happen (a draft edit never produces one): published (it became visible), updated (a visible article changed), ' +
    'corrected (an update that added a correction; sent with article.updated), unpublished (it stopped being visible), deleted. ' +
    'section.*, topic.*, contributor.* and media.* report every create, update and delete, so that a mirror can stay complete.',
})

export const WebhookEventFilter = Type.Unsafe<(typeof WEBHOOK_EVENT_FILTERS)[number]>({
  $id: 'WebhookEventFilter',
  type: 'string',
  enum: [...WEBHOOK_EVENT_FILTERS],
  description: 'An event type, a group (article.*) or * for every event.',
})

const Url = Type.String({ minLength: 1, maxLength: 2000, description: 'http(s) on any port; refused when its host is (or resolves to) a loopback, private, link-local, CGNAT or metadata address.' })
const Events = Type.Array(ref(WebhookEventFilter), { minItems: 1, maxItems: 30, description: 'The events to send (types, groups or *).' })
const Description = Type.String({ minLength: 1, maxLength: 500 })

export const WebhookCreate = Strict(
  {
    url: Url,
    events: Events,
    description: Type.Optional(Description),
    active: Type.Optional(Type.Boolean({ description: 'Send events (default true).' })),
  },
  { $id: 'WebhookCreate', description: 'A webhook subscription. The server makes its signing secret and shows it once, in the answer.' },
)
export type WebhookCreateBody = Static<typeof WebhookCreate>

export const WebhookPatch = Strict(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    description: Type.Optional(Nullable(Description)),
    active: Type.Optional(Type.Boolean({ description: 'true turns a disabled subscription on again (clearing disabledReason); its pending deliveries resume.' })),
  },
  { $id: 'WebhookPatch', minProperties: 1 },
)
export type WebhookPatchBody = Static<typeof WebhookPatch>

const webhookProperties = {
  id: Type.String(),
  url: Type.String(),
  description: Nullable(Type.String()),
  events: Type.Array(ref(WebhookEventFilter)),
  active: Type.Boolean({ description: 'Whether events are sent. The dispatcher turns it off after sustained failure (see disabledReason).' }),
  disabledReason: Nullable(Type.String({ description: 'Why the dispatcher disabled it; null when it did not.' })),
  failingSince: Nullable(ref(Timestamp)),
  previousSecretValidUntil: Nullable(ref(Timestamp)),
  version: Type.Integer(),
  createdAt: ref(Timestamp),
  updatedAt: ref(Timestamp),
}

export const Webhook = Strict(webhookProperties, {
  $id: 'Webhook',
  description: 'A webhook subscription (its secret is never shown again after creation or rotation).',
})

export const WebhookWithSecret = Strict(
  {
    ...webhookProperties,
    secret: Type.String({
      pattern: '^whsec_[A-Za-z0-9+/=]+$',
      description: 'The signing secret (whsec_ and base64), shown in this answer only: verify deliveries with it (any Standard Webhooks library).',
    }),
  },
  { $id: 'WebhookWithSecret' },
)

export const WebhookList = Strict({ data: Type.Array(ref(Webhook)), next: Nullable(Type.String()) }, { $id: 'WebhookList' })

export const WebhookAttempt = Strict(
  {
    id: Type.String(),
    at: ref(Timestamp),
    statusCode: Nullable(Type.Integer({ description: "The receiver's HTTP status; null when no answer came." })),
    error: Nullable(Type.String({ description: 'What went wrong (a refused address, a timeout, a non-2xx status); null on success.' })),
    durationMs: Type.Integer({ minimum: 0 }),
  },
  { $id: 'WebhookAttempt' },
)

export const WebhookDelivery = Strict(
  {
    id: Type.String(),
    eventId: Type.String({ description: 'The webhook-id header of every attempt (and redelivery) of this event: receivers deduplicate on it.' }),
    eventType: ref(WebhookEventType),
    status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')], {
      description: 'pending: to be (re)tried at nextAttemptAt; delivered: a 2xx came back; failed: given up after the retry window.',
    }),
    nextAttemptAt: Nullable(ref(Timestamp)),
    lastStatusCode: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
    attempts: Type.Array(ref(WebhookAttempt), { description: 'Every attempt, oldest first.' }),
    createdAt: ref(Timestamp),
    updatedAt: ref(Timestamp),
  },
  { $id: 'WebhookDelivery' },
)

export const WebhookDeliveryList = Strict({ data: Type.Array(ref(WebhookDelivery)), next: Nullable(Type.String()) }, { $id: 'WebhookDeliveryList', description: 'Newest first.' })

export const WebhookEvent = Strict(
  {
    type: ref(WebhookEventType),
    timestamp: ref(Timestamp),
    data: Strict({
      id: Type.String({ description: 'The id of the article, section, topic, contributor or media item.' }),
      version: Type.Integer({ description: 'Its version after the change (for a delete: its last version).' }),
      href: Type.String({ description: 'Where to read it: /v1/articles/{id} and so on (absolute with PUBLIC_URL).' }),
    }),
  },
  {
    $id: 'WebhookEvent',
    description:
      'The body of every delivery (Standard Webhooks). It is thin: what changed and where to read it, never the content, so that no draft can leak, and a late retry is never stale. ' +
      'Headers: webhook-id (the event id; the same on every retry and redelivery), webhook-timestamp (Unix seconds), webhook-signature ' +
      '(space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`; two signatures while a rotated secret overlaps).',
  },
)

export const DeliveryParams = Strict(
  {
    id: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'The subscription id.' }),
    deliveryId: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'The delivery id.' }),
  },
  { $id: 'DeliveryParams' },
)

export const webhookSchemas = [WebhookEventType, WebhookEventFilter, WebhookCreate, WebhookPatch, Webhook, WebhookWithSecret, WebhookList, WebhookAttempt, WebhookDelivery, WebhookDeliveryList, WebhookEvent, DeliveryParams]

/** The OpenAPI `webhooks` object: one operation per event type, each a POST of a WebhookEvent with the Standard Webhooks headers. */
export function webhookDocs(): Record<string, unknown> {
  const header = (name: string, description: string) => ({ name, in: 'header', required: true, description, schema: { type: 'string' } })
  const parameters = [
    header('webhook-id', 'The event id: the same on every retry and redelivery of this event; deduplicate on it.'),
    header('webhook-timestamp', 'When this attempt was signed (Unix seconds); reject one far from your clock.'),
    header('webhook-signature', 'Space-separated `v1,<base64 HMAC-SHA256>` signatures of `{webhook-id}.{webhook-timestamp}.{body}` with the whsec_ secret (base64-decoded); two while a rotated secret overlaps.'),
  ]
  const docs: Record<string, unknown> = {}
  for (const type of WEBHOOK_EVENT_TYPES) {
    const [resource, action] = type.split('.') as [string, string]
    docs[type] = {
      post: {
        operationId: `on${resource[0]!.toUpperCase()}${resource.slice(1)}${action[0]!.toUpperCase()}${action.slice(1)}`,
        tags: ['webhooks'],
        summary: `${type}: sent to subscriptions that take it`,
        security: [],
        parameters,
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookEvent' } } } },
        responses: {
          '204': { description: 'Any 2xx (the body is read up to 64 KiB and ignored): delivered. Anything else (or no answer within WEBHOOK_TIMEOUT_MS, or a redirect, which is not followed) is retried with exponential backoff and jitter.' },
        },
      },
    }
  }
  return docs
}
