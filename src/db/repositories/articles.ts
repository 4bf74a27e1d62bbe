import { and, asc, desc, eq, gt, inArray, isNotNull, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../sqlite/client.js'
import { articleChanges, articleRenderings, articleRevisions, articleTopics, articles, contributors, media, sections, topics } from '../schema.js'
import { NotFoundError, PreconditionFailedError } from '../../errors.js'
import { MissingReferencesError } from '../errors.js'
import { rethrowUnique } from './util.js'
import { ftsJoin, matches, rebuildSearchIndex, relevance, snippet } from '../sqlite/search.js'
import { listParam, listValues } from '../sqlite/json.js'
import { explainQueryPlan } from '../sqlite/explain.js'
import {
  articleColumns,
  filterCondition,
  ordering,
  Params,
  renderingColumns,
  rethrowSearchError,
  visibleIn,
  type ArticleFilter,
  type ArticleSort,
  type PageAfter,
  type Visibility,
} from './articleQuery.js'

import type { ArticleAggregate, ArticleRow, ChangeRow, CreditRoleValue, ListedArticle, RenderingMeta, RevisionMeta, RevisionRow, StoredRendering } from '../rows.js'
import { loadAggregates, type Renderings } from './renderings.js'
import { nextSearchRowid, visibleAt, type Writes } from '../writes.js'

export type { ArticleFilter, ArticleSort, PageAfter, Visibility } from './articleQuery.js'

/**
 * What an article refers to, in order. A write checks that each exists, in
 * the order section, media, credits, topics, and throws MissingReferencesError
 * naming the ones that do not.
 */
export interface ArticleRelations {
  /** The id of the section named by the article's sectionId, checked like the other references. */
  sectionId: string | null
  credits: { contributorId: string; role: CreditRoleValue }[]
  topics: { topicId: string; primary: boolean }[]
  /** Lead media and media blocks, in order (an id may repeat). */
  mediaIds: string[]
}

/** What services set; the repository manages ids, versions, the search row and public visibility. */
export type ArticleFields = Omit<ArticleRow, 'id' | 'version' | 'createdAt' | 'searchRowid' | 'publicVisible'>

export interface ArticleChange {
  fields: Partial<ArticleFields>
  relations?: ArticleRelations
}

export interface ListQuery {
  visibility: Visibility
  filter: ArticleFilter
  sort: ArticleSort
  limit: number
  after: PageAfter | null
  /** A search ranks at most this many matches, the newest (by search row); more make the page partial. */
  candidates?: number
}

export interface ListedPage {
  items: ListedArticle[]
  /** The search matched more than `candidates` articles: only the newest of them were ranked. */
  partial: boolean
}

export interface ArticleRepository {
  /** Throws MissingReferencesError when a relation names nothing (so does update), ConflictError when the slug is taken. */
  create(id: string, fields: ArticleFields, relations: ArticleRelations, meta: RevisionMeta): Promise<ArticleAggregate>
  /** The article as stored, by id or slug, for a write to start from. */
  load(key: string): Promise<ArticleAggregate | null>
  /**
   * Writes the change if the article is still at `version` (a conditional
   * UPDATE ... WHERE version = ?), with its revision, change record and
   * rendering, in one transaction. Otherwise: PreconditionFailedError with
   * the current version, or NotFoundError when the article is gone. The caller computes the change from what
   * load() gave it; nothing calls back into it inside the transaction.
   */
  update(id: string, version: number, change: ArticleChange, meta: RevisionMeta): Promise<ArticleAggregate>
  remove(key: string, expectedVersion: number | null, at: string): Promise<void>
  find(idOrSlug: string, visibility: Visibility): Promise<ArticleAggregate | null>
  /** The stored rendering of the article's current version: one primary-key (or slug) lookup. */
  read(idOrSlug: string, visibility: Visibility): Promise<StoredRendering | null>
  /** The same without the body: enough to answer If-None-Match. */
  readMeta(idOrSlug: string, visibility: Visibility): Promise<RenderingMeta | null>
  /** What these articles embed, in the order given (for include=). */
  aggregates(ids: string[]): Promise<ArticleAggregate[]>
  /** Throws SearchQueryError for a search the engine cannot parse (so does count). */
  list(query: ListQuery): Promise<ListedPage>
  count(visibility: Visibility, filter: ArticleFilter): Promise<number>
  /** Rebuilds the full-text index from the articles table; returns how many articles it holds. */
  rebuildSearchIndex(): Promise<number>
  /** SQLite's plan for a list query (EXPLAIN QUERY PLAN details), to show it uses indexes. */
  explainList(query: ListQuery): Promise<string[]>
  /** Visible articles sharing topics with this one, most shared first, then newest. */
  related(articleId: string, visibility: Visibility, limit: number): Promise<ListedArticle[]>
  /** Changes after `since` in commit order; only those readers saw when `publicOnly`. */
  changes(since: number, limit: number, publicOnly: boolean): Promise<ChangeRow[]>
  findIdByContentHash(hash: string): Promise<string | null>
  /** Revisions of an article, newest first, before `beforeVersion` when given. */
  revisions(articleId: string, limit: number, beforeVersion: number | null): Promise<RevisionRow[]>
  revision(articleId: string, version: number): Promise<RevisionRow | null>
  /** Scheduled articles due at `now`, oldest first (a bounded batch); the service publishes each with update(), which re-checks its version. */
  dueScheduled(now: string, limit: number): Promise<ArticleRow[]>
  /** Records in the changes feed the embargoes that have passed (the article becomes visible without a write). */
  releaseEmbargoes(now: string): Promise<void>
}


/** Whether a filter has words to search for and nothing else. */
const searchOnly = (filter: ArticleFilter): boolean =>
  Object.entries(filter).every(([key, value]) => key === 'search' || value === undefined || (Array.isArray(value) && value.length === 0))

/** SQLite's BINARY order of two strings (their UTF-8 bytes), which JavaScript's < does not follow past U+FFFF. */
const compareBinary = (a: string, b: string): number => (a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b)))

/** Keeps at most `size` prepared statements, one per query shape, dropping the oldest. */
function statementCache<T>(size: number) {
  const cache = new Map<string, T>()
  return (shape: string, prepare: () => T): T => {
    let statement = cache.get(shape)
    if (statement === undefined) {
      statement = prepare()
      if (cache.size >= size) cache.delete(cache.keys().next().value!)
      cache.set(shape, statement)
    }
    return statement
  }
}

export function createArticleRepository(db: Db, renderings: Renderings, writes: Writes): ArticleRepository {
  function assertReferencesExist(relations: ArticleRelations): void {
    const missing: MissingReferencesError['missing'] = []
    const check = (kind: MissingReferencesError['missing'][number]['kind'], table: typeof media | typeof contributors | typeof topics | typeof sections, ids: string[]) => {
      if (ids.length === 0) return
      const found = new Set(db.select({ id: table.id }).from(table).where(inArray(table.id, [...new Set(ids)])).all().map((r) => r.id))
      for (const id of new Set(ids)) if (!found.has(id)) missing.push({ kind, id })
    }
    check('section', sections, relations.sectionId === null ? [] : [relations.sectionId])
    check('media', media, relations.mediaIds)
    check('contributor', contributors, relations.credits.map((c) => c.contributorId))
    check('topic', topics, relations.topics.map((t) => t.topicId))
    if (missing.length > 0) throw new MissingReferencesError(missing)
  }

  const byKey = (key: string): SQL => or(eq(articles.id, key), eq(articles.slug, key))!
  const nowOf = (v: Visibility) => (v.publicOnly ? v.now : null)
  const prepared = statementCache<{ all(values: Record<string, unknown>): unknown[]; get(values: Record<string, unknown>): unknown }>(256)

  const r = articleRenderings
  const listed = { articleId: r.articleId, slug: r.slug, version: r.version, etag: r.etag, updatedAt: r.updatedAt, surrogateKeys: r.surrogateKeys, relatedIds: r.relatedIds, json: r.json, listedAt: r.listedAt }

  /**
   * A page of the read model: filters and sort keys sit beside each rendering,
   * so no article row is read. A list of one topic in list order walks that
   * topic's articles newest (or oldest) first from article_topics_topic_listed
   * and stops at the page's end, whatever the size of the archive.
   */
  function listQuery({ visibility, filter, sort, after }: ListQuery, p: Params) {
    const [topic, ...others] = filter.topicsAny ?? []
    if (topic !== undefined && others.length === 0 && (sort === 'newest' || sort === 'oldest')) {
      const t = articleTopics
      const c = { ...renderingColumns, id: t.articleId, listedAt: t.listedAt }
      const key = p.bind('topic', topic)
      const rest = filterCondition({ ...filter, topicsAny: undefined }, c, p)
      const { orderBy, page } = ordering(sort, after, c, p)
      return db
        .select(listed)
        .from(t)
        .innerJoin(r, eq(r.articleId, t.articleId))
        .where(and(eq(t.topicId, sql`(select ${topics.id} from ${topics} where ${topics.id} = ${key} or ${topics.slug} = ${key})`), visibleIn(visibility, c, p), rest, page))
        .orderBy(...orderBy)
        .limit(sql.placeholder('limit'))
    }
    const c = renderingColumns
    const { orderBy, page } = ordering(sort, after, c, p)
    return db
      .select(listed)
      .from(r)
      .where(and(visibleIn(visibility, c, p), filterCondition(filter, c, p), page))
      .orderBy(...orderBy)
      .limit(sql.placeholder('limit'))
  }

  /**
   * A search picks ids and ranks only (narrow rows to sort, from the covering
   * index articles_search_cover); the renderings and snippets are loaded for
   * the page alone. The matches drive the join (CROSS JOIN keeps the full-text
   * table outer): walking a sort index and testing each article against the
   * words took 0.7 s for a rare word sorted by date. `above` bounds the work
   * for a word in most articles: only matches with a newer search row count.
   * Bound as a BigInt (an SQLite integer): FTS5 ignores a rowid bound given as
   * a real, which better-sqlite3 makes of every JavaScript number, and walked
   * all 90,000 matches of the common word at 100,000 articles to keep 10,000.
   */
  function searchQuery({ visibility, filter, sort, after }: ListQuery, p: Params, above?: number) {
    const c = articleColumns
    const { orderBy, page } = ordering(sort, after, c, p)
    return db
      .select({ id: articles.id, searchRowid: articles.searchRowid, listedAt: articles.listedAt, rank: relevance })
      .from(ftsJoin.table)
      .crossJoin(articles)
      .where(and(ftsJoin.on, above === undefined ? undefined : gt(ftsJoin.table.rowid, p.bind('above', BigInt(above))), visibleIn(visibility, c, p), filterCondition(filter, c, p), page))
      .orderBy(...orderBy)
      .limit(sql.placeholder('limit'))
  }

  /**
   * The best matches by relevance, ranked inside FTS5 with no join (bm25 is
   * most of a search's cost, and joining every match to articles for its
   * visibility and id before the sort doubled it): search rows and ranks,
   * ties by search row. With a cursor, only ranks from the cursor's on.
   */
  const rankedMatches = (after: boolean) => {
    const fts = ftsJoin.table
    return db
      .select({ rowid: fts.rowid, rank: relevance })
      .from(fts)
      .where(and(matches(sql.placeholder('search')), gt(fts.rowid, sql.placeholder('above')), after ? sql`${relevance} >= ${sql.placeholder('key')}` : undefined))
      .orderBy(asc(relevance), asc(fts.rowid))
      .limit(sql.placeholder('k'))
      .prepare()
  }
  const ranked = { first: rankedMatches(false), after: rankedMatches(true) }

  /**
   * A search with no filter but its words, by relevance: the best `limit`
   * visible matches out of FTS5's best few (rankedMatches), or null when those
   * few cannot say for sure (too many hidden, or a tie at their edge) and the
   * full query must decide. Same page, same order (rank, then id) as searchQuery.
   */
  function rankedPage({ visibility, filter, after, limit }: ListQuery, above: number | undefined): { id: string; searchRowid: number; listedAt: string; rank: number }[] | null {
    const k = limit * 2 + 20
    const values = { search: filter.search, above: BigInt(above ?? Number.MIN_SAFE_INTEGER), k }
    const candidates = (after ? ranked.after.all({ ...values, key: after.key }) : ranked.first.all(values)) as { rowid: number; rank: number }[]
    if (candidates.length === 0) return []
    const p = new Params()
    const rowids = p.bind('rowids', listParam(candidates.map((c) => c.rowid)))
    const build = db
      .select({ id: articles.id, searchRowid: articles.searchRowid, listedAt: articles.listedAt })
      .from(articles)
      .where(and(inArray(articles.searchRowid, listValues(rowids)), visibleIn(visibility, articleColumns, p)))
    const shown = new Map((prepared(p.shape('search:visible'), () => build.prepare()).all(p.values) as { id: string; searchRowid: number; listedAt: string }[]).map((a) => [a.searchRowid, a]))
    // Every match FTS5 left out ranks at or below the last candidate: only ranks above it are certain.
    const edge = candidates.length < k ? Infinity : candidates[candidates.length - 1]!.rank
    const hits = candidates.flatMap(({ rowid, rank }) => {
      const a = shown.get(rowid)
      if (!a || rank >= edge) return []
      if (after && rank === after.key && compareBinary(a.id, after.id) <= 0) return []
      return [{ ...a, rank }]
    })
    if (hits.length < limit && edge !== Infinity) return null
    return hits.sort((x, y) => x.rank - y.rank || compareBinary(x.id, y.id)).slice(0, limit)
  }

  function fullSearch(query: ListQuery, p: Params, above: number | undefined) {
    const build = searchQuery(query, p, above)
    return prepared(p.shape(`search:${query.sort}`), () => build.prepare()).all({ ...p.values, limit: query.limit }) as { id: string; searchRowid: number; listedAt: string; rank: number }[]
  }

  /** The search row of the (skip+1)-th newest match, if there are that many: walks the match list only, no ranking. */
  const nthNewestMatch = db
    .select({ rowid: ftsJoin.table.rowid })
    .from(ftsJoin.table)
    .where(matches(sql.placeholder('search')))
    .orderBy(desc(ftsJoin.table.rowid))
    .limit(1)
    .offset(sql.placeholder('skip'))
    .prepare()

  const snippets = db
    .select({ rowid: ftsJoin.table.rowid, snippet })
    .from(ftsJoin.table)
    .where(and(matches(sql.placeholder('search')), inArray(ftsJoin.table.rowid, listValues(sql.placeholder('rowids')))))
    .prepare()

  function loadOne(id: string): ArticleAggregate {
    const row = db.select().from(articles).where(eq(articles.id, id)).get()
    if (!row) throw new NotFoundError('article', id)
    return loadAggregates(db, [row])[0]!
  }

  /** Loads the article as written and stores its rendering, in the write's transaction. */
  function rendered(id: string): ArticleAggregate {
    const agg = loadOne(id)
    renderings.store([agg])
    return agg
  }

  function current(key: string, expectedVersion: number | null): ArticleRow {
    const row = db.select().from(articles).where(byKey(key)).get()
    if (!row) throw new NotFoundError('article', key)
    if (expectedVersion !== null && row.version !== expectedVersion) throw new PreconditionFailedError(row.version)
    return row
  }

  return {
    async create(id, fields, relations, meta) {
      try {
        return db.transaction(
          () => {
            assertReferencesExist(relations)
            const row = db
              .insert(articles)
              .values({
                ...fields,
                id,
                version: 1,
                createdAt: meta.at,
                searchRowid: nextSearchRowid,
                publicVisible: false,
              })
              .returning()
              .all()[0]!
            writes.relations(id, relations, false)
            writes.revision(row, meta)
            writes.change(null, row, meta.at)
            return rendered(id)
          },
          { behavior: 'immediate' },
        )
      } catch (err) {
        return rethrowUnique(err, 'slug', fields.slug)
      }
    },

    async load(key) {
      const row = db.select().from(articles).where(byKey(key)).get()
      return row ? loadAggregates(db, [row])[0]! : null
    },

    async update(id, version, { fields, relations }, meta) {
      try {
        return db.transaction(
          () => {
            const row = current(id, version)
            if (relations) assertReferencesExist(relations)
            const updated = db
              .update(articles)
              .set({ ...fields, version: row.version + 1 })
              .where(and(eq(articles.id, row.id), eq(articles.version, row.version)))
              .returning()
              .all()[0]!
            if (relations) writes.relations(row.id, relations, true)
            writes.revision(updated, meta)
            writes.change(row, updated, meta.at)
            return rendered(row.id)
          },
          { behavior: 'immediate' },
        )
      } catch (err) {
        return rethrowUnique(err, 'slug', fields.slug ?? '')
      }
    },

    async remove(key, expectedVersion, at) {
      db.transaction(
        () => {
          const row = current(key, expectedVersion)
          db.delete(articles).where(eq(articles.id, row.id)).run()
          writes.change(row, null, at)
        },
        { behavior: 'immediate' },
      )
    },

    async find(idOrSlug, visibility) {
      const found = renderings.findMeta(idOrSlug, nowOf(visibility))
      return found ? loadOne(found.articleId) : null
    },

    async read(idOrSlug, visibility) {
      return renderings.find(idOrSlug, nowOf(visibility))
    },

    async readMeta(idOrSlug, visibility) {
      return renderings.findMeta(idOrSlug, nowOf(visibility))
    },

    async aggregates(ids) {
      const rows = new Map(db.select().from(articles).where(inArray(articles.id, ids)).all().map((r) => [r.id, r]))
      return loadAggregates(db, ids.flatMap((id) => rows.get(id) ?? []))
    },

    async list(query) {
      try {
        const p = new Params()
        const search = query.filter.search
        if (!search) {
          const build = listQuery(query, p)
          return { items: prepared(p.shape(`list:${query.sort}`), () => build.prepare()).all({ ...p.values, limit: query.limit }) as ListedArticle[], partial: false }
        }
        const beyond = query.candidates === undefined ? undefined : nthNewestMatch.get({ search, skip: query.candidates })?.rowid
        const fast = query.sort === 'relevance' && searchOnly(query.filter) ? rankedPage(query, beyond) : null
        const hits = fast ?? fullSearch(query, p, beyond)
        const partial = beyond !== undefined
        if (hits.length === 0) return { items: [], partial }
        const marks = new Map(snippets.all({ search: query.filter.search, rowids: listParam(hits.map((h) => h.searchRowid)) }).map((r) => [r.rowid, r.snippet]))
        const byId = new Map(renderings.many(hits.map((h) => h.id)).map((r) => [r.articleId, r]))
        const items = hits.flatMap((h) => {
          const found = byId.get(h.id)
          return found ? [{ ...found, listedAt: h.listedAt, rank: h.rank, snippet: marks.get(h.searchRowid) ?? '' }] : []
        })
        return { items, partial }
      } catch (err) {
        return rethrowSearchError(err)
      }
    },

    async rebuildSearchIndex() {
      return db.transaction(() => rebuildSearchIndex(db), { behavior: 'immediate' })
    },

    async explainList(query) {
      const p = new Params()
      const built = query.filter.search ? searchQuery(query, p) : listQuery(query, p)
      return explainQueryPlan(db, built, { ...p.values, limit: query.limit })
    },

    async count(visibility, filter) {
      try {
        const p = new Params()
        if (filter.search) {
          const where = and(visibleIn(visibility, articleColumns, p), filterCondition(filter, articleColumns, p))
          const build = db.select({ n: sql<number>`count(*)` }).from(ftsJoin.table).crossJoin(articles).where(and(ftsJoin.on, where))
          return (prepared(p.shape('count:search'), () => build.prepare()).get(p.values) as { n: number }).n
        }
        const where = and(visibleIn(visibility, renderingColumns, p), filterCondition(filter, renderingColumns, p))
        const build = db.select({ n: sql<number>`count(*)` }).from(articleRenderings).where(where)
        return (prepared(p.shape('count'), () => build.prepare()).get(p.values) as { n: number }).n
      } catch (err) {
        return rethrowSearchError(err)
      }
    },

    async related(articleId, visibility, limit) {
      const p = new Params()
      const mine = db.select({ topicId: articleTopics.topicId }).from(articleTopics).where(eq(articleTopics.articleId, p.bind('article', articleId)))
      const shared = sql<number>`count(*)`
      const build = db
        .select(listed)
        .from(articleTopics)
        .innerJoin(r, eq(r.articleId, articleTopics.articleId))
        .where(and(inArray(articleTopics.topicId, mine), ne(articleTopics.articleId, p.bind('article', articleId)), visibleIn(visibility, renderingColumns, p)))
        .groupBy(r.articleId)
        .orderBy(desc(shared), desc(r.listedAt), desc(r.articleId))
        .limit(sql.placeholder('limit'))
      return prepared(p.shape('related'), () => build.prepare()).all({ ...p.values, limit }) as ListedArticle[]
    },

    async changes(since, limit, publicOnly) {
      return db
        .select()
        .from(articleChanges)
        .where(and(gt(articleChanges.seq, since), publicOnly ? isNotNull(articleChanges.publicKind) : undefined))
        .orderBy(asc(articleChanges.seq))
        .limit(limit)
        .all()
    },

    async dueScheduled(now, limit) {
      return db
        .select()
        .from(articles)
        .where(and(eq(articles.status, 'scheduled'), lte(articles.scheduledAt, now)))
        .orderBy(asc(articles.scheduledAt), asc(articles.id))
        .limit(limit)
        .all()
    },

    async releaseEmbargoes(now) {
      const released = db
        .select()
        .from(articles)
        .where(and(eq(articles.publicVisible, false), eq(articles.status, 'published'), lte(articles.embargoUntil, now)))
        .limit(100)
        .all()
      for (const row of released) {
        db.transaction(
          () => {
            const fresh = db.select().from(articles).where(and(eq(articles.id, row.id), eq(articles.publicVisible, false))).get()
            if (fresh && visibleAt(fresh, now)) writes.change(fresh, fresh, now, 'published')
          },
          { behavior: 'immediate' },
        )
      }
    },

    async revisions(articleId, limit, beforeVersion) {
      return db
        .select()
        .from(articleRevisions)
        .where(and(eq(articleRevisions.articleId, articleId), beforeVersion === null ? undefined : lt(articleRevisions.version, beforeVersion)))
        .orderBy(desc(articleRevisions.version))
        .limit(limit)
        .all() as RevisionRow[]
    },

    async revision(articleId, version) {
      return (
        (db
          .select()
          .from(articleRevisions)
          .where(and(eq(articleRevisions.articleId, articleId), eq(articleRevisions.version, version)))
          .get() as RevisionRow | undefined) ?? null
      )
    },

    async findIdByContentHash(hash) {
      return db.select({ id: articles.id }).from(articles).where(eq(articles.contentHash, hash)).get()?.id ?? null
    },
  }
}
