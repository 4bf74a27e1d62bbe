import { AsyncLocalStorage } from 'node:async_hooks'
import type Database from 'better-sqlite3'
import type { Db } from './client.js'

export interface ClaimedKey {
  apiKeyId: string
  key: string
}

const scope = new AsyncLocalStorage<ClaimedKey>()

/**
 * Runs `fn`, and everything it awaits, as the request that holds this
 * Idempotency-Key claim (src/plugins/idempotency.ts runs the route handler so).
 */
export function withClaimedKey<T>(claim: ClaimedKey, fn: () => T): T {
  return scope.run(claim, fn)
}

/**
 * The status_code of a claim whose request committed its write but has not
 * stored its answer yet. Should the process die before the answer is stored, a
 * retry finds this instead of an abandoned claim, and does not run the request
 * a second time.
 */
export const CARRIED_OUT = 0

/**
 * Makes every write transaction (`behavior: 'immediate'`) of a request that
 * holds an Idempotency-Key claim also mark that claim as carried out, in the
 * same commit: the write and the mark are on disk together or not at all.
 */
export function markClaimsInTransactions(db: Db, sqlite: Database.Database): void {
  const mark = sqlite.prepare(`update idempotency_keys set status_code = ${CARRIED_OUT} where api_key_id = ? and key = ? and status_code is null`)
  const transaction = db.transaction.bind(db)
  db.transaction = ((fn, config) =>
    transaction((tx) => {
      const result = fn(tx)
      const claim = config?.behavior === 'immediate' ? scope.getStore() : undefined
      if (claim) mark.run(claim.apiKeyId, claim.key)
      return result
    }, config)) as typeof db.transaction
}
