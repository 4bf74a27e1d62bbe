import { sqliteTable, text, integer, blob, index, uniqueIndex, primaryKey, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
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

export const sections = sqliteTable(
  'sections',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    parentId: text('parent_id').references((): AnySQLiteColumn => sections.id, { onDelete: 'restrict' }),
    /** Slugs from the root, joined by '/': news/world/asia. Unique. */
    path: text('path').notNull().unique(),
    description: text('description'),
    version: integer('version').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('sections_parent').on(t.parentId)],
)

export const articles = sqliteTable(
  'articles',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull().unique(),
    type: text('type', { enum: ['news', 'opinion', 'feature', 'letter', 'brief', 'live'] }).notNull(),
    status: text('status', { enum: ['draft', 'scheduled', 'published', 'archived'] }).notNull(),
    language: text('language').notNull(),
    sectionId: text('section_id').references(() => sections.id, { onDelete: 'restrict' }),
    headline: text('headline').notNull(),
    headlines: text('headlines', { mode: 'json' }).$type<ArticleStored['headlines']>().notNull(),
    summary: text('summary'),
    leadMedia: text('lead_media', { mode: 'json' }).$type<ArticleStored['leadMedia']>(),
    body: text('body', { mode: 'json' }).$type<ArticleStored['body']>().notNull(),
    printEdition: text('print_edition', { mode: 'json' }).$type<ArticleStored['printEdition']>(),
    corrections: text('corrections', { mode: 'json' }).$type<ArticleStored['corrections']>().notNull(),
    canonicalUrl: text('canonical_url'),
    wordCount: integer('word_count').notNull(),
    /** The body as plain text (derived on write), for search and feeds. */
    bodyText: text('body_text').notNull(),
    /** The row of this article in the articles_fts full-text index (see the search migration). */
    searchRowid: integer('search_rowid').notNull().unique(),
    /** Whether readers could see the article after its last recorded change (drives the public changes feed). */
    publicVisible: integer('public_visible', { mode: 'boolean' }).notNull(),
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
    index('articles_section').on(t.sectionId),
    index('articles_scheduled').on(t.status, t.scheduledAt),
    index('articles_embargo').on(t.publicVisible, t.status, t.embargoUntil),
    index('articles_status_updated').on(t.status, t.updatedAt, t.id),
    index('articles_status_published').on(t.status, t.publishedAt, t.id),
    index('articles_updated').on(t.updatedAt, t.id),
    /** Searches join each match on search_rowid and filter on visibility: covered here, no table row is read. */
    index('articles_search_cover').on(t.searchRowid, t.status, t.embargoUntil, t.sectionId, t.listedAt, t.updatedAt, t.id),
    /**
     * Each article's version, for the check at start for stale renderings (renderings.refreshStale): `version`
     * sits after the body columns, so without this the check read every article's overflow pages, the whole
     * table (seconds at 10,000 articles on a cold cache, about 30 CPU-s at 100,000).
     */
    index('articles_id_version').on(t.id, t.version),
  ],
)

export const articleCredits = sqliteTable(
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

export const articleTopics = sqliteTable(
  'article_topics',
  {
    articleId: text('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    topicId: text('topic_id').notNull().references(() => topics.id, { onDelete: 'restrict' }),
    primary: integer('is_primary', { mode: 'boolean' }).notNull(),
    /** The article's list order key, copied here with its rendering: a topic's articles come newest first from the index. */
    listedAt: text('listed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.articleId, t.position] }),
    uniqueIndex('article_topics_unique').on(t.articleId, t.topicId),
    index('article_topics_topic').on(t.topicId),
    index('article_topics_topic_listed').on(t.topicId, t.listedAt, t.articleId),
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

/**
 * Every change to an article, in commit order, for the changes feed. `kind` is
 * what happened; `publicKind` is what readers saw happen (published when it
 * became visible, updated while visible, unpublished when it stopped being
 * visible, deleted), or null when readers saw nothing. Rows outlive the article.
 */
export const articleChanges = sqliteTable(
  'article_changes',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    articleId: text('article_id').notNull(),
    kind: text('kind', { enum: ['created', 'updated', 'published', 'unpublished', 'scheduled', 'archived', 'restored', 'deleted'] }).notNull(),
    publicKind: text('public_kind', { enum: ['published', 'updated', 'unpublished', 'deleted'] }),
    version: integer('version').notNull(),
    at: text('at').notNull(),
  },
  (t) => [index('article_changes_public').on(t.publicKind, t.seq), index('article_changes_article').on(t.articleId)],
)

/**
 * The read model: each article's current version, rendered once when it is
 * written (the JSON bytes, the ETag, the surrogate keys), beside the few
 * columns reads filter and sort on, so that a read is one primary-key lookup
 * and a list never touches the large content columns of `articles`. Written in
 * the same transaction as every change to the article or to anything it
 * embeds (a contributor's name, a section's path). `json` is the last column:
 * a 304 or a list filter reads the row without its overflow pages.
 */
export const articleRenderings = sqliteTable(
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
    /** The ids its related blocks name (a JSON array), or null: only such an article reads differently for readers. */
    relatedIds: text('related_ids'),
    json: blob('json', { mode: 'buffer' }).notNull(),
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

/**
 * Webhooks. A subscription names a URL, the events it wants and the secret
 * its deliveries are signed with (kept readable: signing needs it), plus the
 * previous secret while a rotation's overlap lasts.
 */
export const webhookSubscriptions = sqliteTable('webhook_subscriptions', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  description: text('description'),
  /** Event types and wildcards (article.*, *), a JSON array. */
  events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
  secret: text('secret').notNull(),
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: text('previous_secret_expires_at'),
  active: integer('active', { mode: 'boolean' }).notNull(),
  disabledReason: text('disabled_reason'),
  /** When the run of failed attempts that is still going on began (null: the last attempt succeeded). */
  failingSince: text('failing_since'),
  version: integer('version').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
})

/**
 * The outbox: one row per event, written in the transaction of the change it
 * reports. The dispatcher fans each out into deliveries (one per subscription
 * that wants it) and deletes the events nobody wanted. `id` is the
 * webhook-id every delivery of the event carries.
 */
export const webhookEvents = sqliteTable(
  'webhook_events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    type: text('type').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: text('created_at').notNull(),
    fannedOut: integer('fanned_out', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('webhook_events_pending').on(t.fannedOut, t.seq), index('webhook_events_created').on(t.createdAt)],
)

/** One event to one subscription: its state, its next attempt, and the lease of the process sending it. */
export const webhookDeliveries = sqliteTable(
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

/** Every attempt to send a delivery, as it went. */
export const webhookAttempts = sqliteTable(
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
export const readers = sqliteTable('readers', {
  id: text('id').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  feedTokenHash: text('feed_token_hash').unique(),
  createdAt: text('created_at').notNull(),
})

/** What a reader follows: exactly one of topic, contributor or section (a section includes its subsections). */
export const readerFollows = sqliteTable(
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
export const readerMutes = sqliteTable(
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
export const readerReads = sqliteTable(
  'reader_reads',
  {
    readerId: text('reader_id').notNull().references(() => readers.id, { onDelete: 'cascade' }),
    articleId: text('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    readAt: text('read_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.readerId, t.articleId] }), index('reader_reads_article').on(t.articleId)],
)
