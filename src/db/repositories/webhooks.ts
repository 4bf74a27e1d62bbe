import { and, asc, desc, eq, getTableColumns, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { Db } from '../sqlite/client.js'
import { webhookAttempts, webhookDeliveries, webhookEvents, webhookSubscriptions } from '../schema.js'
import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookSubscriptionRow } from '../rows.js'
import { NotFoundError, PreconditionFailedError } from '../../errors.js'

/** A subscription's fields a client may change (the secret changes only by rotation). */
export type WebhookSubscriptionFields = Pick<WebhookSubscriptionRow, 'url' | 'description' | 'events' | 'active'>
  & Partial<Pick<WebhookSubscriptionRow, 'secret' | 'previousSecret' | 'previousSecretExpiresAt' | 'disabledReason' | 'failingSince'>>

/** A delivery with the event it carries and the attempts made so far (oldest first). */
export interface WebhookDeliveryView extends WebhookDeliveryRow {
  eventType: string
  attemptList: WebhookAttemptRow[]
}

/** A delivery a dispatcher has claimed: everything it needs to send it. */
export interface ClaimedDelivery {
  id: string
  token: string
  attempts: number
  createdAt: string
  event: { id: string; type: string; data: Record<string, unknown>; createdAt: string }
  subscription: Pick<WebhookSubscriptionRow, 'id' | 'url' | 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>
}

/** What one attempt came to, and what becomes of the delivery. */
export interface DeliveryOutcome {
  deliveryId: string
  token: string
  subscriptionId: string
  attempt: { id: string; at: string; statusCode: number | null; error: string | null; durationMs: number }
  ok: boolean
  status: 'pending' | 'delivered' | 'failed'
  nextAttemptAt: string | null
  /** On failure: a subscription failing since this instant or earlier is disabled, with this reason. */
  disable: { failingSince: string; reason: string }
}

export interface WebhookRepository {
  create(row: WebhookSubscriptionRow): Promise<WebhookSubscriptionRow>
  find(id: string): Promise<WebhookSubscriptionRow | null>
  list(limit: number, afterId: string | null): Promise<WebhookSubscriptionRow[]>
  /** Writes the fields if the subscription is at `expectedVersion` (null: any). */
  update(id: string, expectedVersion: number | null, fields: Partial<WebhookSubscriptionFields>, at: string): Promise<WebhookSubscriptionRow>
  remove(id: string, expectedVersion: number | null): Promise<void>
  /** A subscription's deliveries, newest first, below `beforeId`. */
  deliveries(subscriptionId: string, limit: number, beforeId: string | null): Promise<WebhookDeliveryView[]>
  /** Makes a delivery due now again (same event, so the same webhook-id). */
  redeliver(subscriptionId: string, deliveryId: string, at: string): Promise<WebhookDeliveryView>
  /**
   * Turns up to `limit` outbox events into one delivery per subscription
   * that wants each (and that existed when it happened), active or not: a
   * disabled subscription's deliveries wait (claim skips them) and go out when
   * it is turned on again, so a mirror misses nothing while it was failing.
   * Events nobody wants are deleted. Returns how many events it took.
   */
  fanOut(at: string, limit: number, newId: () => string): Promise<number>
  /** Leases up to `limit` due deliveries of active subscriptions until `leaseUntil`, under `token`. */
  claim(at: string, leaseUntil: string, token: string, limit: number): Promise<ClaimedDelivery[]>
  /** Records an attempt and, if the lease is still `token`'s, the delivery's new state; false if the lease was lost. */
  complete(outcome: DeliveryOutcome): Promise<boolean>
  /** Deletes up to `limit` events older than `before`, with their deliveries and attempts, whatever their state; returns how many. */
  purge(before: string, limit: number): Promise<number>
}

/** Whether a subscription's event list (names and wildcards: article.*, *) takes this event type. */
export function wants(events: string[], type: string): boolean {
  const group = `${type.slice(0, type.indexOf('.'))}.*`
  return events.some((e) => e === '*' || e === type || e === group)
}

/** The deliveries to make of these events: one per subscription that wants each and existed when it happened. */
export function fanOutPlan(
  events: { id: string; type: string; createdAt: string }[],
  subscriptions: Pick<WebhookSubscriptionRow, 'id' | 'events' | 'createdAt'>[],
): Map<string, string[]> {
  const plan = new Map<string, string[]>()
  for (const e of events) plan.set(e.id, subscriptions.filter((s) => s.createdAt <= e.createdAt && wants(s.events, e.type)).map((s) => s.id))
  return plan
}

export function createWebhookRepository(db: Db): WebhookRepository {
  const current = (id: string, expectedVersion: number | null): WebhookSubscriptionRow => {
    const row = db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)).get()
    if (!row) throw new NotFoundError('webhook subscription', id)
    if (expectedVersion !== null && row.version !== expectedVersion) throw new PreconditionFailedError(row.version)
    return row
  }
  const views = (rows: (WebhookDeliveryRow & { eventType: string })[]): WebhookDeliveryView[] => {
    if (rows.length === 0) return []
    const attempts = db
      .select()
      .from(webhookAttempts)
      .where(inArray(webhookAttempts.deliveryId, rows.map((r) => r.id)))
      .orderBy(asc(webhookAttempts.at), asc(webhookAttempts.id))
      .all()
    return rows.map((r) => ({ ...r, attemptList: attempts.filter((a) => a.deliveryId === r.id) }))
  }
  const deliveryColumns = { ...getTableColumns(webhookDeliveries), eventType: webhookEvents.type }
  const selectDeliveries = () => db.select(deliveryColumns).from(webhookDeliveries).innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))

  return {
    async create(row) {
      return db.transaction(() => db.insert(webhookSubscriptions).values(row).returning().all()[0]!, { behavior: 'immediate' })
    },
    async find(id) {
      return db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)).get() ?? null
    },
    async list(limit, afterId) {
      return db
        .select()
        .from(webhookSubscriptions)
        .where(afterId === null ? undefined : sql`${webhookSubscriptions.id} > ${afterId}`)
        .orderBy(asc(webhookSubscriptions.id))
        .limit(limit)
        .all()
    },
    async update(id, expectedVersion, fields, at) {
      return db.transaction(
        () => {
          const row = current(id, expectedVersion)
          return db
            .update(webhookSubscriptions)
            .set({ ...fields, version: row.version + 1, updatedAt: at })
            .where(eq(webhookSubscriptions.id, row.id))
            .returning()
            .all()[0]!
        },
        { behavior: 'immediate' },
      )
    },
    async remove(id, expectedVersion) {
      db.transaction(
        () => {
          const row = current(id, expectedVersion)
          db.delete(webhookSubscriptions).where(eq(webhookSubscriptions.id, row.id)).run()
        },
        { behavior: 'immediate' },
      )
    },
    async deliveries(subscriptionId, limit, beforeId) {
      const rows = selectDeliveries()
        .where(and(eq(webhookDeliveries.subscriptionId, subscriptionId), beforeId === null ? undefined : lt(webhookDeliveries.id, beforeId)))
        .orderBy(desc(webhookDeliveries.id))
        .limit(limit)
        .all()
      return views(rows)
    },
    async redeliver(subscriptionId, deliveryId, at) {
      return db.transaction(
        () => {
          const found = db
            .update(webhookDeliveries)
            .set({ status: 'pending', nextAttemptAt: at, leaseUntil: null, leaseToken: null, updatedAt: at })
            .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.subscriptionId, subscriptionId)))
            .returning({ id: webhookDeliveries.id })
            .all()
          if (found.length === 0) throw new NotFoundError('webhook delivery', deliveryId)
          return views(selectDeliveries().where(eq(webhookDeliveries.id, deliveryId)).all())[0]!
        },
        { behavior: 'immediate' },
      )
    },
    async fanOut(at, limit, newId) {
      // One writer at a time on SQLite (an immediate transaction): no two processes take the same events.
      return db.transaction(
        () => {
          const events = db.select().from(webhookEvents).where(eq(webhookEvents.fannedOut, false)).orderBy(asc(webhookEvents.seq)).limit(limit).all()
          if (events.length === 0) return 0
          const subscriptions = db.select().from(webhookSubscriptions).all()
          const plan = fanOutPlan(events, subscriptions)
          const unwanted: string[] = []
          for (const e of events) {
            const to = plan.get(e.id)!
            if (to.length === 0) {
              unwanted.push(e.id)
              continue
            }
            db.insert(webhookDeliveries)
              .values(to.map((subscriptionId) => ({ id: newId(), subscriptionId, eventId: e.id, status: 'pending' as const, attempts: 0, nextAttemptAt: at, createdAt: at, updatedAt: at })))
              .run()
          }
          if (unwanted.length > 0) db.delete(webhookEvents).where(inArray(webhookEvents.id, unwanted)).run()
          db.update(webhookEvents).set({ fannedOut: true }).where(inArray(webhookEvents.id, events.map((e) => e.id))).run()
          return events.length
        },
        { behavior: 'immediate' },
      )
    },
    async claim(at, leaseUntil, token, limit) {
      return db.transaction(
        () => {
          const due = db
            .select({ id: webhookDeliveries.id })
            .from(webhookDeliveries)
            .innerJoin(webhookSubscriptions, eq(webhookSubscriptions.id, webhookDeliveries.subscriptionId))
            .where(
              and(
                eq(webhookDeliveries.status, 'pending'),
                lte(webhookDeliveries.nextAttemptAt, at),
                or(isNull(webhookDeliveries.leaseUntil), lte(webhookDeliveries.leaseUntil, at)),
                eq(webhookSubscriptions.active, true),
              ),
            )
            .orderBy(asc(webhookDeliveries.nextAttemptAt), asc(webhookDeliveries.id))
            .limit(limit)
            .all()
            .map((d) => d.id)
          if (due.length === 0) return []
          db.update(webhookDeliveries).set({ leaseUntil, leaseToken: token }).where(inArray(webhookDeliveries.id, due)).run()
          return db
            .select({ delivery: webhookDeliveries, event: webhookEvents, subscription: webhookSubscriptions })
            .from(webhookDeliveries)
            .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
            .innerJoin(webhookSubscriptions, eq(webhookSubscriptions.id, webhookDeliveries.subscriptionId))
            .where(inArray(webhookDeliveries.id, due))
            .all()
            .map(claimed)
        },
        { behavior: 'immediate' },
      )
    },
    async complete(o) {
      return db.transaction(
        () => {
          // The subscription (and its deliveries) may have been deleted while the attempt ran.
          if (!db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(eq(webhookDeliveries.id, o.deliveryId)).get()) return false
          db.insert(webhookAttempts).values({ ...o.attempt, deliveryId: o.deliveryId }).run()
          const kept = db
            .update(webhookDeliveries)
            .set({
              status: o.status,
              attempts: sql`${webhookDeliveries.attempts} + 1`,
              nextAttemptAt: o.nextAttemptAt,
              leaseUntil: null,
              leaseToken: null,
              lastStatusCode: o.attempt.statusCode,
              lastError: o.attempt.error,
              updatedAt: o.attempt.at,
            })
            .where(and(eq(webhookDeliveries.id, o.deliveryId), eq(webhookDeliveries.leaseToken, o.token)))
            .returning({ id: webhookDeliveries.id })
            .all()
          const s = webhookSubscriptions
          if (o.ok) db.update(s).set({ failingSince: null }).where(eq(s.id, o.subscriptionId)).run()
          else {
            db.update(s).set({ failingSince: sql`coalesce(${s.failingSince}, ${o.attempt.at})` }).where(eq(s.id, o.subscriptionId)).run()
            db.update(s)
              .set({ active: false, disabledReason: o.disable.reason, version: sql`${s.version} + 1`, updatedAt: o.attempt.at })
              .where(and(eq(s.id, o.subscriptionId), eq(s.active, true), lte(s.failingSince, o.disable.failingSince)))
              .run()
          }
          return kept.length > 0
        },
        { behavior: 'immediate' },
      )
    },
    async purge(before, limit) {
      return db.transaction(
        () => {
          const old = db.select({ id: webhookEvents.id }).from(webhookEvents).where(lt(webhookEvents.createdAt, before)).orderBy(asc(webhookEvents.createdAt)).limit(limit).all()
          if (old.length > 0) db.delete(webhookEvents).where(inArray(webhookEvents.id, old.map((e) => e.id))).run()
          return old.length
        },
        { behavior: 'immediate' },
      )
    },
  }
}

/** A claimed row as the dispatcher needs it. */
export function claimed(r: {
  delivery: WebhookDeliveryRow
  event: { id: string; type: string; data: Record<string, unknown>; createdAt: string }
  subscription: WebhookSubscriptionRow
}): ClaimedDelivery {
  const { id, url, secret, previousSecret, previousSecretExpiresAt } = r.subscription
  return {
    id: r.delivery.id,
    token: r.delivery.leaseToken!,
    attempts: r.delivery.attempts,
    createdAt: r.delivery.createdAt,
    event: { id: r.event.id, type: r.event.type, data: r.event.data, createdAt: r.event.createdAt },
    subscription: { id, url, secret, previousSecret, previousSecretExpiresAt },
  }
}
