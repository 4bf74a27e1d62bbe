import { randomBytes } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import type { ClaimedDelivery, DeliveryOutcome, Repositories, WebhookDeliveryView, WebhookSubscriptionRow } from '../db/index.js'
import { NotFoundError, ValidationError } from '../errors.js'
import { systemRuntime, type Runtime } from './clock.js'
import { decodeIdCursor, encodeIdCursor, DEFAULT_PAGE_SIZE, type PageRequest } from './cursor.js'
import { expectedVersion, type Precondition } from './preconditions.js'
import type { Config } from '../config.js'
import { send as httpSend, type Send } from './webhookSender.js'
import { checkTarget, parseAllowlist, systemResolve, UnsafeTargetError, type Resolve, type Target } from './webhookTarget.js'

/** The webhook settings (WEBHOOK_*, see src/config.ts), and the base of the links in payloads (PUBLIC_URL; without it they are paths, /v1/articles/ID). */
export type WebhookSettings = Omit<Config['webhooks'], 'intervalMs'> & { publicUrl?: string | undefined }

export interface WebhookDeps {
  resolve?: Resolve
  send?: Send
  /** In [0, 1): the jitter of retry delays. */
  random?: () => number
}

export interface WebhookCreateInput {
  url: string
  events: string[]
  description?: string | undefined
  active?: boolean | undefined
}
export type WebhookPatchInput = Partial<{ url: string; events: string[]; description: string | null; active: boolean }>

/** How many events a fan-out takes, and how many deliveries a dispatcher claims, at a time. */
const BATCH = 50
/** The most of an answer a receiver may send back (it is read and dropped). */
const MAX_RESPONSE_BYTES = 64 * 1024

/** A new signing secret: whsec_ and 32 random bytes in base64, as Standard Webhooks spells it. */
export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`

/** Where a mirror reads the resource an event names. */
const RESOURCE_PATHS: Record<string, string> = { article: 'articles', section: 'sections', topic: 'topics', contributor: 'contributors', media: 'media' }

/**
 * The body of an event, the same for every attempt and every subscription:
 * a thin Standard Webhooks payload { type, timestamp, data: { id, version, href } }.
 * Thin on purpose: it says what changed, never the content, so nothing a
 * reader may not see can leak through it, a retry a day later is not stale,
 * and the receiver reads the resource with its own key (cached by ETag).
 */
export function eventBody(event: ClaimedDelivery['event'], publicUrl: string | undefined): string {
  const resource = RESOURCE_PATHS[event.type.slice(0, event.type.indexOf('.'))] ?? ''
  const id = String(event.data.id)
  const href = `${publicUrl?.replace(/\/$/, '') ?? ''}/v1/${resource}/${encodeURIComponent(id)}`
  return JSON.stringify({ type: event.type, timestamp: event.createdAt, data: { ...event.data, href } })
}

/** The webhook-signature header: v1 signatures with the secret, and with the previous one while the rotation's overlap lasts. */
export function signatures(subscription: ClaimedDelivery['subscription'], id: string, at: Date, body: string): string {
  const secrets = [subscription.secret]
  if (subscription.previousSecret && subscription.previousSecretExpiresAt && subscription.previousSecretExpiresAt > at.toISOString()) secrets.push(subscription.previousSecret)
  return secrets.map((s) => new Webhook(s).sign(id, at, body)).join(' ')
}

/** A duration as people say it: 3 days, 5 hours, 30 minutes, 20 seconds. */
function duration(ms: number): string {
  const [unit, size] = ms >= 86_400_000 ? ['day', 86_400_000] : ms >= 3_600_000 ? ['hour', 3_600_000] : ms >= 60_000 ? ['minute', 60_000] : ['second', 1000]
  const n = Math.round(ms / (size as number))
  return `${n} ${unit as string}${n === 1 ? '' : 's'}`
}

/** The delay before retry number `attempt` (1: the first retry): exponential, capped, with jitter (between half and all of it). */
export function retryDelay(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30))
  return Math.round(full / 2 + (full / 2) * random)
}

/**
 * Webhook subscriptions (admin) and their dispatcher: runOnce() fans new
 * outbox events out into deliveries, claims the due ones under a lease, sends
 * them and records each attempt. Several processes may run it at once (the
 * claims are in the database); tests call it directly.
 */
export function createWebhookService(repos: Pick<Repositories, 'webhooks'>, runtime: Runtime = systemRuntime, settings: WebhookSettings, deps: WebhookDeps = {}) {
  const repo = repos.webhooks
  const resolve = deps.resolve ?? systemResolve
  const post = deps.send ?? httpSend
  const random = deps.random ?? Math.random
  const allowlist = parseAllowlist(settings.allowedHosts)
  const nowIso = () => runtime.now().toISOString()
  // A lease outlives any attempt (timeoutMs), so a live sender never loses its claim.
  const leaseMs = settings.timeoutMs * 2 + 30_000

  async function checkUrl(url: string): Promise<void> {
    try {
      await checkTarget(url, allowlist, resolve)
    } catch (err) {
      if (err instanceof UnsafeTargetError) throw new ValidationError(`The webhook URL is refused: it ${err.message}.`, [{ path: '/url', message: err.message }])
      throw err
    }
  }

  async function found(id: string): Promise<WebhookSubscriptionRow> {
    const row = await repo.find(id)
    if (!row) throw new NotFoundError('webhook subscription', id)
    return row
  }

  /**
   * The send-time check within the attempt's time budget: a DNS lookup that
   * hangs is given up after timeoutMs, so that lookup and send together stay
   * inside the lease (2 x timeoutMs + 30 s) and no other process sends again.
   */
  async function checkInTime(url: string): Promise<Target> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the address lookup took longer than ${settings.timeoutMs} ms`)), settings.timeoutMs)
    })
    try {
      return await Promise.race([checkTarget(url, allowlist, resolve), late])
    } finally {
      clearTimeout(timer)
    }
  }

  async function attempt(d: ClaimedDelivery): Promise<DeliveryOutcome> {
    const at = runtime.now()
    const body = eventBody(d.event, settings.publicUrl)
    let result: { statusCode: number | null; error: string | null; durationMs: number }
    try {
      // Checked again at send time: DNS may have changed since the subscription was made.
      const target = await checkInTime(d.subscription.url)
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'Newsdesk-Webhooks/1',
        'webhook-id': d.event.id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signatures(d.subscription, d.event.id, at, body),
      }
      result = await post(target, headers, body, { timeoutMs: settings.timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES })
    } catch (err) {
      result = { statusCode: null, error: err instanceof UnsafeTargetError ? `refused: the URL ${err.message}` : String((err as Error).message), durationMs: 0 }
    }
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300
    const error = ok ? null : (result.error ?? `HTTP ${result.statusCode}`)
    let status: DeliveryOutcome['status'] = ok ? 'delivered' : 'pending'
    let nextAttemptAt: string | null = null
    if (!ok) {
      const next = at.getTime() + retryDelay(d.attempts + 1, settings.retryBaseMs, settings.retryMaxMs, random())
      if (next - Date.parse(d.createdAt) > settings.giveUpAfterMs) status = 'failed'
      else nextAttemptAt = new Date(next).toISOString()
    }
    return {
      deliveryId: d.id,
      token: d.token,
      subscriptionId: d.subscription.id,
      attempt: { id: runtime.newId(), at: at.toISOString(), statusCode: result.statusCode, error: error?.slice(0, 500) ?? null, durationMs: result.durationMs },
      ok,
      status,
      nextAttemptAt,
      disable: {
        failingSince: new Date(at.getTime() - settings.disableAfterMs).toISOString(),
        reason: `Disabled at ${at.toISOString()}: every attempt failed for ${duration(settings.disableAfterMs)}; the last one: ${error?.slice(0, 300)}.`,
      },
    }
  }

  return {
    async create(input: WebhookCreateInput): Promise<{ row: WebhookSubscriptionRow; secret: string }> {
      await checkUrl(input.url)
      const at = nowIso()
      const secret = newSecret()
      const row = await repo.create({
        id: runtime.newId(),
        url: input.url,
        description: input.description ?? null,
        events: [...new Set(input.events)],
        secret,
        previousSecret: null,
        previousSecretExpiresAt: null,
        active: input.active ?? true,
        disabledReason: null,
        failingSince: null,
        version: 1,
        createdAt: at,
        updatedAt: at,
      })
      return { row, secret }
    },
    get: found,
    async list(query: PageRequest): Promise<{ items: WebhookSubscriptionRow[]; next: string | null }> {
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const rows = await repo.list(limit + 1, query.cursor === undefined ? null : decodeIdCursor(query.cursor))
      const items = rows.slice(0, limit)
      const last = items[items.length - 1]
      return { items, next: rows.length > limit && last ? encodeIdCursor(last.id) : null }
    },
    async patch(id: string, expected: Precondition, input: WebhookPatchInput): Promise<WebhookSubscriptionRow> {
      if (input.url !== undefined) await checkUrl(input.url)
      const fields: Parameters<typeof repo.update>[2] = { ...input }
      if (input.events) fields.events = [...new Set(input.events)]
      // Turning a subscription on again clears why it was turned off, and its run of failures.
      if (input.active !== undefined) Object.assign(fields, { disabledReason: null, failingSince: null })
      return repo.update(id, expectedVersion(expected), fields, nowIso())
    },
    async remove(id: string, expected: Precondition): Promise<void> {
      await repo.remove(id, expectedVersion(expected))
    },
    /** A new secret; the old one keeps signing (a second signature) for secretOverlapMs. */
    async rotateSecret(id: string): Promise<{ row: WebhookSubscriptionRow; secret: string }> {
      const row = await found(id)
      const now = runtime.now()
      const secret = newSecret()
      const updated = await repo.update(
        id,
        row.version,
        { secret, previousSecret: row.secret, previousSecretExpiresAt: new Date(now.getTime() + settings.secretOverlapMs).toISOString() },
        now.toISOString(),
      )
      return { row: updated, secret }
    },
    async deliveries(id: string, query: PageRequest): Promise<{ items: WebhookDeliveryView[]; next: string | null }> {
      await found(id)
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const rows = await repo.deliveries(id, limit + 1, query.cursor === undefined ? null : decodeIdCursor(query.cursor))
      const items = rows.slice(0, limit)
      const last = items[items.length - 1]
      return { items, next: rows.length > limit && last ? encodeIdCursor(last.id) : null }
    },
    async redeliver(id: string, deliveryId: string): Promise<WebhookDeliveryView> {
      await found(id)
      return repo.redeliver(id, deliveryId, nowIso())
    },
    /**
     * One round of the dispatcher: fans every new event out, then claims a
     * batch of due deliveries and sends them (in parallel). Returns how many
     * events it fanned out and how many attempts it made, and how many succeeded.
     */
    async runOnce(): Promise<{ events: number; attempts: number; delivered: number }> {
      let events = 0
      for (;;) {
        const n = await repo.fanOut(nowIso(), BATCH, runtime.newId)
        events += n
        if (n < BATCH) break
      }
      const now = runtime.now()
      const claimed = await repo.claim(now.toISOString(), new Date(now.getTime() + leaseMs).toISOString(), runtime.newId(), BATCH)
      // Each outcome is recorded as soon as its attempt ends, not when the slowest of the batch does.
      const outcomes = await Promise.all(
        claimed.map(async (delivery) => {
          const outcome = await attempt(delivery)
          await repo.complete(outcome)
          return outcome
        }),
      )
      await repo.purge(new Date(now.getTime() - settings.retentionMs).toISOString(), 500)
      return { events, attempts: outcomes.length, delivered: outcomes.filter((o) => o.ok).length }
    },
  }
}

export type WebhookService = ReturnType<typeof createWebhookService>
