import { and, eq, inArray, isNull, like, lte, ne, or, sql } from 'drizzle-orm'
import type { PgDb } from './client.js'
import { articleCredits, articleMedia, articleRenderings, articleTopics, articles, contributors, media, sections, topics } from './schema.js'
import type { ArticleAggregate, ArticleRenderer, ArticleRow, RenderingMeta, StoredRendering } from '../rows.js'
import type { EmbeddedKind } from '../repositories/renderings.js'
import { articleRowColumns } from './columns.js'

/**
 * The read model on PostgreSQL (see src/db/repositories/renderings.ts, the
 * SQLite side, for what it is): every write stores the renderings it changes
 * in its own transaction (`tx`); a read is one primary-key (or slug) lookup by
 * a prepared statement. `tx` is the caller's transaction; reads use the pool.
 */

/** bytea comes back as a Buffer from node-postgres, as a Uint8Array from PGlite: the mappers want a Buffer. */
export const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))

/** A list of text values as one parameter (a text[]), so that a statement prepared once serves lists of any length. */
export const anyOf = (param: unknown) => sql`any(${param}::text[])`

/** Loads what many articles embed with a fixed number of statements, whatever their number and size. */
export async function loadAggregates(db: PgDb, rows: ArticleRow[]): Promise<ArticleAggregate[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const sectionIds = [...new Set(rows.map((r) => r.sectionId).filter((id): id is string => id !== null))]
  const [creditRows, topicRows, mediaRows, sectionRows] = await Promise.all([
    db
      .select({ articleId: articleCredits.articleId, role: articleCredits.role, contributor: contributors })
      .from(articleCredits)
      .innerJoin(contributors, eq(contributors.id, articleCredits.contributorId))
      .where(inArray(articleCredits.articleId, ids))
      .orderBy(articleCredits.articleId, articleCredits.position),
    db
      .select({ articleId: articleTopics.articleId, primary: articleTopics.primary, topic: topics })
      .from(articleTopics)
      .innerJoin(topics, eq(topics.id, articleTopics.topicId))
      .where(inArray(articleTopics.articleId, ids))
      .orderBy(articleTopics.articleId, articleTopics.position),
    db.select({ articleId: articleMedia.articleId, media }).from(articleMedia).innerJoin(media, eq(media.id, articleMedia.mediaId)).where(inArray(articleMedia.articleId, ids)),
    sectionIds.length > 0 ? db.select().from(sections).where(inArray(sections.id, sectionIds)) : Promise.resolve([]),
  ])
  const group = <T extends { articleId: string }>(list: T[]) => {
    const by = new Map<string, T[]>()
    for (const item of list) {
      const items = by.get(item.articleId)
      if (items) items.push(item)
      else by.set(item.articleId, [item])
    }
    return (id: string) => by.get(id) ?? []
  }
  const [creditsOf, topicsOf, mediaOf] = [group(creditRows), group(topicRows), group(mediaRows)]
  return rows.map((article) => ({
    article,
    section: sectionRows.find((s) => s.id === article.sectionId) ?? null,
    credits: creditsOf(article.id).map(({ role, contributor }) => ({ role, contributor })),
    topics: topicsOf(article.id).map(({ primary, topic }) => ({ primary, topic })),
    media: new Map(mediaOf(article.id).map((m) => [m.media.id, m.media])),
  }))
}

const BATCH = 500

const withBuffer = <T extends { json: Uint8Array }>(row: T): T => ({ ...row, json: asBuffer(row.json) })

export function createPgRenderings(db: PgDb, render: ArticleRenderer) {
  const r = articleRenderings
  const key = sql.placeholder('key')
  const now = sql.placeholder('now')
  const byKey = or(eq(r.articleId, key), eq(r.slug, key))!
  const publicAt = and(eq(r.status, 'published'), or(isNull(r.embargoUntil), lte(r.embargoUntil, now)))
  const metaColumns = { articleId: r.articleId, slug: r.slug, version: r.version, etag: r.etag, updatedAt: r.updatedAt, surrogateKeys: r.surrogateKeys, relatedIds: r.relatedIds }
  const fullColumns = { ...metaColumns, json: r.json }

  // Prepared once, by name (each connection of the pool prepares a name the first time it runs it).
  const reads = {
    full: db.select(fullColumns).from(r).where(byKey).limit(1).prepare('renderings_full'),
    fullPublic: db.select(fullColumns).from(r).where(and(byKey, publicAt)).limit(1).prepare('renderings_full_public'),
    meta: db.select(metaColumns).from(r).where(byKey).limit(1).prepare('renderings_meta'),
    metaPublic: db.select(metaColumns).from(r).where(and(byKey, publicAt)).limit(1).prepare('renderings_meta_public'),
    many: db.select(fullColumns).from(r).where(sql`${r.articleId} = ${anyOf(sql.placeholder('ids'))}`).prepare('renderings_many'),
  }
  const excluded = (name: string) => sql.raw(`excluded.${name}`)
  const updateSet = Object.fromEntries(
    Object.entries({
      slug: 'slug', status: 'status', embargoUntil: 'embargo_until', type: 'type', language: 'language', sectionId: 'section_id',
      listedAt: 'listed_at', updatedAt: 'updated_at', publishedAt: 'published_at', version: 'version', etag: 'etag',
      surrogateKeys: 'surrogate_keys', relatedIds: 'related_ids', json: 'json',
    }).map(([field, column]) => [field, excluded(column)]),
  )

  /** Stores the renderings of these articles (inside the caller's write transaction). */
  async function store(tx: PgDb, aggs: ArticleAggregate[]): Promise<void> {
    for (const agg of aggs) {
      const a = agg.article
      const { json, etag, surrogateKeys, relatedIds } = render(agg)
      await tx
        .insert(r)
        .values({
          articleId: a.id, slug: a.slug, status: a.status, embargoUntil: a.embargoUntil, type: a.type, language: a.language, sectionId: a.sectionId,
          listedAt: a.listedAt, updatedAt: a.updatedAt, publishedAt: a.publishedAt, version: a.version, etag, surrogateKeys, relatedIds, json,
        })
        .onConflictDoUpdate({ target: r.articleId, set: updateSet })
      await tx
        .update(articleTopics)
        .set({ listedAt: a.listedAt })
        .where(and(eq(articleTopics.articleId, a.id), sql`${articleTopics.listedAt} is distinct from ${a.listedAt}`))
      await tx
        .update(articleCredits)
        .set({ listedAt: a.listedAt })
        .where(and(eq(articleCredits.articleId, a.id), sql`${articleCredits.listedAt} is distinct from ${a.listedAt}`))
    }
  }

  /** Renders these articles again from their rows (inside the caller's write transaction). */
  async function refresh(tx: PgDb, ids: Iterable<string>): Promise<number> {
    const all = [...new Set(ids)]
    for (let i = 0; i < all.length; i += BATCH) {
      const rows = await tx.select(articleRowColumns).from(articles).where(inArray(articles.id, all.slice(i, i + BATCH)))
      await store(tx, await loadAggregates(tx, rows))
    }
    return all.length
  }

  /** The articles whose renderings embed this resource (for a section: it or any section below it). */
  async function usersOf(tx: PgDb, kind: EmbeddedKind, id: string): Promise<string[]> {
    if (kind === 'section') {
      const [found] = await tx.select({ path: sections.path }).from(sections).where(eq(sections.id, id))
      if (found === undefined) return []
      const below = tx.select({ id: sections.id }).from(sections).where(or(eq(sections.id, id), like(sections.path, `${found.path}/%`)))
      return (await tx.select({ id: articles.id }).from(articles).where(inArray(articles.sectionId, below))).map((a) => a.id)
    }
    const table = kind === 'topic' ? articleTopics : kind === 'contributor' ? articleCredits : articleMedia
    const column = kind === 'topic' ? articleTopics.topicId : kind === 'contributor' ? articleCredits.contributorId : articleMedia.mediaId
    return (await tx.selectDistinct({ id: table.articleId }).from(table).where(eq(column, id))).map((u) => u.id)
  }

  return {
    store,
    refresh,
    /** Renders again every article that embeds this resource, after it changed (in the caller's transaction). */
    async refreshUsersOf(tx: PgDb, kind: EmbeddedKind, id: string): Promise<number> {
      return refresh(tx, await usersOf(tx, kind, id))
    },
    /** Renders every article whose rendering is missing or older than its row (a database copied in without them). */
    async refreshStale(): Promise<number> {
      let done = 0
      for (;;) {
        const stale = await db
          .select({ id: articles.id })
          .from(articles)
          .leftJoin(r, eq(r.articleId, articles.id))
          .where(or(isNull(r.articleId), ne(r.version, articles.version)))
          .limit(BATCH)
        if (stale.length === 0) return done
        await db.transaction((tx) => refresh(tx, stale.map((s) => s.id)))
        done += stale.length
      }
    },
    async find(articleKey: string, at: string | null): Promise<StoredRendering | null> {
      const [row] = at === null ? await reads.full.execute({ key: articleKey }) : await reads.fullPublic.execute({ key: articleKey, now: at })
      return row ? withBuffer(row) : null
    },
    async findMeta(articleKey: string, at: string | null): Promise<RenderingMeta | null> {
      const [row] = at === null ? await reads.meta.execute({ key: articleKey }) : await reads.metaPublic.execute({ key: articleKey, now: at })
      return row ?? null
    },
    /** Renderings of these articles, in the order of `ids`. */
    async many(ids: string[]): Promise<StoredRendering[]> {
      if (ids.length === 0) return []
      const found = new Map((await reads.many.execute({ ids })).map((row) => [row.articleId, withBuffer(row)]))
      return ids.map((id) => found.get(id)).filter((x): x is StoredRendering => x !== undefined)
    },
  }
}

export type PgRenderings = ReturnType<typeof createPgRenderings>
