/**
 * What a write to an existing resource expects of it, so that no edit is
 * lost: any version, or exactly the version the client last read. The routes
 * make one from If-Match (src/routes/common.ts, parseIfMatch).
 */
export type Precondition = { kind: 'any' } | { kind: 'version'; version: number }

export const ANY_VERSION: Precondition = { kind: 'any' }

export const atVersion = (version: number): Precondition => ({ kind: 'version', version })

/** The version a repository write checks for: null for any. */
export const expectedVersion = (p: Precondition): number | null => (p.kind === 'any' ? null : p.version)
