import { and, asc, desc, eq, gt, gte, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import { createHash } from 'node:crypto'
import { articleCredits, articleRenderings, articleTopics, articles, contributors, sections, topics } from './schema.js'
import { SearchQueryError } from '../errors.js'
import { searchQueryProblem } from './errors.js'
import { matches, relevance, toTsquery, tsquery } from './search.js'
import type { ArticleFilter, ArticleSort, PageAfter, Visibility } from '../repositories/articleQuery.js'

/**
 * Lists, filters and sorts of articles on PostgreSQL: the counterpart of
 * src/db/repositories/articleQuery.ts, with the same filters, cursors and
 * sorts. A list of values is one text[] parameter (`= any($1::text[])`), so
 * its length does not change a statement's SQL.
 */

export interface ListColumns {
  id: PgColumn
  status: PgColumn
  embargoUntil: PgColumn
  sectionId: PgColumn
  type: PgColumn
  language: PgColumn
  listedAt: PgColumn
  updatedAt: PgColumn
  publishedAt: PgColumn
}

const r = articleRenderings
export const renderingColumns: ListColumns = {
  id: r.articleId, status: r.status, embargoUntil: r.embargoUntil, sectionId: r.sectionId, type: r.type, language: r.language,
  listedAt: r.listedAt, updatedAt: r.updatedAt, publishedAt: r.publishedAt,
}
export const articleColumns: ListColumns = {
  id: articles.id, status: articles.status, embargoUntil: articles.embargoUntil, sectionId: articles.sectionId, type: articles.type,
  language: articles.language, listedAt: articles.listedAt, updatedAt: articles.updatedAt, publishedAt: articles.publishedAt,
}

/**
 * The values of a query's placeholders, bound while its conditions are built;
 * the labels of the bindings, in order, name its shape (see the SQLite Params).
 * `name` is a prepared statement's name for a shape: PostgreSQL keeps 63
 * bytes of a name, so it is a hash of the shape.
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

  /** `column = any(list)`: a list of values as one text[] parameter. */
  list(label: string, values: string[]): SQL {
    return sql`any(${this.bind(label, values)}::text[])`
  }

  /** The placeholder of the last value bound under this label. */
  nameOf(label: string): string | undefined {
    const index = this.labels.lastIndexOf(label)
    return index < 0 ? undefined : `p${index}`
  }

  shape(prefix: string): string {
    return `${prefix}|${this.labels.join(',')}`
  }

  name(prefix: string): string {
    return `a_${createHash('sha1').update(this.shape(prefix)).digest('hex').slice(0, 24)}`
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

const topicIds = (list: SQL) => sql`(select ${topics.id} from ${topics} where ${topics.id} = ${list} or ${topics.slug} = ${list})`
const withTopics = (list: SQL) => sql`(select ${articleTopics.articleId} from ${articleTopics} where ${articleTopics.topicId} in ${topicIds(list)})`

/** The search of a filter as a tsquery parameter; SearchQueryError when it is not valid FTS5 syntax. */
export const searchParam = (search: string, p: Params): SQL => tsquery(p.bind('search', toTsquery(search)))

/** The SQL condition for a filter. Unknown ids or slugs simply match nothing. A search needs the articles table. */
export function filterCondition(f: ArticleFilter, c: ListColumns, p: Params): SQL | undefined {
  const parts: (SQL | undefined)[] = []
  if (f.section) {
    const key = p.bind('section', f.section)
    const base = sql`(select ${sections.path} from ${sections} where ${sections.id} = ${key} or ${sections.path} = ${key})`
    // The subtree as an index range: paths from "base/" up to "base0" ('0' sorts right after '/' in the C collation).
    parts.push(
      sql`${c.sectionId} in (select ${sections.id} from ${sections} where ${sections.path} = ${base} or (${sections.path} > ${base} || '/' and ${sections.path} < ${base} || '0'))`,
    )
  }
  if (f.topicsAny?.length) parts.push(sql`${c.id} in ${withTopics(p.list('topicsAny', f.topicsAny))}`)
  for (const key of f.topicsAll ?? []) parts.push(sql`${c.id} in ${withTopics(p.list('topicsAll', [key]))}`)
  if (f.topicsNone?.length) parts.push(sql`${c.id} not in ${withTopics(p.list('topicsNone', f.topicsNone))}`)
  if (f.contributors?.length) {
    const list = p.list('contributors', f.contributors)
    const ids = sql`(select ${contributors.id} from ${contributors} where ${contributors.id} = ${list} or ${contributors.slug} = ${list})`
    parts.push(sql`${c.id} in (select ${articleCredits.articleId} from ${articleCredits} where ${articleCredits.contributorId} in ${ids})`)
  }
  if (f.types?.length) parts.push(sql`${c.type} = ${p.list('types', f.types)}`)
  if (f.languages?.length) parts.push(sql`${c.language} = ${p.list('languages', f.languages)}`)
  if (f.statuses?.length) parts.push(sql`${c.status} = ${p.list('statuses', f.statuses)}`)
  // Once published, an article is listed at its publication time (see the SQLite side): a publication window is also a range of the list order.
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
  if (f.search) parts.push(matches(searchParam(f.search, p)))
  return and(...parts)
}

/** The ORDER BY and the "after the cursor" condition of each sort; `rank` is the relevance of a search. */
export function ordering(sort: ArticleSort, after: PageAfter | null, c: ListColumns, p: Params, rank?: SQL): { orderBy: SQL[]; page: SQL | undefined } {
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
      return keyed(rank ?? relevance(sql`null`), 'asc')
  }
}

/** Bad search syntax is the caller's mistake (SearchQueryError), not a failure. */
export function rethrowSearchError(err: unknown): never {
  const problem = searchQueryProblem(err)
  if (problem !== null) throw new SearchQueryError(problem)
  throw err
}
