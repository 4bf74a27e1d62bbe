import { sql } from 'drizzle-orm'
import type { PgDb } from './client.js'

/**
 * A streaming replica's positions: PostgreSQL's WAL LSNs ("16/B374D848": two
 * hexadecimal halves of a 64-bit byte position). The primary's position after a
 * write is the client's consistency token; the replica has the write once it
 * has replayed up to it.
 */

const LSN = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i

/** An LSN as a number, or null for text that is not one. */
export function lsnOf(text: string | null | undefined): bigint | null {
  const m = LSN.exec(text ?? '')
  return m ? (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`) : null
}

/**
 * The primary's WAL insert position: past the commit record of every
 * transaction that has committed (also with synchronous_commit off, where the
 * written position may lag behind a commit).
 */
export async function primaryLsn(db: PgDb): Promise<string> {
  const rows = (await db.execute(sql`select pg_current_wal_insert_lsn()::text as lsn`)) as unknown as { rows?: { lsn: string }[] } | { lsn: string }[]
  const row = Array.isArray(rows) ? rows[0] : rows.rows?.[0]
  return row!.lsn
}

/** How far a standby has replayed (null on a server that is not in recovery). */
export async function replayedLsn(db: PgDb): Promise<string | null> {
  const rows = (await db.execute(sql`select pg_last_wal_replay_lsn()::text as lsn`)) as unknown as { rows?: { lsn: string | null }[] } | { lsn: string | null }[]
  const row = Array.isArray(rows) ? rows[0] : rows.rows?.[0]
  return row?.lsn ?? null
}

/**
 * Whether the replica has replayed up to a token. The replay position only
 * grows, so the furthest one seen answers without asking again; a replica
 * that is not in recovery (null: a promoted one, or a plain database) is never
 * taken as caught up.
 */
export function replayTracker(replayed: () => Promise<string | null>): (token: string) => Promise<boolean> {
  let furthest = -1n
  return async (token) => {
    const wanted = lsnOf(token)
    if (wanted === null) return false
    if (furthest >= wanted) return true
    const now = lsnOf(await replayed())
    if (now !== null && now > furthest) furthest = now
    return furthest >= wanted
  }
}
