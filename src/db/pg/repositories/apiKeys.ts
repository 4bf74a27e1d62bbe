import { and, asc, eq, isNull, lt, or, sql } from 'drizzle-orm'
import type { PgDb } from '../client.js'
import { apiKeys, idempotencyKeys } from '../schema.js'
import { LastAdminKeyError, NotFoundError } from '../../../errors.js'
import { CARRIED_OUT } from '../../idempotencyScope.js'
import { writeTransaction } from '../writes.js'
import type { ApiKeyRepository, IdempotencyClaim, IdempotencyRepository } from '../../repositories/apiKeys.js'

/**
 * API keys and Idempotency-Key claims on PostgreSQL, with the behaviour of
 * src/db/repositories/apiKeys.ts. Every write runs in writeTransaction, so a
 * write by a request that holds a claim marks it in the same commit.
 */
export function createApiKeyRepository(db: PgDb): ApiKeyRepository {
  // Every authenticated request runs these two: prepared once.
  const byHash = db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, sql.placeholder('hash')), isNull(apiKeys.revokedAt)))
    .prepare('api_keys_by_hash')
  const touched = db
    .update(apiKeys)
    .set({ lastUsedAt: sql`${sql.placeholder('at')}` })
    .where(and(eq(apiKeys.id, sql.placeholder('id')), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql.placeholder('minuteAgo')))))
    .prepare('api_keys_touch')
  return {
    async create(row) {
      return writeTransaction(db, async (tx) => (await tx.insert(apiKeys).values(row).returning())[0]!)
    },
    async findActiveByHash(hash) {
      return (await byHash.execute({ hash }))[0] ?? null
    },
    async list() {
      return db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt), asc(apiKeys.id))
    },
    async revoke(id, at) {
      const row = await writeTransaction(db, async (tx) => {
        const [target] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id))
        if (target && target.scope === 'admin' && target.revokedAt === null) {
          // Locks every active admin key: of two concurrent revokes of the last two, the second waits, then
          // finds one (its own target) and refuses; without the lock both would count two.
          const admins = await tx
            .select({ id: apiKeys.id })
            .from(apiKeys)
            .where(and(eq(apiKeys.scope, 'admin'), isNull(apiKeys.revokedAt)))
            .for('update')
          if (admins.length <= 1) throw new LastAdminKeyError(id)
        }
        return (await tx.update(apiKeys).set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${at})` }).where(eq(apiKeys.id, id)).returning())[0]
      })
      if (!row) throw new NotFoundError('API key', id)
      return row
    },
    async count() {
      return (await db.select({ n: sql<number>`count(*)::int` }).from(apiKeys))[0]!.n
    },
    async touch(id, at) {
      await touched.execute({ id, at, minuteAgo: new Date(Date.parse(at) - 60_000).toISOString() })
    },
  }
}

export function createIdempotencyRepository(db: PgDb): IdempotencyRepository {
  const where = (apiKeyId: string, key: string) => and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key))
  return {
    async claim(row, staleBefore) {
      return writeTransaction(db, async (tx): Promise<IdempotencyClaim> => {
        // Two requests with the same key at once: the unique key lets one insert; the other waits for its
        // commit, inserts nothing, and reads (and locks) the row the first one stored.
        // Should the other one release (delete) it in between, the key is free again: try once more.
        let existing: typeof idempotencyKeys.$inferSelect | undefined
        for (let attempt = 0; attempt < 3 && !existing; attempt++) {
          const inserted = await tx.insert(idempotencyKeys).values(row).onConflictDoNothing().returning({ key: idempotencyKeys.key })
          if (inserted.length > 0) return { state: 'claimed' }
          ;[existing] = await tx.select().from(idempotencyKeys).where(where(row.apiKeyId, row.key)).for('update')
        }
        if (!existing) return { state: 'in-progress' }
        if (existing.statusCode === null && existing.createdAt < staleBefore) {
          await tx
            .update(idempotencyKeys)
            .set({ ...row, statusCode: null, responseBody: null, responseHeaders: null })
            .where(where(row.apiKeyId, row.key))
          return { state: 'claimed' }
        }
        if (existing.requestHash !== row.requestHash || existing.method !== row.method || existing.path !== row.path) {
          return { state: 'mismatch' }
        }
        if (existing.statusCode === CARRIED_OUT && existing.responseBody === null && existing.createdAt < staleBefore) return { state: 'unanswered' }
        if (existing.statusCode === null || existing.responseBody === null) return { state: 'in-progress' }
        return { state: 'replay', statusCode: existing.statusCode, body: existing.responseBody, headers: existing.responseHeaders ?? {} }
      })
    },
    async complete(apiKeyId, key, statusCode, body, headers) {
      await writeTransaction(db, async (tx) => {
        await tx.update(idempotencyKeys).set({ statusCode, responseBody: body, responseHeaders: headers }).where(where(apiKeyId, key))
      })
    },
    async release(apiKeyId, key) {
      await writeTransaction(db, async (tx) => {
        await tx.delete(idempotencyKeys).where(where(apiKeyId, key))
      })
    },
    async purgeOlderThan(at) {
      return writeTransaction(db, async (tx) => (await tx.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, at)).returning({ key: idempotencyKeys.key })).length)
    },
  }
}
