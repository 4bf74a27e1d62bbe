import Database from 'better-sqlite3'
import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import { articleCredits, articleTopics, articles, contributors, sections, topics } from '../schema.js'
import { articlesFts } from '../fts.js'
import { ValidationError } from '../../errors.js'

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

export function visible(v: Visibility): SQL | undefined {
  if (!v.publicOnly) return undefined
  return and(eq(articles.status, 'published'), or(isNull(articles.embargoUntil), lte(articles.embargoUntil, v.now)))
}

const topicIds = (keys: string[]) => sql`(select ${topics.id} from ${topics} where ${topics.id} in ${keys} or ${topics.slug} in ${keys})`

/** The SQL condition for a filter. Unknown ids or slugs simply match nothing. */
export function filterCondition(f: ArticleFilter): SQL | undefined {
  const parts: (SQL | undefined)[] = []
  if (f.section) {
    const base = sql`(select ${sections.path} from ${sections} where ${sections.id} = ${f.section} or ${sections.path} = ${f.section})`
    parts.push(
      inArray(
        articles.sectionId,
        // The subtree as an index range: paths from "base/" up to "base0" ('0' sorts right after '/').
        sql`(select ${sections.id} from ${sections} where ${sections.path} = ${base} or (${sections.path} > ${base} || '/' and ${sections.path} < ${base} || '0'))`,
      ),
    )
  }
  if (f.topicsAny?.length) {
    parts.push(inArray(articles.id, sql`(select ${articleTopics.articleId} from ${articleTopics} where ${articleTopics.topicId} in ${topicIds(f.topicsAny)})`))
  }
  for (const key of f.topicsAll ?? []) {
    parts.push(inArray(articles.id, sql`(select ${articleTopics.articleId} from ${articleTopics} where ${articleTopics.topicId} in ${topicIds([key])})`))
  }
  if (f.topicsNone?.length) {
    parts.push(sql`${articles.id} not in (select ${articleTopics.articleId} from ${articleTopics} where ${articleTopics.topicId} in ${topicIds(f.topicsNone)})`)
  }
  if (f.contributors?.length) {
    const ids = sql`(select ${contributors.id} from ${contributors} where ${contributors.id} in ${f.contributors} or ${contributors.slug} in ${f.contributors})`
    parts.push(inArray(articles.id, sql`(select ${articleCredits.articleId} from ${articleCredits} where ${articleCredits.contributorId} in ${ids})`))
  }
  if (f.types?.length) parts.push(inArray(articles.type, f.types as never[]))
  if (f.languages?.length) parts.push(inArray(articles.language, f.languages))
  if (f.statuses?.length) parts.push(inArray(articles.status, f.statuses as never[]))
  if (f.publishedFrom) parts.push(gte(articles.publishedAt, f.publishedFrom))
  if (f.publishedTo) parts.push(lt(articles.publishedAt, f.publishedTo))
  if (f.updatedFrom) parts.push(gte(articles.updatedAt, f.updatedFrom))
  if (f.updatedTo) parts.push(lt(articles.updatedAt, f.updatedTo))
  if (f.search) parts.push(sql`articles_fts match ${f.search}`)
  return and(...parts)
}

/** bm25 with the headline weighted above the standfirst, and both above the body. */
export const relevance = sql<number>`bm25(articles_fts, 10.0, 4.0, 1.0)`
/** A highlight of the best-matching column, marked with \u0002 … \u0003 (the caller escapes and marks it up). */
export const snippet = sql<string>`snippet(articles_fts, -1, char(2), char(3), '…', 16)`
export const ftsJoin = { table: articlesFts, on: eq(articlesFts.rowid, articles.searchRowid) }

/** The ORDER BY and the "after the cursor" condition of each sort. */
export function ordering(sort: ArticleSort, after: PageAfter | null): { orderBy: SQL[]; page: SQL | undefined } {
  const keyed = (column: SQL, direction: 'asc' | 'desc') => {
    const cmp = direction === 'desc' ? lt : gt
    return {
      orderBy: [direction === 'desc' ? desc(column) : asc(column), direction === 'desc' ? desc(articles.id) : asc(articles.id)],
      page: after ? or(cmp(column, after.key), and(eq(column, after.key), cmp(articles.id, after.id))) : undefined,
    }
  }
  switch (sort) {
    case 'newest':
      return keyed(sql`${articles.listedAt}`, 'desc')
    case 'oldest':
      return keyed(sql`${articles.listedAt}`, 'asc')
    case 'updated':
      return keyed(sql`${articles.updatedAt}`, 'desc')
    case 'relevance':
      return keyed(relevance, 'asc')
  }
}

/** FTS5 reports bad query syntax as an SQLite error; that is the client's 400, never a 500. */
export function rethrowSearchError(err: unknown): never {
  if (err instanceof Database.SqliteError && /fts5|no such column|unterminated|unknown special query/i.test(err.message)) {
    throw new ValidationError('The search query is not valid.', [{ path: '/query/q', message: err.message.replace(/^fts5: /, '') }])
  }
  throw err
}
