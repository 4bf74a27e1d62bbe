import { asc, eq, inArray, like, sql } from 'drizzle-orm'
import { articleRowColumns } from './columns.js'
import type { PgDb } from './client.js'
import { uuidv7 } from 'uuidv7'
import { articleChanges, articleCredits, articleMedia, articleRevisions, articleTopics, articles, idempotencyKeys, sections, webhookEvents } from './schema.js'
import type { ArticleRow, ChangeKind, RevisionMeta, RevisionRow, RevisionSnapshot, WebhookEventData, WebhookEventType } from '../rows.js'
import type { EmbeddedKind } from '../repositories/renderings.js'
import { articleEvents, changeKind, publicChangeKind, revisionSnapshot, visibleAt, type ArticleLinks } from '../writes.js'
import { CARRIED_OUT, currentClaim } from '../idempotencyScope.js'
import type { PgRenderings } from './renderings.js'
import { LOCKS } from './locks.js'

/**
 * The write steps every PostgreSQL writer shares (the counterpart of
 * src/db/writes.ts, whose pure rules, changeKind, publicChangeKind and
 * visibleAt, they use): the articles repository, the catalogue and section
 * deletes that detach articles, and the archive import. Each runs inside its
 * caller's transaction, given as `tx`.
 */

/** The search row of a new article (kept for parity with SQLite and for copies between the engines; search uses the generated tsvector). */
export const nextSearchRowid = sql`(select coalesce(max(${articles.searchRowid}), 0) + 1 from ${articles})`

/**
 * Runs `fn` in a write transaction. When the request running it holds an
 * Idempotency-Key claim, the claim is marked carried out in the same commit
 * (as SQLite's client does for every immediate transaction): the write and
 * the mark are on disk together or not at all.
 */
export function writeTransaction<T>(db: PgDb, fn: (tx: PgDb) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const result = await fn(tx)
    const claim = currentClaim()
    if (claim) {
      await tx
        .update(idempotencyKeys)
        .set({ statusCode: CARRIED_OUT })
        .where(sql`${idempotencyKeys.apiKeyId} = ${claim.apiKeyId} and ${idempotencyKeys.key} = ${claim.key} and ${idempotencyKeys.statusCode} is null`)
    }
    return result
  })
}

/** The fields of a revision snapshot in the order SQLite keeps them (the order revision() writes them). */
const SNAPSHOT_FIELDS: (keyof RevisionSnapshot)[] = [
  'slug', 'type', 'status', 'language', 'sectionId', 'headlines', 'summary', 'leadMedia', 'body', 'credits', 'topics',
  'printEdition', 'corrections', 'canonicalUrl', 'embargoUntil', 'scheduledAt', 'publishedAt', 'firstPublishedAt', 'wordCount',
]

/**
 * A revision as read back from jsonb, which keeps an object's keys sorted by
 * length, not as written: its snapshot's fields in the written order again
 * (a diff lists changed fields in it), any others after them.
 */
export function orderedRevision<T extends { snapshot: unknown }>(row: T): T & { snapshot: RevisionSnapshot } {
  const given = row.snapshot as Record<string, unknown>
  const snapshot: Record<string, unknown> = {}
  for (const field of SNAPSHOT_FIELDS) if (field in given) snapshot[field] = given[field]
  for (const [field, value] of Object.entries(given)) if (!(field in snapshot)) snapshot[field] = value
  return { ...row, snapshot: snapshot as unknown as RevisionSnapshot }
}

/**
 * New articles draw their search row (nextSearchRowid: max + 1) one
 * transaction at a time: every writer that inserts articles takes this turn
 * first (a transaction-level advisory lock), or two could draw the same row
 * and one fail on articles_search_rowid_unique.
 */
export const takeSearchRowTurn = (tx: PgDb) => tx.execute(sql`select pg_advisory_xact_lock(${SEARCH_ROW_LOCK})`)
const SEARCH_ROW_LOCK = LOCKS.searchRow

/** The turn writers of the change feed take (see change()). */
const CHANGE_FEED_LOCK = LOCKS.changeFeed

export function createPgWrites(renderings: PgRenderings) {
  async function links(tx: PgDb, id: string): Promise<ArticleLinks> {
    const [credits, topics] = await Promise.all([
      tx.select({ contributorId: articleCredits.contributorId, role: articleCredits.role }).from(articleCredits).where(eq(articleCredits.articleId, id)).orderBy(asc(articleCredits.position)),
      tx.select({ topicId: articleTopics.topicId, primary: articleTopics.primary }).from(articleTopics).where(eq(articleTopics.articleId, id)).orderBy(asc(articleTopics.position)),
    ])
    return { credits, topics }
  }

  /** Stores a revision as it is (the archive import brings them whole). */
  async function storeRevision(tx: PgDb, revision: RevisionRow): Promise<void> {
    await tx.insert(articleRevisions).values({ ...revision })
  }

  /** Stores the revision of an article at its current version: a snapshot of its content, workflow state and links. */
  async function revision(tx: PgDb, row: ArticleRow, meta: RevisionMeta): Promise<void> {
    const snapshot = revisionSnapshot(row, await links(tx, row.id))
    await storeRevision(tx, { articleId: row.id, version: row.version, createdAt: meta.at, actorKeyId: meta.actorKeyId, message: meta.message, snapshot })
  }

  /** Appends an event to the webhook outbox, in the caller's transaction (the dispatcher sends it after the commit). */
  async function event(tx: PgDb, type: WebhookEventType, data: WebhookEventData, at: string): Promise<void> {
    await tx.insert(webhookEvents).values({ id: uuidv7(), type, data, createdAt: at })
  }

  /**
   * Appends a change to the feed (and its webhook events to the outbox) and
   * keeps articles.public_visible in step, as SQLite's does.
   *
   * The feed's order is commit order. A sequence number alone is not: a
   * transaction that took seq 19 may commit after the one that took 20, and a
   * reader who had already paged past 20 would never see 19. So a writer takes
   * the feed's transaction-scoped advisory lock before it takes its seq, and
   * holds it until it commits (PostgreSQL makes a commit visible before it
   * releases the transaction's locks): the next writer's seq comes after this
   * commit, and a reader that sees seq N has seen every committed change below
   * it. Writers queue only for the end of their transactions.
   */
  async function change(tx: PgDb, before: ArticleRow | null, after: ArticleRow | null, at: string, kind: ChangeKind = changeKind(before, after)): Promise<void> {
    const was = before?.publicVisible ?? false
    const is = after ? visibleAt(after, at) : false
    const subject = (after ?? before)!
    await tx.execute(sql`select pg_advisory_xact_lock(${CHANGE_FEED_LOCK})`)
    const publicKind = publicChangeKind(was, is, !after)
    await tx.insert(articleChanges).values({ articleId: subject.id, kind, publicKind, version: subject.version, at })
    for (const type of articleEvents(publicKind, before, after)) await event(tx, type, { id: subject.id, version: subject.version }, at)
    if (after && after.publicVisible !== is) await tx.update(articles).set({ publicVisible: is }).where(eq(articles.id, after.id))
  }

  /** Writes an article's credits, topics and media in order, replacing any it had. */
  async function relations(tx: PgDb, id: string, given: ArticleLinks & { mediaIds: string[] }, replace: boolean): Promise<void> {
    if (replace) {
      await tx.delete(articleCredits).where(eq(articleCredits.articleId, id))
      await tx.delete(articleTopics).where(eq(articleTopics.articleId, id))
      await tx.delete(articleMedia).where(eq(articleMedia.articleId, id))
    }
    if (given.credits.length > 0) await tx.insert(articleCredits).values(given.credits.map((c, position) => ({ articleId: id, position, contributorId: c.contributorId, role: c.role })))
    if (given.topics.length > 0) await tx.insert(articleTopics).values(given.topics.map((t, position) => ({ articleId: id, position, topicId: t.topicId, primary: t.primary })))
    const mediaIds = [...new Set(given.mediaIds)]
    if (mediaIds.length > 0) await tx.insert(articleMedia).values(mediaIds.map((mediaId) => ({ articleId: id, mediaId })))
  }

  /** Moves every section below `from` under `to` (from/x/y becomes to/x/y), in the caller's transaction. Paths hold only [a-z0-9-/]: no LIKE escapes. */
  async function moveSubtree(tx: PgDb, from: string, to: string, at: string): Promise<void> {
    const moved = await tx
      .update(sections)
      .set({ path: sql`${to} || substr(${sections.path}, ${from.length + 1})`, version: sql`${sections.version} + 1`, updatedAt: at })
      .where(like(sections.path, `${from}/%`))
      .returning({ id: sections.id, version: sections.version })
    // A subsection's path is part of it: each one moved is a new version (its ETag and Last-Modified change), and section.updated for a mirror.
    for (const s of moved) await event(tx, 'section.updated', s, at)
  }

  /**
   * Removes every reference to a topic, contributor, media item or section from
   * the articles that use it, each article moving to a new version with a
   * revision that says why, and renders them again. Returns their ids.
   */
  async function detach(tx: PgDb, kind: EmbeddedKind, id: string, label: string, meta: RevisionMeta): Promise<string[]> {
    let ids: string[]
    if (kind === 'section') {
      ids = (await tx.select({ id: articles.id }).from(articles).where(eq(articles.sectionId, id))).map((r) => r.id)
    } else {
      const table = kind === 'topic' ? articleTopics : kind === 'contributor' ? articleCredits : articleMedia
      const column = kind === 'topic' ? articleTopics.topicId : kind === 'contributor' ? articleCredits.contributorId : articleMedia.mediaId
      ids = [...new Set((await tx.select({ articleId: table.articleId }).from(table).where(eq(column, id))).map((r) => r.articleId))]
      await tx.delete(table).where(eq(column, id))
    }
    // Every article first, in one order, before the first change takes the feed's turn: a writer of one of them that holds the turn then waits for nothing here.
    if (ids.length > 0) await tx.select({ id: articles.id }).from(articles).where(inArray(articles.id, ids)).orderBy(asc(articles.id)).for('update')
    for (const articleKey of ids) {
      const [row] = await tx.select(articleRowColumns).from(articles).where(eq(articles.id, articleKey))
      const fields: Partial<ArticleRow> = { updatedAt: meta.at, version: row!.version + 1 }
      if (kind === 'section') fields.sectionId = null
      if (kind === 'media') {
        fields.body = row!.body.filter((b) => !((b.type === 'image' || b.type === 'video') && b.mediaId === id))
        if (row!.leadMedia?.mediaId === id) fields.leadMedia = null
      }
      const [updated] = await tx.update(articles).set(fields).where(eq(articles.id, articleKey)).returning(articleRowColumns)
      await revision(tx, updated!, { ...meta, message: `detached ${kind} '${label}', which was deleted` })
      await change(tx, row!, updated!, meta.at)
    }
    await renderings.refresh(tx, ids)
    return ids
  }

  return { links, revision, storeRevision, change, event, relations, moveSubtree, detach }
}

export type PgWrites = ReturnType<typeof createPgWrites>
