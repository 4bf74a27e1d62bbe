import { createHash, randomBytes } from 'node:crypto'
import type { ApiKeyRepository, ApiKeyRow } from '../db/index.js'
import type { Actor, Scope } from './actor.js'
import { systemRuntime, type Runtime } from './clock.js'
import { DatabaseBusyError, InsufficientStorageError } from '../errors.js'

/** Keys are long random secrets, so a fast hash is enough; only the hash is stored. */
export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex')

export function createApiKeyService(repo: ApiKeyRepository, runtime: Runtime = systemRuntime) {
  async function insert(name: string, scope: Scope, key: string): Promise<{ row: ApiKeyRow; key: string }> {
    const row = await repo.create({
      id: runtime.newId(),
      name,
      scope,
      keyHash: hashKey(key),
      prefix: key.slice(0, 10),
      createdAt: runtime.now().toISOString(),
    })
    return { row, key }
  }

  return {
    create(name: string, scope: Scope) {
      return insert(name, scope, `nd_${randomBytes(32).toString('base64url')}`)
    },

    /**
     * On a database without keys, creates the first admin key: the given one
     * (NEWSDESK_ADMIN_KEY) or a new random one. Returns it, or null when keys exist.
     */
    async bootstrap(adminKey: string | undefined): Promise<{ key: string; generated: boolean } | null> {
      if ((await repo.count()) > 0) return null
      const { key } = adminKey ? await insert('bootstrap admin', 'admin', adminKey) : await this.create('bootstrap admin', 'admin')
      return { key, generated: adminKey === undefined }
    },

    async authenticate(token: string): Promise<Actor | null> {
      const row = await repo.findActiveByHash(hashKey(token))
      if (!row) return null
      const now = runtime.now()
      // Use is recorded at most once a minute: most requests write nothing (and take no write lock).
      if (row.lastUsedAt === null || Date.parse(row.lastUsedAt) < now.getTime() - 60_000) {
        // Bookkeeping only: a busy or full database must not make a read fail (the next minute records it).
        await repo.touch(row.id, now.toISOString()).catch((err: unknown) => {
          if (!(err instanceof DatabaseBusyError || err instanceof InsufficientStorageError)) throw err
        })
      }
      return { keyId: row.id, scope: row.scope }
    },

    /** Whether any key was ever used (the server's start-up hint is for a database whose first key may be lost). */
    async anyUsed(): Promise<boolean> {
      return (await repo.list()).some((k) => k.lastUsedAt !== null)
    },

    list: () => repo.list(),
    revoke: (id: string) => repo.revoke(id, runtime.now().toISOString()),
  }
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>
