import { sql } from 'drizzle-orm'
import {
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core'
import type { ArticleStored } from '../types.js'

/**
 * The PostgreSQL tables: the same tables, columns and indexes as the SQLite
 * schema (src/db/schema.ts), so that both engines hold the same rows and the
 * repositories map them to the same row types. Differences, each on purpose:
 * - timestamps stay ISO 8601 UTC text ("2026-11-29T10:00:00.000Z"), the one
 *   stored form of src/services/time.ts: they compare and sort as instants on
 *   both engines, and rows read back identically;
 * - JSON columns are jsonb and flags are boolean (SQLite keeps text and 0/1);
 * - the renderings' JSON bytes are bytea;
 * - search is a tsvector generated from headline, standfirst and body text with
 *   a GIN index (the `newsdesk` text search configuration folds case and
 *   accents like SQLite's unicode61 remove_diacritics 2), where SQLite has an
 *   FTS5 table; the search migration creates both (migrations/pg/*_search.sql);
 * - the change feed's `seq` is a bigserial, taken under a lock held to the
 *   commit, so that seq order is commit order (src/db/pg/writes.ts).
 */

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' })
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  scope: text('scope', { enum: ['read', 'write', 'admin'] }).notNull(),
  keyHash: text('key_hash').notNull().unique(),
  prefix: text('prefix').notNull(),
  createdAt: text('created_at').notNull(),
  lastUsedAt: text('last_used_at'),
  revokedAt: text('revoked_at'),
})

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    apiKeyId: text('api_key_id').notNull(),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code'),
    responseBody: text('response_body'),
    responseHeaders: jsonb('response_headers').$type<Record<string, string>>(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.key] }), index('idempotency_keys_created_at').on(t.createdAt)],
)

export const media = pgTable('media', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['image', 'video', 'audio'] }).notNull(),
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
  renditions: jsonb('renditions').$type<{ name: string; url: string; width?: number; height?: number; mimeType?: string }[]>().notNull(),
  version: integer('version').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
})

export const contributors = pgTable('contributors', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['person', 'agency', 'organisation'] }).notNull(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  bio: text('bio'),
  avatarUrl: text('avatar_url'),
  aliases: jsonb('aliases').$type<string[]>().notNull(),
  version: integer('version').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
})

export const topics = pgTable('topics', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['person', 'place', 'organisation', 'subject', 'event'] }).notNull(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  description: text('description'),
  aliases: jsonb('aliases').$type<string[]>().notNull(),
  version: integer('version').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
})

export const sections = pgTable(
  'sections',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    parentId: text('parent_id').references((): AnyPgColumn => sections.id, { onDelete: 'restrict' }),
    path: text('path').notNull().unique(),
    description: text('description'),
    version: integer('version').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('sections_parent').on(t.parentId)],
)

export const articles = pgTable(
  'articles',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull().unique(),
    type: text('type', { enum: ['news', 'opinion', 'feature', 'letter', 'brief', 'live'] }).notNull(),
    status: text('status', { enum: ['draft', 'scheduled', 'published', 'archived'] }).notNull(),
    language: text('language').notNull(),
    sectionId: text('section_id').references(() => sections.id, { onDelete: 'restrict' }),
    headline: text('headline').notNull(),
    headlines: jsonb('headlines').$type<ArticleStored['headlines']>().notNull(),
    summary: text('summary'),
    leadMedia: jsonb('lead_media').$type<ArticleStored['leadMedia']>(),
    body: jsonb('body').$type<ArticleStored['body']>().notNull(),
    printEdition: jsonb('print_edition').$type<ArticleStored['printEdition']>(),
    corrections: jsonb('corrections').$type<ArticleStored['corrections']>().notNull(),
    canonicalUrl: text('canonical_url'),
    wordCount: integer('word_count').notNull(),
    bodyText: text('body_text').notNull(),
    /** Kept for parity with SQLite (its FTS5 row id) and for archive copies between the engines. */
    searchRowid: integer('search_rowid').notNull().unique(),
    /** Headline (weight A), standfirst (B) and body text (C), folded by the `newsdesk` configuration. */
    search: tsvector('search')
      .notNull()
      .generatedAlwaysAs(
        sql`setweight(to_tsvector('newsdesk', coalesce(headline, '')), 'A') || setweight(to_tsvector('newsdesk', coalesce(summary, '')), 'B') || setweight(to_tsvector('newsdesk', coalesce(body_text, '')), 'C')`,
      ),
    publicVisible: boolean('public_visible').notNull(),
    contentHash: text('content_hash'),
    version: integer('version').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    firstPublishedAt: text('first_published_at'),
    publishedAt: text('published_at'),
    scheduledAt: text('scheduled_at'),
    embargoUntil: text('embargo_until'),
    listedAt: text('listed_at').notNull(),
  },
  (t) => [
    index('articles_status_listed').on(t.status, t.listedAt, t.id),
    index('articles_listed').on(t.listedAt, t.id),
    uniqueIndex('articles_content_hash').on(t.contentHash),
    index('articles_section').on(t.sectionId),
    index('articles_scheduled').on(t.status, t.scheduledAt),
    index('articles_embargo').on(t.publicVisible, t.status, t.embargoUntil),
    index('articles_status_updated').on(t.status, t.updatedAt, t.id),
    index('articles_status_published').on(t.status, t.publishedAt, t.id),
    index('articles_updated').on(t.updatedAt, t.id),
    index('articles_search').using('gin', t.search),
  ],
)

export const articleCredits = pgTable(
  'article_credits',
  {
    articleId: text('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    contributorId: text('contributor_id').notNull().references(() => contributors.id, { onDelete: 'restrict' }),
    role: text('role', { enum: ['byline', 'additional-reporting', 'photo', 'video', 'editing'] }).notNull(),
    /** The article's list order key, copied here with its rendering (as on article_topics): a contributor's articles come newest first from the index. */
    listedAt: text('listed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.articleId, t.position] }),
    index('article_credits_contributor').on(t.contributorId),
    index('article_credits_contributor_listed').on(t.contributorId, t.listedAt, t.articleId),
  ],
)

export const articleTopics = pgTable(
  'article_topics',
  {
    articleId: text('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    topicId: text('topic_id').notNull().references(() => topics.id, { onDelete: 'restrict' }),
    primary: boolean('is_primary').notNull(),
    listedAt: text('listed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.articleId, t.position] }),
    uniqueIndex('article_topics_unique').on(t.articleId, t.topicId),
    index('article_topics_topic').on(t.topicId),
    index('article_topics_topic_listed').on(t.topicId, t.listedAt, t.articleId),
  ],
)

export const articleMedia = pgTable(
  'article_media',
  {
    articleId: text('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    mediaId: text('media_id').notNull().references(() => media.id, { onDelete: 'restrict' }),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.mediaId] }), index('article_media_media').on(t.mediaId)],
)

export const articleRevisions = pgTable(
  'article_revisions',
  {
    articleId: text('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    createdAt: text('created_at').notNull(),
    actorKeyId: text('actor_key_id'),
    message: text('message'),
    snapshot: jsonb('snapshot').notNull(),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.version] })],
)

/**
 * The change feed (see src/db/schema.ts), in commit order: a writer takes
 * the feed's advisory lock before its seq and holds it to its commit
 * (src/db/pg/writes.ts, change()), so no change ever commits below one a
 * reader has already seen.
 */
export const articleChanges = pgTable(
  'article_changes',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    articleId: text('article_id').notNull(),
    kind: text('kind', { enum: ['created', 'updated', 'published', 'unpublished', 'scheduled', 'archived', 'restored', 'deleted'] }).notNull(),
    publicKind: text('public_kind', { enum: ['published', 'updated', 'unpublished', 'deleted'] }),
    version: integer('version').notNull(),
    at: text('at').notNull(),
  },
  (t) => [index('article_changes_public').on(t.publicKind, t.seq), index('article_changes_article').on(t.articleId)],
)

export const articleRenderings = pgTable(
  'article_renderings',
  {
    articleId: text('article_id')
      .primaryKey()
      .references(() => articles.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    status: text('status', { enum: ['draft', 'scheduled', 'published', 'archived'] }).notNull(),
    embargoUntil: text('embargo_until'),
    type: text('type').notNull(),
    language: text('language').notNull(),
    sectionId: text('section_id'),
    listedAt: text('listed_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    publishedAt: text('published_at'),
    version: integer('version').notNull(),
    etag: text('etag').notNull(),
    surrogateKeys: text('surrogate_keys').notNull(),
    relatedIds: text('related_ids'),
    json: bytea('json').notNull(),
  },
  (t) => [
    index('article_renderings_slug').on(t.slug),
    index('article_renderings_status_listed').on(t.status, t.listedAt, t.articleId),
    index('article_renderings_listed').on(t.listedAt, t.articleId),
    index('article_renderings_status_updated').on(t.status, t.updatedAt, t.articleId),
    index('article_renderings_updated').on(t.updatedAt, t.articleId),
    index('article_renderings_section_listed').on(t.sectionId, t.listedAt, t.articleId),
  ],
)

/** Webhooks: the same tables as SQLite's (src/db/schema.ts). */
export const webhookSubscriptions = pgTable('webhook_subscriptions', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  description: text('description'),
  events: jsonb('events').$type<string[]>().notNull(),
  secret: text('secret').notNull(),
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: text('previous_secret_expires_at'),
  active: boolean('active').notNull(),
  disabledReason: text('disabled_reason'),
  failingSince: text('failing_since'),
  version: integer('version').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
})

export const webhookEvents = pgTable(
  'webhook_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: text('id').notNull().unique(),
    type: text('type').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: text('created_at').notNull(),
    fannedOut: boolean('fanned_out').notNull().default(false),
  },
  (t) => [index('webhook_events_pending').on(t.fannedOut, t.seq), index('webhook_events_created').on(t.createdAt)],
)

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    subscriptionId: text('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id, { onDelete: 'cascade' }),
    eventId: text('event_id')
      .notNull()
      .references(() => webhookEvents.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: text('next_attempt_at'),
    leaseUntil: text('lease_until'),
    leaseToken: text('lease_token'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('webhook_deliveries_due').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_subscription').on(t.subscriptionId, t.id),
    index('webhook_deliveries_event').on(t.eventId),
  ],
)

export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: text('id').primaryKey(),
    deliveryId: text('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    at: text('at').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [index('webhook_attempts_delivery').on(t.deliveryId, t.at)],
)

/**
 * myNEWS readers. A reader is not an API key: its token (stored as a SHA-256
 * hash, like API keys) opens only the /v1/me routes. The private feed token
 * (for feed readers, which cannot send headers) is a second secret, also
 * stored hashed, revocable on its own. Deleting a reader deletes every row
 * below that names it, in one transaction (and by cascade).
 */
export const readers = pgTable('readers', {
  id: text('id').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  feedTokenHash: text('feed_token_hash').unique(),
  createdAt: text('created_at').notNull(),
})

/** What a reader follows: exactly one of topic, contributor or section (a section includes its subsections). */
export const readerFollows = pgTable(
  'reader_follows',
  {
    id: text('id').primaryKey(),
    readerId: text('reader_id').notNull().references(() => readers.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['topic', 'contributor', 'section'] }).notNull(),
    topicId: text('topic_id').references(() => topics.id, { onDelete: 'cascade' }),
    contributorId: text('contributor_id').references(() => contributors.id, { onDelete: 'cascade' }),
    sectionId: text('section_id').references(() => sections.id, { onDelete: 'cascade' }),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('reader_follows_topic').on(t.readerId, t.topicId),
    uniqueIndex('reader_follows_contributor').on(t.readerId, t.contributorId),
    uniqueIndex('reader_follows_section').on(t.readerId, t.sectionId),
    index('reader_follows_reader').on(t.readerId, t.createdAt, t.id),
    /** Most-followed topics (the empty feed's suggestions) and the cascades from the catalogue. */
    index('reader_follows_by_topic').on(t.topicId),
    index('reader_follows_by_contributor').on(t.contributorId),
    index('reader_follows_by_section').on(t.sectionId),
  ],
)

/** What a reader mutes: exactly one of topic or contributor. */
export const readerMutes = pgTable(
  'reader_mutes',
  {
    id: text('id').primaryKey(),
    readerId: text('reader_id').notNull().references(() => readers.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['topic', 'contributor'] }).notNull(),
    topicId: text('topic_id').references(() => topics.id, { onDelete: 'cascade' }),
    contributorId: text('contributor_id').references(() => contributors.id, { onDelete: 'cascade' }),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('reader_mutes_topic').on(t.readerId, t.topicId),
    uniqueIndex('reader_mutes_contributor').on(t.readerId, t.contributorId),
    index('reader_mutes_reader').on(t.readerId, t.createdAt, t.id),
    index('reader_mutes_by_topic').on(t.topicId),
    index('reader_mutes_by_contributor').on(t.contributorId),
  ],
)

/** Articles a reader marked read. */
export const readerReads = pgTable(
  'reader_reads',
  {
    readerId: text('reader_id').notNull().references(() => readers.id, { onDelete: 'cascade' }),
    articleId: text('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    readAt: text('read_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.readerId, t.articleId] }), index('reader_reads_article').on(t.articleId)],
)
