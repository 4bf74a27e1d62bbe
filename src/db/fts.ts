import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * The FTS5 table created by migrations/0001_search.sql (an external-content
 * index over articles since 0004_search_external_content.sql), described for
 * queries only (it is not in schema.ts, so drizzle-kit does not try to create it).
 */
export const articlesFts = sqliteTable('articles_fts', {
  rowid: integer('rowid').notNull(),
  headline: text('headline'),
  summary: text('summary'),
  bodyText: text('body_text'),
})
