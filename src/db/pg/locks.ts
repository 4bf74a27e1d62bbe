/**
 * Every PostgreSQL advisory lock Newsdesk takes, in one place so that no two
 * purposes share a key (two unrelated writers would then wait for each other,
 * and could deadlock). Keys are arbitrary; 7262 is Newsdesk's prefix.
 */
export const LOCKS = {
  /** One process at a time applies the migrations (session lock, src/db/pg/client.ts). */
  migrations: 7_262_011,
  /** New articles take their search row (max + 1) in turn (src/db/pg/writes.ts). */
  searchRow: 7_262_012,
  /** Writers of the changes feed take turns to their commit, so seq order is commit order (src/db/pg/writes.ts). */
  changeFeed: 7_262_013,
  /** Section tree writes take turns, so two moves cannot make a cycle (src/db/pg/repositories/sections.ts). */
  sectionTree: 7_262_014,
  /** Archive imports take turns (src/db/pg/repositories/archive.ts). */
  archiveImport: 7_262_015,
} as const
