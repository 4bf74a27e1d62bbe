import { and, asc, desc, eq, gt, inArray, isNotNull, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm'
import type { PgDb } from '../client.js'
import { articleChanges, articleRenderings, articleRevisions, articleTopics, articles, contributors, media, sections, topics } from '../schema.js'
import { NotFoundError, PreconditionFailedError } from '../../../errors.js'
import { MissingReferencesError } from '../../errors.js'
import { rethrowUnique } from '../../repositories/util.js'
import type { ArticleRelations, ArticleRepository, ListQuery } from '../../repositories/articles.js'
import type { ArticleAggregate, ArticleRow, ChangeRow, ListedArticle } from '../../rows.js'
import { visibleAt } from '../../writes.js'
import { articleRowColumns } from '../columns.js'
import { anyOf, loadAggregates, type PgRenderings } from '../renderings.js'
import { nextSearchRowid, orderedRevision, takeSearchRowTurn, writeTransaction, type PgWrites } from '../writes.js'
import { articleColumns, filterCondition, ordering, Params, renderingColumns, rethrowSearchError, visibleIn } from '../articleQuery.js'
import { matches, relevance, snippet, toTsquery, tsquery } from '../search.js'

/** A prepared statement that runs with values (drizzle's PgPreparedQuery). */
interface Runnable {
  execute(values: Record<string, unknown>): Promise<unknown>
}

/** Keeps at most `size` prepared statements, one per query shape (named by it), dropping the oldest. */
function statementCache(size: number) {
  const cache = new Map<string, Runnable>()
  return (name: string, prepare: (name: string) => Runnable): Runnable => {
    let statement = cache.get(name)
    if (statement === undefined) {
      statement = prepare(name)
      if (cache.size >= size) cache.delete(cache.keys().next().value!)
      cache.set(name, statement)
    }
    return statement
  }
}

const withBuffer = <T extends { json: Uint8Array }>(row: T): T => ({ ...row, json: Buffer.isBuffer(row.json) ? row.json : Buffer.from(row.json.buffer, row.json.byteOffset, row.json.byteLength) })

/**
 * The articles repository on PostgreSQL (the interface and its contract are
 * src/db/repositories/articles.ts'). Each write is one transaction; a
 * conditional write locks the row (FOR UPDATE) and updates it `where version
 * = expected`.
 */
export function createPgArticleRepository(db: PgDb, renderings: PgRenderings, writes: PgWrites): ArticleRepository {
  async function assertReferencesExist(tx: PgDb, relations: ArticleRelations): Promise<void> {
    const missing: MissingReferencesError['missing'] = []
    const check = async (kind: MissingReferencesError['missing'][number]['kind'], table: typeof media | typeof contributors | typeof topics | typeof sections, ids: string[]) => {
      if (ids.length === 0) return
      const unique = [...new Set(ids)]
      // FOR KEY SHARE: a delete of what the article refers to waits for this write (and then fails on the foreign key, or detaches it).
      const found = new Set((await tx.select({ id: table.id }).from(table).where(inArray(table.id, unique)).for('key share')).map((r) => r.id))
      for (const id of unique) if (!found.has(id)) missing.push({ kind, id })
    }
    await check('section', sections, relations.sectionId === null ? [] : [relations.sectionId])
    await check('media', media, relations.mediaIds)
    await check('contributor', contributors, relations.credits.map((c) => c.contributorId))
    await check('topic', topics, relations.topics.map((t) => t.topicId))
    if (missing.length > 0) throw new MissingReferencesError(missing)
  }

  const byKey = (key: string): SQL => or(eq(articles.id, key), eq(articles.slug, key))!
  const nowOf = (v: { publicOnly: boolean; now: string }) => (v.publicOnly ? v.now : null)
  const prepared = statementCache(256)

  const r = articleRenderings
  const listed = { articleId: r.articleId, slug: r.slug, version: r.version, etag: r.etag, updatedAt: r.updatedAt, surrogateKeys: r.surrogateKeys, relatedIds: r.relatedIds, json: r.json, listedAt: r.listedAt }

  /** A page of the read model (see the SQLite repository); a list of one topic walks article_topics_topic_listed. */
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
        .where(and(eq(t.topicId, sql`(select ${topics.id} from ${topics} where ${topics.id} = ${key} or ${topics.slug} = ${key} limit 1)`), visibleIn(visibility, c, p), rest, page))
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
   * A search picks ids and ranks from the articles table (its generated
   * tsvector, GIN-indexed); renderings and snippets are loaded for the page
   * alone. `above` bounds the work for a word in most articles, as on SQLite:
   * only matches with a newer search row count.
   */
  function searchQuery({ visibility, filter, sort, after }: ListQuery, p: Params, above?: number) {
    const c = articleColumns
    const where = and(visibleIn(visibility, c, p), filterCondition(filter, c, p))
    // The search's tsquery is the parameter filterCondition bound last under the label 'search'.
    const rank = relevance(tsquery(sql.placeholder(searchPlaceholder(p))))
    const { orderBy, page } = ordering(sort, after, c, p, rank)
    return db
      .select({ id: articles.id, searchRowid: articles.searchRowid, listedAt: articles.listedAt, rank })
      .from(articles)
      .where(and(where, above === undefined ? undefined : gt(articles.searchRowid, p.bind('above', above)), page))
      .orderBy(...orderBy)
      .limit(sql.placeholder('limit'))
  }

  const nthNewestMatch = db
    .select({ rowid: articles.searchRowid })
    .from(articles)
    .where(matches(tsquery(sql.placeholder('search'))))
    .orderBy(desc(articles.searchRowid))
    .limit(1)
    .offset(sql.placeholder('skip'))
    .prepare('articles_nth_newest_match')

  const snippets = db
    .select({ id: articles.id, snippet: snippet(tsquery(sql.placeholder('search'))) })
    .from(articles)
    .where(sql`${articles.id} = ${anyOf(sql.placeholder('ids'))}`)
    .prepare('articles_snippets')

  async function loadOne(tx: PgDb, id: string): Promise<ArticleAggregate> {
    const [row] = await tx.select(articleRowColumns).from(articles).where(eq(articles.id, id))
    if (!row) throw new NotFoundError('article', id)
    return (await loadAggregates(tx, [row]))[0]!
  }

  /** Loads the article as written and stores its rendering, in the write's transaction. */
  async function rendered(tx: PgDb, id: string): Promise<ArticleAggregate> {
    const agg = await loadOne(tx, id)
    await renderings.store(tx, [agg])
    return agg
  }

  /** The article, locked for this write, at the version expected. */
  async function current(tx: PgDb, key: string, expectedVersion: number | null): Promise<ArticleRow> {
    const [row] = await tx.select(articleRowColumns).from(articles).where(byKey(key)).limit(1).for('update')
    if (!row) throw new NotFoundError('article', key)
    if (expectedVersion !== null && row.version !== expectedVersion) throw new PreconditionFailedError(row.version)
    return row
  }

  return {
    async create(id, fields, relations, meta) {
      try {
        return await writeTransaction(db, async (tx) => {
          await assertReferencesExist(tx, relations)
          await takeSearchRowTurn(tx)
          const [row] = await tx
            .insert(articles)
            .values({ ...fields, id, version: 1, createdAt: meta.at, searchRowid: nextSearchRowid, publicVisible: false })
            .returning(articleRowColumns)
          await writes.relations(tx, id, relations, false)
          await writes.revision(tx, row!, meta)
          await writes.change(tx, null, row!, meta.at)
          return rendered(tx, id)
        })
      } catch (err) {
        return rethrowUnique(err, 'slug', fields.slug)
      }
    },

    async load(key) {
      const [row] = await db.select(articleRowColumns).from(articles).where(byKey(key)).limit(1)
      return row ? (await loadAggregates(db, [row]))[0]! : null
    },

    async update(id, version, { fields, relations }, meta) {
      try {
        return await writeTransaction(db, async (tx) => {
          const row = await current(tx, id, version)
          if (relations) await assertReferencesExist(tx, relations)
          const [updated] = await tx
            .update(articles)
            .set({ ...fields, version: row.version + 1 })
            .where(and(eq(articles.id, row.id), eq(articles.version, row.version)))
            .returning(articleRowColumns)
          if (!updated) throw new PreconditionFailedError(row.version) // unreachable while the row is locked; kept as the guard
          if (relations) await writes.relations(tx, row.id, relations, true)
          await writes.revision(tx, updated, meta)
          await writes.change(tx, row, updated, meta.at)
          return rendered(tx, row.id)
        })
      } catch (err) {
        return rethrowUnique(err, 'slug', fields.slug ?? '')
      }
    },

    async remove(key, expectedVersion, at) {
      await writeTransaction(db, async (tx) => {
        const row = await current(tx, key, expectedVersion)
        await tx.delete(articles).where(eq(articles.id, row.id))
        await writes.change(tx, row, null, at)
      })
    },

    async find(idOrSlug, visibility) {
      const found = await renderings.findMeta(idOrSlug, nowOf(visibility))
      return found ? loadOne(db, found.articleId) : null
    },

    async read(idOrSlug, visibility) {
      return renderings.find(idOrSlug, nowOf(visibility))
    },

    async readMeta(idOrSlug, visibility) {
      return renderings.findMeta(idOrSlug, nowOf(visibility))
    },

    async aggregates(ids) {
      if (ids.length === 0) return []
      const rows = new Map((await db.select(articleRowColumns).from(articles).where(inArray(articles.id, ids))).map((row) => [row.id, row]))
      return loadAggregates(db, ids.flatMap((id) => rows.get(id) ?? []))
    },

    async list(query) {
      try {
        const p = new Params()
        const search = query.filter.search
        if (!search) {
          const build = listQuery(query, p)
          const rows = (await prepared(p.name(`list:${query.sort}`), (name) => build.prepare(name)).execute({ ...p.values, limit: query.limit })) as ListedArticle[]
          return { items: rows.map(withBuffer), partial: false }
        }
        const text = toTsquery(search)
        const beyond = query.candidates === undefined ? undefined : (await nthNewestMatch.execute({ search: text, skip: query.candidates }))[0]?.rowid
        const build = searchQuery(query, p, beyond)
        const hits = (await prepared(p.name(`search:${query.sort}`), (name) => build.prepare(name)).execute({ ...p.values, limit: query.limit })) as {
          id: string
          searchRowid: number
          listedAt: string
          rank: number
        }[]
        const partial = beyond !== undefined
        if (hits.length === 0) return { items: [], partial }
        const ids = hits.map((h) => h.id)
        const [marked, found] = await Promise.all([snippets.execute({ search: text, ids }), renderings.many(ids)])
        const marks = new Map(marked.map((m) => [m.id, m.snippet]))
        const byId = new Map(found.map((f) => [f.articleId, f]))
        const items = hits.flatMap((h) => {
          const rendering = byId.get(h.id)
          return rendering ? [{ ...rendering, listedAt: h.listedAt, rank: Number(h.rank), snippet: marks.get(h.id) ?? '' }] : []
        })
        return { items, partial }
      } catch (err) {
        return rethrowSearchError(err)
      }
    },

    /**
     * Nothing to rebuild on PostgreSQL: the search vector is a generated column
     * (articles.search), always in step with its row. Returns how many articles
     * it covers, as SQLite's rebuild returns its index's entries.
     */
    async rebuildSearchIndex() {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(articles)
      return row!.n
    },

    /** PostgreSQL's plan for a list query (EXPLAIN, text format, one line per node), to show it uses indexes. */
    async explainList(query) {
      const p = new Params()
      const built = query.filter.search ? searchQuery(query, p) : listQuery(query, p)
      const { sql: text, params } = built.toSQL()
      // Placeholders are numbered in the order toSQL lists their values; bind them as literals for EXPLAIN.
      const values: Record<string, unknown> = { ...p.values, limit: query.limit }
      const literal = (v: unknown) => (typeof v === 'number' ? String(v) : Array.isArray(v) ? `'{${v.map((x) => `"${String(x).replace(/["\\]/g, '\\$&')}"`).join(',')}}'` : `'${String(v).replace(/'/g, "''")}'`)
      const resolved = params.map((param) => {
        const name = (param as { name?: string }).name
        return literal(name !== undefined ? values[name] : param)
      })
      const inlined = text.replace(/\$(\d+)/g, (_m, n: string) => resolved[Number(n) - 1]!)
      const plan = (await db.execute(sql.raw(`explain ${inlined}`))) as unknown as { rows: { 'QUERY PLAN': string }[] } | { 'QUERY PLAN': string }[]
      const rows = Array.isArray(plan) ? plan : plan.rows
      return rows.map((row) => row['QUERY PLAN'].trim().replace(/^->\s+/, ''))
    },

    async count(visibility, filter) {
      try {
        const p = new Params()
        if (filter.search) {
          const where = and(visibleIn(visibility, articleColumns, p), filterCondition(filter, articleColumns, p))
          const build = db.select({ n: sql<number>`count(*)::int` }).from(articles).where(where)
          return ((await prepared(p.name('count:search'), (name) => build.prepare(name)).execute(p.values)) as { n: number }[])[0]!.n
        }
        const where = and(visibleIn(visibility, renderingColumns, p), filterCondition(filter, renderingColumns, p))
        const build = db.select({ n: sql<number>`count(*)::int` }).from(articleRenderings).where(where)
        return ((await prepared(p.name('count'), (name) => build.prepare(name)).execute(p.values)) as { n: number }[])[0]!.n
      } catch (err) {
        return rethrowSearchError(err)
      }
    },

    async related(articleId, visibility, limit) {
      const p = new Params()
      const article = p.bind('article', articleId)
      const mine = db.select({ topicId: articleTopics.topicId }).from(articleTopics).where(eq(articleTopics.articleId, article))
      const shared = sql<number>`count(*)`
      const build = db
        .select(listed)
        .from(articleTopics)
        .innerJoin(r, eq(r.articleId, articleTopics.articleId))
        .where(and(inArray(articleTopics.topicId, mine), ne(articleTopics.articleId, article), visibleIn(visibility, renderingColumns, p)))
        .groupBy(r.articleId)
        .orderBy(desc(shared), desc(r.listedAt), desc(r.articleId))
        .limit(sql.placeholder('limit'))
      const rows = (await prepared(p.name('related'), (name) => build.prepare(name)).execute({ ...p.values, limit })) as ListedArticle[]
      return rows.map(withBuffer)
    },

    /**
     * Changes after `since`, in seq order. A seq is drawn when a change is
     * written, not when it commits; writers of changes take turns until they
     * commit (pg/writes.ts change()), so seqs become visible in order and a
     * reader never pages past one that commits later. A guard on transaction
     * ids (txid < pg_snapshot_xmin, tried first; its column is gone since
     * migration 0002) is not enough: a transaction id is drawn at a
     * transaction's first write, so it is not commit order either
     * (test/db/pg/articles.test.ts, many writers; test/slow/cluster.slow.ts).
     */
    async changes(since, limit, publicOnly) {
      const c = articleChanges
      return (await db
        .select({ seq: c.seq, articleId: c.articleId, kind: c.kind, publicKind: c.publicKind, version: c.version, at: c.at })
        .from(c)
        .where(and(gt(c.seq, since), publicOnly ? isNotNull(c.publicKind) : undefined))
        .orderBy(asc(c.seq))
        .limit(limit)) as ChangeRow[]
    },

    /**
     * Scheduled articles due at `now`. SKIP LOCKED passes over an article
     * another process is publishing at this moment; what makes a double publish
     * impossible is the service's update(), conditional on the version this
     * returned (the second writer gets PreconditionFailedError).
     */
    async dueScheduled(now, limit) {
      return db
        .select(articleRowColumns)
        .from(articles)
        .where(and(eq(articles.status, 'scheduled'), lte(articles.scheduledAt, now)))
        .orderBy(asc(articles.scheduledAt), asc(articles.id))
        .limit(limit)
        .for('update', { skipLocked: true })
    },

    async releaseEmbargoes(now) {
      const released = await db
        .select({ id: articles.id })
        .from(articles)
        .where(and(eq(articles.publicVisible, false), eq(articles.status, 'published'), lte(articles.embargoUntil, now)))
        .limit(100)
      for (const { id } of released) {
        await writeTransaction(db, async (tx) => {
          const [fresh] = await tx
            .select(articleRowColumns)
            .from(articles)
            .where(and(eq(articles.id, id), eq(articles.publicVisible, false)))
            .for('update')
          if (fresh && visibleAt(fresh, now)) await writes.change(tx, fresh, fresh, now, 'published')
        })
      }
    },

    async revisions(articleId, limit, beforeVersion) {
      const rows = await db
        .select()
        .from(articleRevisions)
        .where(and(eq(articleRevisions.articleId, articleId), beforeVersion === null ? undefined : lt(articleRevisions.version, beforeVersion)))
        .orderBy(desc(articleRevisions.version))
        .limit(limit)
      return rows.map(orderedRevision)
    },

    async revision(articleId, version) {
      const [row] = await db
        .select()
        .from(articleRevisions)
        .where(and(eq(articleRevisions.articleId, articleId), eq(articleRevisions.version, version)))
      return row ? orderedRevision(row) : null
    },

    async findIdByContentHash(hash) {
      const [row] = await db.select({ id: articles.id }).from(articles).where(eq(articles.contentHash, hash)).limit(1)
      return row?.id ?? null
    },
  }
}

/** The placeholder name filterCondition bound the search to (the last binding labelled 'search'). */
function searchPlaceholder(p: Params): string {
  const name = p.nameOf('search')
  if (name === undefined) throw new Error('a search query without a search')
  return name
}
