import { eq, sql, type Placeholder, type SQL } from 'drizzle-orm'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { Db } from './client.js'
import { articles } from '../schema.js'

/**
 * Full-text search on SQLite: the FTS5 table articles_fts (created by
 * migrations/0001_search.sql, and since 0004_search_external_content.sql an
 * external-content index that reads its text from articles; triggers keep it in
 * step; its rowid is articles.search_rowid), its MATCH syntax, bm25 ranking and
 * snippets.
 */

/** The FTS5 table, described for queries only (it is not in schema.ts, so drizzle-kit does not try to create it). */
export const articlesFts = sqliteTable('articles_fts', {
  rowid: integer('rowid').notNull(),
  headline: text('headline'),
  summary: text('summary'),
  bodyText: text('body_text'),
})

/** The articles matching a search query (words, "phrases", prefix*, AND / OR / NOT). */
export const matches = (query: SQL | Placeholder): SQL => sql`articles_fts match ${query}`

/** bm25 with the headline weighted above the standfirst, and both above the body. */
export const relevance = sql<number>`bm25(articles_fts, 10.0, 4.0, 1.0)`

/** A highlight of the best-matching column, marked with \u0002 … \u0003 (the caller escapes and marks it up). */
export const snippet = sql<string>`snippet(articles_fts, -1, char(2), char(3), '…', 16)`

/** The full-text table joined to articles on their search row. */
export const ftsJoin = { table: articlesFts, on: eq(articlesFts.rowid, articles.searchRowid) }

/** Fills the full-text index again from the articles table (inside the caller's transaction); returns how many entries it holds. */
export function rebuildSearchIndex(db: Db): number {
  // The index reads its text from articles (external content): 'rebuild' drops it and indexes every row again.
  db.run(sql`insert into articles_fts (articles_fts) values ('rebuild')`)
  db.run(sql`insert into articles_fts (articles_fts) values ('optimize')`)
  return db.select({ n: sql<number>`count(*)` }).from(articlesFts).get()!.n
}

/** The statement that checks the full-text index of a database file (it throws when the index is damaged). */
export const SEARCH_INDEX_CHECK = "insert into articles_fts (articles_fts, rank) values ('integrity-check', 1)"
