export type Scope = 'read' | 'write' | 'admin'

/**
 * Who is calling: an API key (id and scope), a myNEWS reader, or nobody. A
 * reader has no key and no scope, so no scope check ever lets it through: it
 * reaches only the routes that ask for a reader (/v1/me/...), and an API key
 * never acts as a reader.
 */
export type Actor = KeyActor | ReaderActor

/** An API key (its id and scope), the system acting with a scope (keyId null: a CLI, the demo seed), or nobody (both null). */
export interface KeyActor {
  keyId: string | null
  scope: Scope | null
  readerId?: undefined
}

/** A myNEWS reader: no key, no scope. */
export interface ReaderActor {
  keyId: null
  scope: null
  readerId: string
}

export const anonymous: Actor = { keyId: null, scope: null }
export const readerActor = (readerId: string): ReaderActor => ({ keyId: null, scope: null, readerId })
export const isReader = (actor: Actor): actor is ReaderActor => actor.readerId !== undefined

const rank: Record<Scope, number> = { read: 1, write: 2, admin: 3 }

export function hasScope(actor: Actor, needed: Scope): boolean {
  return actor.scope !== null && rank[actor.scope] >= rank[needed]
}

/** Write keys see drafts, scheduled, embargoed and archived articles; read keys, readers and anonymous callers do not. */
export function canSeeUnpublished(actor: Actor): boolean {
  return hasScope(actor, 'write')
}
