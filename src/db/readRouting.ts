import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * Read replicas, engine-neutral: which reads may go to a replica, and the
 * per-request routing that sends them there or to the primary.
 *
 * A request that only reads (the API's GETs; src/plugins/consistency.ts) runs
 * inside reading(token, fn). Its repository reads that a replica can answer
 * (REPLICA_READS) go to the replica, unless the client presented a consistency
 * token (what token() gave it after its last write) that the replica has not
 * replayed yet: then to the primary, so that a client reads its own writes.
 * Everything else (writes, the scheduler, API keys, idempotency claims, the
 * archive) always goes to the primary. A replica that fails to answer (down,
 * unreachable) is left alone for a few seconds: its reads go to the primary.
 */

/** What a replica can answer: plain reads, never a write's own read (load) nor a long snapshot (the archive). */
export const REPLICA_READS: Record<string, readonly string[]> = {
  articles: ['find', 'read', 'readMeta', 'aggregates', 'list', 'count', 'related', 'changes', 'revisions', 'revision'],
  media: ['find', 'list', 'publishedCounts'],
  contributors: ['find', 'list', 'publishedCounts'],
  topics: ['find', 'list', 'publishedCounts'],
  sections: ['find', 'list', 'publishedCounts'],
}

/** How long a replica that failed is left alone before reads try it again. */
export const REPLICA_RETRY_MS = 5000

export interface ReadRouting {
  /** A replica takes reads (false on SQLite, or without one): then reading() just runs fn and token() gives nothing. */
  readonly replicated: boolean
  /**
   * Runs `fn`, and everything it awaits, as a read-only request of a client
   * that presented `token` (or none). Where its reads go is decided at its
   * first read, once for the whole request.
   */
  reading<T>(token: string | undefined, fn: () => T): T
  /** After a write has committed: a token for the primary's position now (undefined when nothing is replicated). */
  token(): Promise<string | undefined>
}

/** The engine's side of a replica (src/db/pg/replica.ts). */
export interface ReplicaSide<R> {
  /** The repositories on the replica's connection. */
  repos: R
  /** Whether the replica has replayed everything up to `token` (false for a token it cannot read). */
  caughtUp(token: string): Promise<boolean>
  /** The primary's position now, as a token. */
  primaryToken(): Promise<string>
  /** Whether an error means the replica cannot answer now (connection refused or lost, shutting down, a recovery conflict). */
  unavailable(err: unknown): boolean
}

/** Nothing to route: SQLite, or PostgreSQL without a replica. */
export const unreplicated: ReadRouting = {
  replicated: false,
  reading: (_token, fn) => fn(),
  token: async () => undefined,
}

interface Scope {
  token: string | undefined
  target?: Promise<'replica' | 'primary'>
}

/**
 * Repositories whose replica-safe reads go where the request's scope says
 * (see the top of this file), and the routing that sets the scope.
 * `onUnavailable` is told when the replica fails (for the log).
 */
export function routeReads<R extends object>(primary: R, replica: ReplicaSide<R>, onUnavailable: (err: unknown) => void): { repos: R; routing: ReadRouting } {
  const scopes = new AsyncLocalStorage<Scope>()
  let downUntil = 0
  const down = (err: unknown) => {
    downUntil = Date.now() + REPLICA_RETRY_MS
    onUnavailable(err)
  }

  const decide = async (token: string | undefined): Promise<'replica' | 'primary'> => {
    if (token === undefined) return 'replica'
    try {
      return (await replica.caughtUp(token)) ? 'replica' : 'primary'
    } catch (err) {
      if (replica.unavailable(err)) down(err)
      else onUnavailable(err)
      return 'primary'
    }
  }

  const repos: Record<string, unknown> = {}
  for (const [name, repo] of Object.entries(primary)) {
    const methods = REPLICA_READS[name]
    const onReplica = (replica.repos as Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>>)[name]
    if (!methods || !onReplica) {
      repos[name] = repo
      continue
    }
    const routed: Record<string, unknown> = { ...(repo as object) }
    for (const method of methods) {
      const onPrimary = (repo as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!
      routed[method] = async (...args: unknown[]) => {
        const scope = scopes.getStore()
        if (!scope || Date.now() < downUntil) return onPrimary.apply(repo, args)
        scope.target ??= decide(scope.token)
        if ((await scope.target) === 'primary') return onPrimary.apply(repo, args)
        try {
          return await onReplica[method]!.apply(onReplica, args)
        } catch (err) {
          if (!replica.unavailable(err)) throw err
          // A read may simply be asked again: of the primary, as is the rest of this request.
          down(err)
          scope.target = Promise.resolve('primary')
          return onPrimary.apply(repo, args)
        }
      }
    }
    repos[name] = routed
  }

  return {
    repos: repos as R,
    routing: {
      replicated: true,
      reading: (token, fn) => scopes.run({ token }, fn),
      token: () => replica.primaryToken(),
    },
  }
}
