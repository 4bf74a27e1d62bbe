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
    /** The scope a route needs; 'read' by default. 'none' for health, metrics and docs. */
    scope?: Scope | 'none'
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
