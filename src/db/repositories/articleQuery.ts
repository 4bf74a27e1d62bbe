import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import { articleCredits, articleRenderings, articleTopics, articles, contributors, sections, topics } from '../schema.js'
import { SearchQueryError } from '../errors.js'
import { matches, relevance } from '../sqlite/search.js'
import { searchQueryProblem } from '../sqlite/errors.js'
import { listParam, listValues } from '../sqlite/json.js'

export interface Visibility {
  /** Only published articles whose embargo has passed at `now`. */
  publicOnly: boolean
  now: string
}

/** Filters are AND-ed; each list inside one is OR-ed (except topicsAll). Keys are ids or slugs. */
export interface ArticleFilter {
  section?: string
  topicsAny?: string[]
  topicsAll?: string[]
  topicsNone?: string[]
  contributors?: string[]
  types?: string[]
  languages?: string[]
  statuses?: string[]
  publishedFrom?: string
  publishedTo?: string
  updatedFrom?: string
  updatedTo?: string
  /** An FTS5 query: words, "phrases", prefix*, AND / OR / NOT. */
  search?: string
}

export type ArticleSort = 'newest' | 'oldest' | 'updated' | 'relevance'

/** Where the previous page ended: the sort key of its last item and its id. */
export interface PageAfter {
  key: string | number
  id: string
}

/** The columns a list filters and sorts on: the read model has them, and so has `articles` (for searches). */
export interface ListColumns {
  id: SQLiteColumn
  status: SQLiteColumn
  embargoUntil: SQLiteColumn
  sectionId: SQLiteColumn
  type: SQLiteColumn
  language: SQLiteColumn
  listedAt: SQLiteColumn
  updatedAt: SQLiteColumn
  publishedAt: SQLiteColumn
}

const r = articleRenderings
export const renderingColumns: ListColumns = {
  id: r.articleId, status: r.status, embargoUntil: r.embargoUntil, sectionId: r.sectionId, type: r.type, language: r.language,
  listedAt: r.listedAt, updatedAt: r.updatedAt, publishedAt: r.publishedAt,
}
/**
 * The same on `articles`, for searches, each as `+column`: no index can serve a
 * condition on them, so each match finds its article by its search row
 * (articles_search_cover). Given the bare columns, SQLite looked a search with
 * updatedFrom up through a range of articles_status_updated for every match:
 * a rare word took 5 s at 10,000 articles.
 */
// Typed as the column: drizzle's operators take SQL on the left too, and bind the value without the column's mapping
// (these columns are text, compared with text).
const unindexed = (column: SQLiteColumn): SQLiteColumn => sql`+${column}` as unknown as SQLiteColumn
export const articleColumns: ListColumns = {
  id: unindexed(articles.id), status: articles.status, embargoUntil: unindexed(articles.embargoUntil), sectionId: unindexed(articles.sectionId),
  type: unindexed(articles.type), language: unindexed(articles.language), listedAt: unindexed(articles.listedAt), updatedAt: unindexed(articles.updatedAt),
  publishedAt: unindexed(articles.publishedAt),
}

/**
 * The values of a query's placeholders, bound while its conditions are built.
 * The labels of the bindings, in order, name the query's shape: the same shape
 * is the same SQL, so it is prepared once and then run with any values. A list
 * of values is one parameter (see sqlite/json.ts), so its length does not
 * change the shape.
 */
export class Params {
  readonly values: Record<string, unknown> = {}
  private readonly labels: string[] = []

  bind(label: string, value: unknown): SQL {
    const name = `p${this.labels.length}`
    this.labels.push(label)
    this.values[name] = value
    return sql`${sql.placeholder(name)}`
  }

  list(label: string, values: string[]): SQL {
    return listValues(this.bind(label, listParam(values)))
  }

  shape(prefix: string): string {
    return `${prefix}|${this.labels.join(',')}`
  }
}

export function visibleIn(v: Visibility, c: ListColumns, p: Params): SQL | undefined {
  if (!v.publicOnly) return undefined
  return and(eq(c.status, 'published'), or(isNull(c.embargoUntil), lte(c.embargoUntil, p.bind('now', v.now))))
}

/** Visibility on the articles table, for statements built per call (catalogue counts). */
export function visible(v: Visibility): SQL | undefined {
  if (!v.publicOnly) return undefined
  return and(eq(articles.status, 'published'), or(isNull(articles.embargoUntil), lte(articles.embargoUntil, v.now)))
}

const topicIds = (list: SQL) => sql`(select ${topics.id} from ${topics} where ${topics.id} in ${list} or ${topics.slug} in ${list})`
const withTopics = (list: SQL) => sql`(select ${articleTopics.articleId} from ${articleTopics} where ${articleTopics.topicId} in ${topicIds(list)})`

/** The SQL condition for a filter. Unknown ids or slugs simply match nothing. */
export function filterCondition(f: ArticleFilter, c: ListColumns, p: Params): SQL | undefined {
  const parts: (SQL | undefined)[] = []
  if (f.section) {
    const key = p.bind('section', f.section)
    const base = sql`(select ${sections.path} from ${sections} where ${sections.id} = ${key} or ${sections.path} = ${key})`
    parts.push(
      inArray(
        c.sectionId,
        // The subtree as an index range: paths from "base/" up to "base0" ('0' sorts right after '/').
        sql`(select ${sections.id} from ${sections} where ${sections.path} = ${base} or (${sections.path} > ${base} || '/' and ${sections.path} < ${base} || '0'))`,
      ),
    )
  }
  if (f.topicsAny?.length) parts.push(inArray(c.id, withTopics(p.list('topicsAny', f.topicsAny))))
  for (const key of f.topicsAll ?? []) parts.push(inArray(c.id, withTopics(p.list('topicsAll', [key]))))
  if (f.topicsNone?.length) parts.push(sql`${c.id} not in ${withTopics(p.list('topicsNone', f.topicsNone))}`)
  if (f.contributors?.length) {
    const list = p.list('contributors', f.contributors)
    const ids = sql`(select ${contributors.id} from ${contributors} where ${contributors.id} in ${list} or ${contributors.slug} in ${list})`
    parts.push(inArray(c.id, sql`(select ${articleCredits.articleId} from ${articleCredits} where ${articleCredits.contributorId} in ${ids})`))
  }
  if (f.types?.length) parts.push(inArray(c.type, p.list('types', f.types)))
  if (f.languages?.length) parts.push(inArray(c.language, p.list('languages', f.languages)))
  if (f.statuses?.length) parts.push(inArray(c.status, p.list('statuses', f.statuses)))
  // Once published, an article is listed at its publication time (listedAt = publishedAt: the workflow and the archive
  // import keep it so), so a publication window is also a range of the list order: lists walk just that part of an index.
  if (f.publishedFrom) {
    const from = p.bind('publishedFrom', f.publishedFrom)
    parts.push(gte(c.publishedAt, from), gte(c.listedAt, from))
  }
  if (f.publishedTo) {
    const to = p.bind('publishedTo', f.publishedTo)
    parts.push(lt(c.publishedAt, to), lt(c.listedAt, to))
  }
  if (f.updatedFrom) parts.push(gte(c.updatedAt, p.bind('updatedFrom', f.updatedFrom)))
  if (f.updatedTo) parts.push(lt(c.updatedAt, p.bind('updatedTo', f.updatedTo)))
  if (f.search) parts.push(matches(p.bind('search', f.search)))
  return and(...parts)
}

/** The ORDER BY and the "after the cursor" condition of each sort. */
export function ordering(sort: ArticleSort, after: PageAfter | null, c: ListColumns, p: Params): { orderBy: SQL[]; page: SQL | undefined } {
  const keyed = (column: SQL, direction: 'asc' | 'desc') => {
    const cmp = direction === 'desc' ? lt : gt
    let page: SQL | undefined
    if (after) {
      const key = p.bind('after.key', after.key)
      const id = p.bind('after.id', after.id)
      page = or(cmp(column, key), and(eq(column, key), cmp(c.id, id)))
    }
    return { orderBy: [direction === 'desc' ? desc(column) : asc(column), direction === 'desc' ? desc(c.id) : asc(c.id)], page }
  }
  switch (sort) {
    case 'newest':
      return keyed(sql`${c.listedAt}`, 'desc')
    case 'oldest':
      return keyed(sql`${c.listedAt}`, 'asc')
    case 'updated':
      return keyed(sql`${c.updatedAt}`, 'desc')
    case 'relevance':
      return keyed(relevance, 'asc')
  }
}

/** The engine reports bad search syntax as a database error: it is the caller's mistake (SearchQueryError), not a failure. */
export function rethrowSearchError(err: unknown): never {
  const problem = searchQueryProblem(err)
  if (problem !== null) throw new SearchQueryError(problem)
  throw err
}
