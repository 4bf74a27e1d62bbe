import type { Actor, Scope } from '../services/actor.js'

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor
    idempotency: { apiKeyId: string; key: string } | null
  }
  interface FastifyContextConfig {
    /** The scope a route needs; 'read' by default. 'none' for health, metrics and docs. */
    scope?: Scope | 'none'
    /** POST routes that honour Idempotency-Key. */
    idempotent?: boolean
  }
  interface FastifyReply {
    /** Marks the response as a versioned resource: ETag "<version>-<hash>", Last-Modified. */
    resourceVersion: { version: number; modifiedAt: string } | null
    /** For lists: when their newest item changed (Last-Modified). */
    lastModified: string | null
  }
}
