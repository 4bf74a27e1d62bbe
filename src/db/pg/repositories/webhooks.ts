import { and, asc, desc, eq, getTableColumns, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { PgDb } from '../client.js'
import { webhookAttempts, webhookDeliveries, webhookEvents, webhookSubscriptions } from '../schema.js'
import type { WebhookDeliveryRow, WebhookSubscriptionRow } from '../../rows.js'
import { NotFoundError, PreconditionFailedError } from '../../../errors.js'
import { claimed, fanOutPlan, type WebhookDeliveryView, type WebhookRepository } from '../../repositories/webhooks.js'
import { writeTransaction } from '../writes.js'

/**
 * Webhooks on PostgreSQL: the same behaviour as src/db/repositories/webhooks.ts.
 * Several processes may dispatch at once: fan-out and claims take their rows
 * FOR UPDATE SKIP LOCKED, so two processes never take the same event or
 * delivery, and a claim is a lease (lease_until, lease_token) that another
 * process may take over once it expires (the first process died mid-send).
 */
export function createWebhookRepository(db: PgDb): WebhookRepository {
  const current = async (tx: PgDb, id: string, expectedVersion: number | null): Promise<WebhookSubscriptionRow> => {
    const [row] = await tx.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)).for('update')
    if (!row) throw new NotFoundError('webhook subscription', id)
    if (expectedVersion !== null && row.version !== expectedVersion) throw new PreconditionFailedError(row.version)
    return row
  }
  const views = async (tx: PgDb, rows: (WebhookDeliveryRow & { eventType: string })[]): Promise<WebhookDeliveryView[]> => {
    if (rows.length === 0) return []
    const attempts = await tx
      .select()
      .from(webhookAttempts)
      .where(inArray(webhookAttempts.deliveryId, rows.map((r) => r.id)))
      .orderBy(asc(webhookAttempts.at), asc(webhookAttempts.id))
    return rows.map((r) => ({ ...r, attemptList: attempts.filter((a) => a.deliveryId === r.id) }))
  }
  const deliveryColumns = { ...getTableColumns(webhookDeliveries), eventType: webhookEvents.type }
  const selectDeliveries = (tx: PgDb) => tx.select(deliveryColumns).from(webhookDeliveries).innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))

  return {
    async create(row) {
      return writeTransaction(db, async (tx) => (await tx.insert(webhookSubscriptions).values(row).returning())[0]!)
    },
    async find(id) {
      return (await db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)))[0] ?? null
    },
    async list(limit, afterId) {
      return db
        .select()
        .from(webhookSubscriptions)
        .where(afterId === null ? undefined : sql`${webhookSubscriptions.id} > ${afterId}`)
        .orderBy(asc(webhookSubscriptions.id))
        .limit(limit)
    },
    async update(id, expectedVersion, fields, at) {
      return writeTransaction(db, async (tx) => {
        const row = await current(tx, id, expectedVersion)
        const [updated] = await tx
          .update(webhookSubscriptions)
          .set({ ...fields, version: row.version + 1, updatedAt: at })
          .where(eq(webhookSubscriptions.id, row.id))
          .returning()
        return updated!
      })
    },
    async remove(id, expectedVersion) {
      await writeTransaction(db, async (tx) => {
        const row = await current(tx, id, expectedVersion)
        await tx.delete(webhookSubscriptions).where(eq(webhookSubscriptions.id, row.id))
      })
    },
    async deliveries(subscriptionId, limit, beforeId) {
      const rows = await selectDeliveries(db)
        .where(and(eq(webhookDeliveries.subscriptionId, subscriptionId), beforeId === null ? undefined : lt(webhookDeliveries.id, beforeId)))
        .orderBy(desc(webhookDeliveries.id))
        .limit(limit)
      return views(db, rows)
    },
    async redeliver(subscriptionId, deliveryId, at) {
      return writeTransaction(db, async (tx) => {
        const found = await tx
          .update(webhookDeliveries)
          .set({ status: 'pending', nextAttemptAt: at, leaseUntil: null, leaseToken: null, updatedAt: at })
          .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.subscriptionId, subscriptionId)))
          .returning({ id: webhookDeliveries.id })
        if (found.length === 0) throw new NotFoundError('webhook delivery', deliveryId)
        return (await views(tx, await selectDeliveries(tx).where(eq(webhookDeliveries.id, deliveryId))))[0]!
      })
    },
    async fanOut(at, limit, newId) {
      return db.transaction(async (tx) => {
        const events = await tx
          .select()
          .from(webhookEvents)
          .where(eq(webhookEvents.fannedOut, false))
          .orderBy(asc(webhookEvents.seq))
          .limit(limit)
          .for('update', { skipLocked: true })
        if (events.length === 0) return 0
        const subscriptions = await tx.select().from(webhookSubscriptions)
        const plan = fanOutPlan(events, subscriptions)
        const rows = events.flatMap((e) =>
          plan.get(e.id)!.map((subscriptionId) => ({ id: newId(), subscriptionId, eventId: e.id, status: 'pending' as const, attempts: 0, nextAttemptAt: at, createdAt: at, updatedAt: at })),
        )
        if (rows.length > 0) await tx.insert(webhookDeliveries).values(rows)
        const unwanted = events.filter((e) => plan.get(e.id)!.length === 0).map((e) => e.id)
        if (unwanted.length > 0) await tx.delete(webhookEvents).where(inArray(webhookEvents.id, unwanted))
        await tx.update(webhookEvents).set({ fannedOut: true }).where(inArray(webhookEvents.id, events.map((e) => e.id)))
        return events.length
      })
    },
    async claim(at, leaseUntil, token, limit) {
      return db.transaction(async (tx) => {
        const due = (
          await tx
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
            .for('update', { of: webhookDeliveries, skipLocked: true })
        ).map((d) => d.id)
        if (due.length === 0) return []
        await tx.update(webhookDeliveries).set({ leaseUntil, leaseToken: token }).where(inArray(webhookDeliveries.id, due))
        const rows = await tx
          .select({ delivery: webhookDeliveries, event: webhookEvents, subscription: webhookSubscriptions })
          .from(webhookDeliveries)
          .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
          .innerJoin(webhookSubscriptions, eq(webhookSubscriptions.id, webhookDeliveries.subscriptionId))
          .where(inArray(webhookDeliveries.id, due))
        return rows.map(claimed)
      })
    },
    async complete(o) {
      return db.transaction(async (tx) => {
        // The subscription (and its deliveries) may have been deleted while the attempt ran.
        const [present] = await tx.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(eq(webhookDeliveries.id, o.deliveryId)).for('update')
        if (!present) return false
        await tx.insert(webhookAttempts).values({ ...o.attempt, deliveryId: o.deliveryId })
        const kept = await tx
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
        const s = webhookSubscriptions
        if (o.ok) await tx.update(s).set({ failingSince: null }).where(eq(s.id, o.subscriptionId))
        else {
          await tx.update(s).set({ failingSince: sql`coalesce(${s.failingSince}, ${o.attempt.at})` }).where(eq(s.id, o.subscriptionId))
          await tx
            .update(s)
            .set({ active: false, disabledReason: o.disable.reason, version: sql`${s.version} + 1`, updatedAt: o.attempt.at })
            .where(and(eq(s.id, o.subscriptionId), eq(s.active, true), lte(s.failingSince, o.disable.failingSince)))
        }
        return kept.length > 0
      })
    },
    async purge(before, limit) {
      return db.transaction(async (tx) => {
        const old = await tx
          .select({ id: webhookEvents.id })
          .from(webhookEvents)
          .where(lt(webhookEvents.createdAt, before))
          .orderBy(asc(webhookEvents.createdAt))
          .limit(limit)
          .for('update', { skipLocked: true })
        if (old.length > 0) await tx.delete(webhookEvents).where(inArray(webhookEvents.id, old.map((e) => e.id)))
        return old.length
      })
    },
  }
}
