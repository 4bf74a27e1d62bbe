import type { Actor, Scope } from '../services/actor.js'

/** An answer as the idempotency table keeps it. */
export interface StoredAnswer {
  statusCode: number
  body: string
  headers: Record<string, string>
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor
    idempotency: { apiKeyId: string; key: string } | null
  }
  interface FastifyContextConfig {
    /**
     * The scope a route needs; 'read' by default. 'none' for health, metrics and docs.
     * 'reader' for the myNEWS routes (/v1/me/...): a reader token, never an API key.
     */
    scope?: Scope | 'none' | 'reader'
    /** A 'read' route that anonymous callers may not use even where anonymous reads are allowed (it needs some API key). */
    keyRequired?: boolean
    /** A private reader feed (its token in the path): rate limited per token, at the readers' rate. */
    readerFeed?: boolean
    /** A bearer token that also opens this route (besides an API key of its scope); /metrics for scrapers. */
    bearerToken?: string | undefined
    /** POST routes that honour Idempotency-Key. */
    idempotent?: boolean
    /** The body types the route takes, when not JSON only: named in its 415 answers. */
    accepts?: string[]
    /**
     * What an idempotent route keeps for replays, given its answer; by default the
     * answer itself. A route whose answer holds a secret stores something else.
     */
    idempotencyRecord?: (answer: StoredAnswer) => StoredAnswer
  }
  interface FastifyReply {
    /** Marks the response as a versioned resource: ETag "<version>-<hash>", Last-Modified. */
    resourceVersion: { version: number; modifiedAt: string } | null
    /** For lists: when their newest item changed (Last-Modified). */
    lastModified: string | null
  }
}
