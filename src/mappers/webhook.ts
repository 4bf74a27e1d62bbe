import type { Static } from '@sinclair/typebox'
import type { WebhookDeliveryView, WebhookSubscriptionRow } from '../db/index.js'
import type { Webhook, WebhookDelivery } from '../schemas/webhook.js'

/** A subscription as the API shows it: never its secrets. */
export function mapWebhook(w: WebhookSubscriptionRow): Static<typeof Webhook> {
  return {
    id: w.id,
    url: w.url,
    description: w.description,
    events: w.events as Static<typeof Webhook>['events'],
    active: w.active,
    disabledReason: w.disabledReason,
    failingSince: w.failingSince,
    previousSecretValidUntil: w.previousSecretExpiresAt,
    version: w.version,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
  }
}

export function mapWebhookDelivery(d: WebhookDeliveryView): Static<typeof WebhookDelivery> {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType as Static<typeof WebhookDelivery>['eventType'],
    status: d.status,
    nextAttemptAt: d.nextAttemptAt,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    attempts: d.attemptList.map((a) => ({ id: a.id, at: a.at, statusCode: a.statusCode, error: a.error, durationMs: a.durationMs })),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  }
}
