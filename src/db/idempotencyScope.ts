import { AsyncLocalStorage } from 'node:async_hooks'

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

/** The claim of the request running now, if it holds one: its write transactions mark it carried out (see the engine's client). */
export function currentClaim(): ClaimedKey | undefined {
  return scope.getStore()
}

/**
 * The status_code of a claim whose request committed its write but has not
 * stored its answer yet. Should the process die before the answer is stored, a
 * retry finds this instead of an abandoned claim, and does not run the request
 * a second time.
 */
export const CARRIED_OUT = 0
