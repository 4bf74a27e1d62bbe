import { withClaimedKey, type IdempotencyClaim, type IdempotencyRepository } from '../db/index.js'
import { systemRuntime, type Runtime } from './clock.js'

export interface IdempotencyOptions {
  /** How long a claim without an answer holds its key (IdempotencyInProgressError); after it, the claim is taken as abandoned. */
  claimTimeoutMs: number
  /** How long a key and its answer are kept; older ones are purged. */
  retentionMs: number
}

export const DEFAULT_IDEMPOTENCY: IdempotencyOptions = { claimTimeoutMs: 60_000, retentionMs: 24 * 60 * 60_000 }

/**
 * Idempotency-Key claims, with time: a claim whose request never completed
 * (its process was killed) expires after `claimTimeoutMs`, so the key is not
 * "in progress" for ever; keys older than `retentionMs` are purged (the app runs
 * `purgeExpired` on a timer).
 */
export function createIdempotencyService(repo: IdempotencyRepository, runtime: Runtime = systemRuntime, options: IdempotencyOptions = DEFAULT_IDEMPOTENCY) {
  const ago = (ms: number) => new Date(runtime.now().getTime() - ms).toISOString()
  return {
    claim(row: { apiKeyId: string; key: string; method: string; path: string; requestHash: string }): Promise<IdempotencyClaim> {
      return repo.claim({ ...row, createdAt: runtime.now().toISOString() }, ago(options.claimTimeoutMs))
    },
    complete: (apiKeyId: string, key: string, statusCode: number, body: string, headers: Record<string, string>) => repo.complete(apiKeyId, key, statusCode, body, headers),
    release: (apiKeyId: string, key: string) => repo.release(apiKeyId, key),
    /**
     * Runs `fn` (the request's handler) as the holder of this claim: each write
     * transaction it commits also marks the claim as carried out, so that a
     * retry after a crash between the write and its stored answer is not run twice.
     */
    within: withClaimedKey,
    /** Deletes keys older than the retention; returns how many. */
    purgeExpired: (): Promise<number> => repo.purgeOlderThan(ago(options.retentionMs)),
  }
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>
