import { asc, eq, getTableName, like, sql } from 'drizzle-orm'
import type { Db } from './sqlite/client.js'
import { uuidv7 } from 'uuidv7'
import { articleChanges, articleCredits, articleMedia, articleRevisions, articleTopics, articles, sections, webhookEvents } from './schema.js'
import type { ArticleRow, ChangeKind, CreditRoleValue, PublicChangeKind, RevisionMeta, RevisionRow, RevisionSnapshot, WebhookEventData, WebhookEventType } from './rows.js'
import type { EmbeddedKind, Renderings } from './repositories/renderings.js'

/**
 * The write steps every writer shares: the articles repository, the catalogue
 * and section deletes that detach articles, and the archive import. Each runs
 * inside its caller's transaction; the statements are prepared once per
 * connection, since an import runs them for every record.
 */

/** Readers see an article that is published and whose embargo (if any) has passed. */
export function visibleAt(row: Pick<ArticleRow, 'status' | 'embargoUntil'>, at: string): boolean {
  return row.status === 'published' && (row.embargoUntil === null || row.embargoUntil <= at)
}

/** What happened to an article, as the editors' change feed names it. */
export function changeKind(before: ArticleRow | null, after: ArticleRow | null): ChangeKind {
  if (!before) return 'created'
  if (!after) return 'deleted'
  if (before.status === after.status) return 'updated'
  if (after.status === 'published') return 'published'
  if (after.status === 'scheduled') return 'scheduled'
  if (after.status === 'archived') return 'archived'
  return before.status === 'archived' ? 'restored' : 'unpublished'
}

/** What readers saw happen, from whether they could see the article before and after (null: nothing). */
export function publicChangeKind(was: boolean, is: boolean, deleted: boolean): PublicChangeKind | null {
  if (!was) return is ? 'published' : null
  if (is) return 'updated'
  return deleted ? 'deleted' : 'unpublished'
}

/**
 * The webhook events of an article change: only what readers saw happen
 * (publicChangeKind), so a draft's edit never reaches a webhook; a public
 * update that adds a correction is also article.corrected.
 */
export function articleEvents(publicKind: PublicChangeKind | null, before: ArticleRow | null, after: ArticleRow | null): WebhookEventType[] {
  if (publicKind === null) return []
  const types: WebhookEventType[] = [`article.${publicKind}`]
  if (publicKind === 'updated' && before && after && after.corrections.length > before.corrections.length) types.push('article.corrected')
  return types
}

/** A section's full slug path: its parent's path and its slug (news/world/asia), so that a subtree is one index range. */
export function sectionPath(parentPath: string | null, slug: string): string {
  return parentPath === null ? slug : `${parentPath}/${slug}`
}

/** The search row of a new article (the rowid of its entry in the full-text index, which triggers keep in step). */
export const nextSearchRowid = sql`(select coalesce(max(${articles.searchRowid}), 0) + 1 from ${articles})`

/** An article's credits and topics, in order, as a revision or an archive records them. */
export interface ArticleLinks {
  credits: { contributorId: string; role: CreditRoleValue }[]
  topics: { topicId: string; primary: boolean }[]
}

/** What a revision keeps of an article at its current version: its content, workflow state and links (the same on both engines). */
export function revisionSnapshot(row: ArticleRow, { credits, topics }: ArticleLinks): RevisionSnapshot {
  return {
    slug: row.slug,
    type: row.type,
    status: row.status,
    language: row.language,
    sectionId: row.sectionId,
    headlines: row.headlines,
    summary: row.summary,
    leadMedia: row.leadMedia,
    body: row.body,
    credits,
    topics,
    printEdition: row.printEdition,
    corrections: row.corrections,
    canonicalUrl: row.canonicalUrl,
    embargoUntil: row.embargoUntil,
    scheduledAt: row.scheduledAt,
    publishedAt: row.publishedAt,
    firstPublishedAt: row.firstPublishedAt,
    wordCount: row.wordCount,
  }
}

export function createWrites(db: Db, renderings: Renderings) {
  const articleId = sql.placeholder('articleId')
  const statements = {
    credits: db
      .select({ contributorId: articleCredits.contributorId, role: articleCredits.role })
      .from(articleCredits)
      .where(eq(articleCredits.articleId, articleId))
      .orderBy(asc(articleCredits.position))
      .prepare(),
    topics: db
      .select({ topicId: articleTopics.topicId, primary: articleTopics.primary })
      .from(articleTopics)
      .where(eq(articleTopics.articleId, articleId))
      .orderBy(asc(articleTopics.position))
      .prepare(),
    deleteCredits: db.delete(articleCredits).where(eq(articleCredits.articleId, articleId)).prepare(),
    deleteTopics: db.delete(articleTopics).where(eq(articleTopics.articleId, articleId)).prepare(),
    deleteMedia: db.delete(articleMedia).where(eq(articleMedia.articleId, articleId)).prepare(),
  }

  // The link, revision, change and outbox rows as plain statements with positional values: drizzle's
  // placeholder filling and value mapping cost more than these inserts themselves (an import runs them for every record).
  const client = db.$client
  const link = {
    credit: client.prepare<[string, number, string, string]>(
      `insert into ${getTableName(articleCredits)} (${articleCredits.articleId.name}, ${articleCredits.position.name}, ${articleCredits.contributorId.name}, ${articleCredits.role.name}) values (?, ?, ?, ?)`,
    ),
    topic: client.prepare<[string, number, string, number]>(
      `insert into ${getTableName(articleTopics)} (${articleTopics.articleId.name}, ${articleTopics.position.name}, ${articleTopics.topicId.name}, ${articleTopics.primary.name}) values (?, ?, ?, ?)`,
    ),
    media: client.prepare<[string, string]>(`insert into ${getTableName(articleMedia)} (${articleMedia.articleId.name}, ${articleMedia.mediaId.name}) values (?, ?)`),
  }
  const r = articleRevisions
  const e = webhookEvents
  const c = articleChanges
  const log = {
    revision: client.prepare<[string, number, string, string | null, string | null, string]>(
      `insert into ${getTableName(r)} (${r.articleId.name}, ${r.version.name}, ${r.createdAt.name}, ${r.actorKeyId.name}, ${r.message.name}, ${r.snapshot.name}) values (?, ?, ?, ?, ?, ?)`,
    ),
    event: client.prepare<[string, string, string, string]>(`insert into ${getTableName(e)} (${e.id.name}, ${e.type.name}, ${e.data.name}, ${e.createdAt.name}) values (?, ?, ?, ?)`),
    change: client.prepare<[string, string, string | null, number, string]>(
      `insert into ${getTableName(c)} (${c.articleId.name}, ${c.kind.name}, ${c.publicKind.name}, ${c.version.name}, ${c.at.name}) values (?, ?, ?, ?, ?)`,
    ),
  }

  function links(id: string): ArticleLinks {
    return { credits: statements.credits.all({ articleId: id }), topics: statements.topics.all({ articleId: id }) }
  }

  /** Stores a revision as it is (the archive import brings them whole). */
  function storeRevision(revision: RevisionRow): void {
    const { articleId: id, version, createdAt, actorKeyId, message, snapshot } = revision
    log.revision.run(id, version, createdAt, actorKeyId, message, JSON.stringify(snapshot))
  }

  /** Stores the revision of an article at its current version: a snapshot of its content, workflow state and links. */
  function revision(row: ArticleRow, meta: RevisionMeta): void {
    const snapshot = revisionSnapshot(row, links(row.id))
    storeRevision({ articleId: row.id, version: row.version, createdAt: meta.at, actorKeyId: meta.actorKeyId, message: meta.message, snapshot })
  }

  /** Appends an event to the webhook outbox, in the caller's transaction (the dispatcher sends it after the commit). */
  function event(type: WebhookEventType, data: WebhookEventData, at: string): void {
    log.event.run(uuidv7(), type, JSON.stringify(data), at)
  }

  /**
   * Appends a change to the feed (and its webhook events to the outbox) and keeps articles.public_visible in step:
   * what readers saw before and after decides the public kind (published,
   * updated, unpublished, deleted or none).
   */
  function change(before: ArticleRow | null, after: ArticleRow | null, at: string, kind: ChangeKind = changeKind(before, after)): void {
    const was = before?.publicVisible ?? false
    const is = after ? visibleAt(after, at) : false
    const subject = (after ?? before)!
    const publicKind = publicChangeKind(was, is, !after)
    log.change.run(subject.id, kind, publicKind, subject.version, at)
    for (const type of articleEvents(publicKind, before, after)) event(type, { id: subject.id, version: subject.version }, at)
    if (after && after.publicVisible !== is) db.update(articles).set({ publicVisible: is }).where(eq(articles.id, after.id)).run()
  }

  /** Writes an article's credits, topics and media in order, replacing any it had. */
  function relations(id: string, given: ArticleLinks & { mediaIds: string[] }, replace: boolean): void {
    if (replace) {
      statements.deleteCredits.run({ articleId: id })
      statements.deleteTopics.run({ articleId: id })
      statements.deleteMedia.run({ articleId: id })
    }
    given.credits.forEach((c, position) => link.credit.run(id, position, c.contributorId, c.role))
    given.topics.forEach((t, position) => link.topic.run(id, position, t.topicId, t.primary ? 1 : 0))
    for (const mediaId of new Set(given.mediaIds)) link.media.run(id, mediaId)
  }

  /**
   * Moves every section below `from` under `to` (from/x/y becomes to/x/y), in
   * the caller's transaction. Paths hold only [a-z0-9-/], so they need no LIKE escapes.
   */
  function moveSubtree(from: string, to: string, at: string): void {
    const moved = db
      .update(sections)
      .set({ path: sql`${to} || substr(${sections.path}, ${from.length + 1})`, version: sql`${sections.version} + 1`, updatedAt: at })
      .where(like(sections.path, `${from}/%`))
      .returning({ id: sections.id, version: sections.version })
      .all()
    // A subsection's path is part of it: each one moved is a new version (its ETag and Last-Modified change), and section.updated for a mirror.
    for (const s of moved) event('section.updated', s, at)
  }

  /**
   * Removes every reference to a topic, contributor, media item or section from
   * the articles that use it, each article moving to a new version with a
   * revision that says why, and renders them again. Returns their ids.
   */
  function detach(kind: EmbeddedKind, id: string, label: string, meta: RevisionMeta): string[] {
    let ids: string[]
    if (kind === 'section') {
      ids = db.select({ id: articles.id }).from(articles).where(eq(articles.sectionId, id)).all().map((r) => r.id)
    } else {
      const table = kind === 'topic' ? articleTopics : kind === 'contributor' ? articleCredits : articleMedia
      const column = kind === 'topic' ? articleTopics.topicId : kind === 'contributor' ? articleCredits.contributorId : articleMedia.mediaId
      ids = [...new Set(db.select({ articleId: table.articleId }).from(table).where(eq(column, id)).all().map((r) => r.articleId))]
      db.delete(table).where(eq(column, id)).run()
    }
    for (const articleKey of ids) {
      const row = db.select().from(articles).where(eq(articles.id, articleKey)).get()!
      const fields: Partial<ArticleRow> = { updatedAt: meta.at, version: row.version + 1 }
      if (kind === 'section') fields.sectionId = null
      if (kind === 'media') {
        fields.body = row.body.filter((b) => !((b.type === 'image' || b.type === 'video') && b.mediaId === id))
        if (row.leadMedia?.mediaId === id) fields.leadMedia = null
      }
      const updated = db.update(articles).set(fields).where(eq(articles.id, articleKey)).returning().all()[0]!
      revision(updated, { ...meta, message: `detached ${kind} '${label}', which was deleted` })
      change(row, updated, meta.at)
    }
    renderings.refresh(ids)
    return ids
  }

  return { links, revision, storeRevision, change, event, relations, moveSubtree, detach }
}

export type Writes = ReturnType<typeof createWrites>
