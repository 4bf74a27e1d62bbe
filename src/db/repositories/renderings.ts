import { and, eq, getTableName, inArray, isNull, like, lte, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../sqlite/client.js'
import { explainQueryPlan } from '../sqlite/explain.js'
import { articleCredits, articleMedia, articleRenderings, articleTopics, articles, contributors, media, sections, topics } from '../schema.js'
import { listParam, listValues } from '../sqlite/json.js'
import type { ArticleAggregate, ArticleRenderer, ArticleRow, RenderingMeta, StoredRendering } from '../rows.js'

/** Loads what many articles embed with a fixed number of statements, whatever their number and size. */
export function loadAggregates(db: Db, rows: ArticleRow[]): ArticleAggregate[] {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const creditRows = db
    .select({ articleId: articleCredits.articleId, role: articleCredits.role, contributor: contributors })
    .from(articleCredits)
    .innerJoin(contributors, eq(contributors.id, articleCredits.contributorId))
    .where(inArray(articleCredits.articleId, ids))
    .orderBy(articleCredits.articleId, articleCredits.position)
    .all()
  const topicRows = db
    .select({ articleId: articleTopics.articleId, primary: articleTopics.primary, topic: topics })
    .from(articleTopics)
    .innerJoin(topics, eq(topics.id, articleTopics.topicId))
    .where(inArray(articleTopics.articleId, ids))
    .orderBy(articleTopics.articleId, articleTopics.position)
    .all()
  const mediaRows = db
    .select({ articleId: articleMedia.articleId, media })
    .from(articleMedia)
    .innerJoin(media, eq(media.id, articleMedia.mediaId))
    .where(inArray(articleMedia.articleId, ids))
    .all()
  const sectionIds = [...new Set(rows.map((r) => r.sectionId).filter((id): id is string => id !== null))]
  const sectionRows = sectionIds.length > 0 ? db.select().from(sections).where(inArray(sections.id, sectionIds)).all() : []
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

/** What an article rendering embeds, by the kind of resource it comes from. */
export type EmbeddedKind = 'topic' | 'contributor' | 'media' | 'section'

/**
 * Readers see an article that is published and whose embargo (if any) has
 * passed at `now`. For a lookup by id or slug: `+status` keeps SQLite from
 * walking the status index (every published article) instead of the key's.
 */
const publicByKey = (now: ReturnType<typeof sql.placeholder>) =>
  and(sql`+${articleRenderings.status} = 'published'`, or(isNull(articleRenderings.embargoUntil), lte(articleRenderings.embargoUntil, now as unknown as SQL)))!

const BATCH = 500

/**
 * The read model (see `article_renderings` in schema.ts): every write that
 * changes an article, or anything an article embeds, calls `refresh` in its
 * own transaction, so a reader in any process sees the new rendering as soon
 * as the write commits, and never a rendering older than the row.
 */
export function createRenderings(db: Db, render: ArticleRenderer) {
  const r = articleRenderings
  const key = sql.placeholder('key')
  const now = sql.placeholder('now')
  const byKey = or(eq(r.articleId, key), eq(r.slug, key))!
  const metaColumns = { articleId: r.articleId, slug: r.slug, version: r.version, etag: r.etag, updatedAt: r.updatedAt, surrogateKeys: r.surrogateKeys, relatedIds: r.relatedIds }
  const fullColumns = { ...metaColumns, json: r.json }

  // Prepared once for the life of the connection: a read builds and compiles nothing.
  const reads = {
    full: db.select(fullColumns).from(r).where(byKey).prepare(),
    fullPublic: db.select(fullColumns).from(r).where(and(byKey, publicByKey(now))).prepare(),
    meta: db.select(metaColumns).from(r).where(byKey).prepare(),
    metaPublic: db.select(metaColumns).from(r).where(and(byKey, publicByKey(now))).prepare(),
    many: db
      .select(fullColumns)
      .from(r)
      .where(inArray(r.articleId, listValues(sql.placeholder('ids'))))
      .prepare(),
  }
  /** Articles whose rendering is missing or older than the row: read from the indexes alone (articles_id_version). */
  const staleQuery = () =>
    db
      .select({ id: articles.id })
      .from(articles)
      .leftJoin(r, eq(r.articleId, articles.id))
      .where(or(isNull(r.articleId), ne(r.version, articles.version)))
      .limit(BATCH)
  const excluded = (name: string) => sql.raw(`excluded.${name}`)
  const upsert = db
    .insert(r)
    .values({
      articleId: sql.placeholder('articleId'),
      slug: sql.placeholder('slug'),
      status: sql.placeholder('status'),
      embargoUntil: sql.placeholder('embargoUntil'),
      type: sql.placeholder('type'),
      language: sql.placeholder('language'),
      sectionId: sql.placeholder('sectionId'),
      listedAt: sql.placeholder('listedAt'),
      updatedAt: sql.placeholder('updatedAt'),
      publishedAt: sql.placeholder('publishedAt'),
      version: sql.placeholder('version'),
      etag: sql.placeholder('etag'),
      surrogateKeys: sql.placeholder('surrogateKeys'),
      relatedIds: sql.placeholder('relatedIds'),
      json: sql.placeholder('json'),
    })
    .onConflictDoUpdate({
      target: r.articleId,
      set: Object.fromEntries(
        Object.entries({
          slug: 'slug', status: 'status', embargoUntil: 'embargo_until', type: 'type', language: 'language', sectionId: 'section_id',
          listedAt: 'listed_at', updatedAt: 'updated_at', publishedAt: 'published_at', version: 'version', etag: 'etag',
          surrogateKeys: 'surrogate_keys', relatedIds: 'related_ids', json: 'json',
        }).map(([field, column]) => [field, excluded(column)]),
      ),
    })
    .prepare()

  // Plain statements with positional values (run for every article written): drizzle's placeholder filling costs more than them.
  const order = (table: typeof articleTopics | typeof articleCredits) =>
    db.$client.prepare<[string, string, string]>(
      `update ${getTableName(table)} set ${table.listedAt.name} = ? where ${table.articleId.name} = ? and ${table.listedAt.name} is not ?`,
    )
  const topicOrder = order(articleTopics)
  const creditOrder = order(articleCredits)

  function store(aggs: ArticleAggregate[]): void {
    for (const agg of aggs) {
      const a = agg.article
      const { json, etag, surrogateKeys, relatedIds } = render(agg)
      upsert.run({
        articleId: a.id, slug: a.slug, status: a.status, embargoUntil: a.embargoUntil, type: a.type, language: a.language, sectionId: a.sectionId,
        listedAt: a.listedAt, updatedAt: a.updatedAt, publishedAt: a.publishedAt, version: a.version, etag, surrogateKeys, relatedIds, json,
      })
      topicOrder.run(a.listedAt, a.id, a.listedAt)
      creditOrder.run(a.listedAt, a.id, a.listedAt)
    }
  }

  /** Renders these articles again from their rows (inside the caller's write transaction). */
  function refresh(ids: Iterable<string>): number {
    const all = [...new Set(ids)]
    for (let i = 0; i < all.length; i += BATCH) {
      const rows = db.select().from(articles).where(inArray(articles.id, all.slice(i, i + BATCH))).all()
      store(loadAggregates(db, rows))
    }
    return all.length
  }

  /** The articles whose renderings embed this resource (for a section: it or any section below it). */
  function usersOf(kind: EmbeddedKind, id: string): string[] {
    if (kind === 'section') {
      const path = db.select({ path: sections.path }).from(sections).where(eq(sections.id, id)).get()?.path
      if (path === undefined) return []
      const below = db.select({ id: sections.id }).from(sections).where(or(eq(sections.id, id), like(sections.path, `${path}/%`)))
      return db.select({ id: articles.id }).from(articles).where(inArray(articles.sectionId, below)).all().map((a) => a.id)
    }
    const table = kind === 'topic' ? articleTopics : kind === 'contributor' ? articleCredits : articleMedia
    const column = kind === 'topic' ? articleTopics.topicId : kind === 'contributor' ? articleCredits.contributorId : articleMedia.mediaId
    return db.selectDistinct({ id: table.articleId }).from(table).where(eq(column, id)).all().map((u) => u.id)
  }

  return {
    store,
    refresh,
    /** Renders again every article that embeds this resource, after it changed. */
    refreshUsersOf(kind: EmbeddedKind, id: string): number {
      return refresh(usersOf(kind, id))
    },
    /** Renders every article whose rendering is missing or older than its row (a database from before renderings). */
    refreshStale(): number {
      let done = 0
      for (;;) {
        const stale = staleQuery().all()
        if (stale.length === 0) return done
        db.transaction(() => refresh(stale.map((s) => s.id)), { behavior: 'immediate' })
        done += stale.length
      }
    },
    /** SQLite's plan for the stale check (tests pin it). */
    explainStale(): string[] {
      return explainQueryPlan(db, staleQuery(), {})
    },
    find(articleKey: string, publicAt: string | null): StoredRendering | null {
      return (publicAt === null ? reads.full.get({ key: articleKey }) : reads.fullPublic.get({ key: articleKey, now: publicAt })) ?? null
    },
    findMeta(articleKey: string, publicAt: string | null): RenderingMeta | null {
      return (publicAt === null ? reads.meta.get({ key: articleKey }) : reads.metaPublic.get({ key: articleKey, now: publicAt })) ?? null
    },
    /** Renderings of these articles, in the order of `ids`. */
    many(ids: string[]): StoredRendering[] {
      if (ids.length === 0) return []
      const found = new Map(reads.many.all({ ids: listParam(ids) }).map((row) => [row.articleId, row]))
      return ids.map((id) => found.get(id)).filter((x): x is StoredRendering => x !== undefined)
    },
  }
}

export type Renderings = ReturnType<typeof createRenderings>
