export type Scope = 'read' | 'write' | 'admin'

/** Who is calling: an API key (id and scope), or nobody. */
export interface Actor {
  keyId: string | null
  scope: Scope | null
}

export const anonymous: Actor = { keyId: null, scope: null }

const rank: Record<Scope, number> = { read: 1, write: 2, admin: 3 }

export function hasScope(actor: Actor, needed: Scope): boolean {
  return actor.scope !== null && rank[actor.scope] >= rank[needed]
}

/** Write keys see drafts, scheduled, embargoed and archived articles; read keys and anonymous callers do not. */
export function canSeeUnpublished(actor: Actor): boolean {
  return hasScope(actor, 'write')
}
