import { and, asc, eq, isNull, lt, or, sql } from 'drizzle-orm'
import type { Db } from '../sqlite/client.js'
import { apiKeys, idempotencyKeys } from '../schema.js'
import { LastAdminKeyError, NotFoundError } from '../../errors.js'
import { CARRIED_OUT } from '../idempotencyScope.js'
import type { ApiKeyRow } from '../rows.js'


export interface ApiKeyRepository {
  create(row: Omit<ApiKeyRow, 'lastUsedAt' | 'revokedAt'>): Promise<ApiKeyRow>
  findActiveByHash(hash: string): Promise<ApiKeyRow | null>
  list(): Promise<ApiKeyRow[]>
  /** Revokes a key (idempotent); refuses (LastAdminKeyError) to revoke the last active admin key, which would lock every admin out. */
  revoke(id: string, at: string): Promise<ApiKeyRow>
  count(): Promise<number>
  /** Records use, at most once a minute per key, so reads stay cheap. */
  touch(id: string, at: string): Promise<void>
}

export function createApiKeyRepository(db: Db): ApiKeyRepository {
  // Every authenticated request runs these two: prepared once.
  const byHash = db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, sql.placeholder('hash')), isNull(apiKeys.revokedAt)))
    .prepare()
  const touched = db
    .update(apiKeys)
    .set({ lastUsedAt: sql`${sql.placeholder('at')}` })
    .where(and(eq(apiKeys.id, sql.placeholder('id')), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql.placeholder('minuteAgo')))))
    .prepare()
  return {
    async create(row) {
      return db.transaction(() => db.insert(apiKeys).values(row).returning().all()[0]!, { behavior: 'immediate' })
    },
    async findActiveByHash(hash) {
      return byHash.get({ hash }) ?? null
    },
    async list() {
      return db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt), asc(apiKeys.id)).all()
    },
    async revoke(id, at) {
      const row = db.transaction(
        () => {
          const target = db.select().from(apiKeys).where(eq(apiKeys.id, id)).get()
          if (target && target.scope === 'admin' && target.revokedAt === null) {
            const admins = db.select({ n: sql<number>`count(*)` }).from(apiKeys).where(and(eq(apiKeys.scope, 'admin'), isNull(apiKeys.revokedAt))).get()!.n
            if (admins <= 1) throw new LastAdminKeyError(id)
          }
          return db.update(apiKeys).set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${at})` }).where(eq(apiKeys.id, id)).returning().all()[0]
        },
        { behavior: 'immediate' },
      )
      if (!row) throw new NotFoundError('API key', id)
      return row
    },
    async count() {
      return db.select({ n: sql<number>`count(*)` }).from(apiKeys).get()!.n
    },
    async touch(id, at) {
      touched.run({ id, at, minuteAgo: new Date(Date.parse(at) - 60_000).toISOString() })
    },
  }
}

export type IdempotencyClaim =
  | { state: 'claimed' }
  | { state: 'replay'; statusCode: number; body: string; headers: Record<string, string> }
  | { state: 'mismatch' }
  | { state: 'in-progress' }
  /** The first request committed its write, then its process died before the answer was stored. */
  | { state: 'unanswered' }

export interface IdempotencyRepository {
  /**
   * Claims (apiKeyId, key) for this request, or says what an earlier request with the same key did.
   * A claim without an answer made before `staleBefore` was abandoned (its process died): it is taken over.
   */
  claim(row: { apiKeyId: string; key: string; method: string; path: string; requestHash: string; createdAt: string }, staleBefore: string): Promise<IdempotencyClaim>
  complete(apiKeyId: string, key: string, statusCode: number, body: string, headers: Record<string, string>): Promise<void>
  release(apiKeyId: string, key: string): Promise<void>
  purgeOlderThan(at: string): Promise<number>
}

export function createIdempotencyRepository(db: Db): IdempotencyRepository {
  const where = (apiKeyId: string, key: string) => and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key))
  return {
    async claim(row, staleBefore) {
      return db.transaction(
        (): IdempotencyClaim => {
          const existing = db.select().from(idempotencyKeys).where(where(row.apiKeyId, row.key)).get()
          if (!existing) {
            db.insert(idempotencyKeys).values(row).run()
            return { state: 'claimed' }
          }
          if (existing.statusCode === null && existing.createdAt < staleBefore) {
            db.update(idempotencyKeys)
              .set({ ...row, statusCode: null, responseBody: null, responseHeaders: null })
              .where(where(row.apiKeyId, row.key))
              .run()
            return { state: 'claimed' }
          }
          if (existing.requestHash !== row.requestHash || existing.method !== row.method || existing.path !== row.path) {
            return { state: 'mismatch' }
          }
          if (existing.statusCode === CARRIED_OUT && existing.responseBody === null && existing.createdAt < staleBefore) return { state: 'unanswered' }
          if (existing.statusCode === null || existing.responseBody === null) return { state: 'in-progress' }
          return { state: 'replay', statusCode: existing.statusCode, body: existing.responseBody, headers: existing.responseHeaders ?? {} }
        },
        { behavior: 'immediate' },
      )
    },
    async complete(apiKeyId, key, statusCode, body, headers) {
      db.transaction(() => db.update(idempotencyKeys).set({ statusCode, responseBody: body, responseHeaders: headers }).where(where(apiKeyId, key)).run(), {
        behavior: 'immediate',
      })
    },
    async release(apiKeyId, key) {
      db.transaction(() => db.delete(idempotencyKeys).where(where(apiKeyId, key)).run(), { behavior: 'immediate' })
    },
    async purgeOlderThan(at) {
      return db.transaction(() => db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, at)).run().changes, { behavior: 'immediate' })
    },
  }
}
