import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core'
import type { ArticleStored } from './types.js'

/** SQL is snake_case; timestamps are ISO 8601 UTC strings (they sort as text). */

export const apiKeys = sqliteTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  scope: text('scope', { enum: ['read', 'write', 'admin'] }).notNull(),
  keyHash: text('key_hash').notNull().unique(),
  prefix: text('prefix').notNull(),
  createdAt: text('created_at').notNull(),
  lastUsedAt: text('last_used_at'),
  revokedAt: text('revoked_at'),
})

export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    apiKeyId: text('api_key_id').notNull(),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code'),
    responseBody: text('response_body'),
    responseHeaders: text('response_headers', { mode: 'json' }).$type<Record<string, string>>(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.key] }), index('idempotency_keys_created_at').on(t.createdAt)],
)

export const media = sqliteTable('media', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['image', 'video', 'audio'] }).notNull(),
  /** Null until the asset itself is attached (an imported caption names a photo we do not have yet). */
  url: text('url'),
  mimeType: text('mime_type'),
  width: integer('width'),
  height: integer('height'),
  durationSeconds: integer('duration_seconds'),
  sizeBytes: integer('size_bytes'),
  alt: text('alt'),
  caption: text('caption'),
  credit: text('credit'),
  copyright: text('copyright'),
  renditions: text('renditions', { mode: 'json' }).$type<{ name: string; url: string; width?: number; height?: number; mimeType?: string }[]>().notNull(),
  version: integer('version').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
})

export const contributors = sqliteTable('contributors', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['person', 'agency', 'organisation'] }).notNull(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  bio: text('bio'),
  avatarUrl: text('avatar_url'),
  aliases: text('aliases', { mode: 'json' }).$type<string[]>().notNull(),
  version: integer('version').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
})

export const topics = sqliteTable('topics', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['person', 'place', 'organisation', 'subject', 'event'] }).notNull(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  description: text('description'),
  aliases: text('aliases', { mode: 'json' }).$type<string[]>().notNull(),
  version: integer('version').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
})

export const articles = sqliteTable(
  'articles',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull().unique(),
    type: text('type', { enum: ['news', 'opinion', 'feature', 'letter', 'brief', 'live'] }).notNull(),
    status: text('status', { enum: ['draft', 'scheduled', 'published', 'archived'] }).notNull(),
    language: text('language').notNull(),
    headline: text('headline').notNull(),
    headlines: text('headlines', { mode: 'json' }).$type<ArticleStored['headlines']>().notNull(),
    summary: text('summary'),
    leadMedia: text('lead_media', { mode: 'json' }).$type<ArticleStored['leadMedia']>(),
    body: text('body', { mode: 'json' }).$type<ArticleStored['body']>().notNull(),
    printEdition: text('print_edition', { mode: 'json' }).$type<ArticleStored['printEdition']>(),
    corrections: text('corrections', { mode: 'json' }).$type<ArticleStored['corrections']>().notNull(),
    canonicalUrl: text('canonical_url'),
    wordCount: integer('word_count').notNull(),
    contentHash: text('content_hash'),
    version: integer('version').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    firstPublishedAt: text('first_published_at'),
    publishedAt: text('published_at'),
    scheduledAt: text('scheduled_at'),
    embargoUntil: text('embargo_until'),
    /** The list order key: publishedAt once published, createdAt before. */
    listedAt: text('listed_at').notNull(),
  },
  (t) => [
    index('articles_status_listed').on(t.status, t.listedAt, t.id),
    index('articles_listed').on(t.listedAt, t.id),
    uniqueIndex('articles_content_hash').on(t.contentHash),
  ],
)

export const articleCredits = sqliteTable(
  'article_credits',
  {
    articleId: text('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    contributorId: text('contributor_id').notNull().references(() => contributors.id, { onDelete: 'restrict' }),
    role: text('role', { enum: ['byline', 'additional-reporting', 'photo', 'video', 'editing'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.position] }), index('article_credits_contributor').on(t.contributorId)],
)

export const articleTopics = sqliteTable(
  'article_topics',
  {
    articleId: text('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    topicId: text('topic_id').notNull().references(() => topics.id, { onDelete: 'restrict' }),
    primary: integer('is_primary', { mode: 'boolean' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.articleId, t.position] }),
    uniqueIndex('article_topics_unique').on(t.articleId, t.topicId),
    index('article_topics_topic').on(t.topicId),
  ],
)

/** Media referenced by an article (lead media and image/video blocks), kept for integrity and embedding. */
export const articleMedia = sqliteTable(
  'article_media',
  {
    articleId: text('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    mediaId: text('media_id').notNull().references(() => media.id, { onDelete: 'restrict' }),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.mediaId] }), index('article_media_media').on(t.mediaId)],
)

export const articleRevisions = sqliteTable(
  'article_revisions',
  {
    articleId: text('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    createdAt: text('created_at').notNull(),
    actorKeyId: text('actor_key_id'),
    message: text('message'),
    snapshot: text('snapshot', { mode: 'json' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.version] })],
)
