import type { apiKeys, articleChanges, articleCredits, articleRenderings, articles, contributors, media, sections, topics, webhookAttempts, webhookDeliveries, webhookSubscriptions } from './schema.js'

/**
 * Row types, once: the repositories (of any engine), the services and the
 * mappers name rows from here. Nothing here depends on a database engine.
 */
export type ArticleRow = typeof articles.$inferSelect
export type MediaRow = typeof media.$inferSelect
export type ContributorRow = typeof contributors.$inferSelect
export type TopicRow = typeof topics.$inferSelect
export type SectionRow = typeof sections.$inferSelect
export type ApiKeyRow = typeof apiKeys.$inferSelect
export type CreditRoleValue = (typeof articleCredits.$inferSelect)['role']

/** An article with everything its representation embeds. */
export interface ArticleAggregate {
  article: ArticleRow
  section: SectionRow | null
  credits: { role: CreditRoleValue; contributor: ContributorRow }[]
  topics: { primary: boolean; topic: TopicRow }[]
  media: Map<string, MediaRow>
}

/** Who made a revision, when, and why. */
export interface RevisionMeta {
  at: string
  actorKeyId: string | null
  message: string | null
}

/** What a revision stores: the article's content and workflow state at that version. */
export interface RevisionSnapshot
  extends Pick<
    ArticleRow,
    | 'slug' | 'type' | 'status' | 'language' | 'sectionId' | 'headlines' | 'summary' | 'leadMedia' | 'body' | 'printEdition'
    | 'corrections' | 'canonicalUrl' | 'embargoUntil' | 'scheduledAt' | 'publishedAt' | 'firstPublishedAt' | 'wordCount'
  > {
  credits: { contributorId: string; role: CreditRoleValue }[]
  topics: { topicId: string; primary: boolean }[]
}

export interface RevisionRow {
  articleId: string
  version: number
  createdAt: string
  actorKeyId: string | null
  message: string | null
  snapshot: RevisionSnapshot
}

/** What happened to an article, as the editors' changes feed names it. */
export type ChangeKind = (typeof articleChanges.$inferInsert)['kind']
/** What readers saw happen to it (null: nothing), as the public changes feed names it. */
export type PublicChangeKind = NonNullable<(typeof articleChanges.$inferInsert)['publicKind']>

export interface ChangeRow {
  seq: number
  articleId: string
  kind: string
  publicKind: string | null
  version: number
  at: string
}

/** What the renderer makes of an article version: the response bytes, their ETag and the CDN's purge keys. */
export interface Rendering {
  json: Buffer
  etag: string
  /** Space-separated. */
  surrogateKeys: string
  /** The ids related blocks name (a JSON array), or null: readers may see such an article without some blocks. */
  relatedIds: string | null
}

/** Renders an article version (a pure function, given to the data layer by the app). */
export type ArticleRenderer = (agg: ArticleAggregate) => Rendering

/** A stored rendering as a read finds it. */
export type StoredRendering = Pick<typeof articleRenderings.$inferSelect, 'articleId' | 'slug' | 'version' | 'etag' | 'updatedAt' | 'surrogateKeys' | 'relatedIds' | 'json'>

/** The headers of a stored rendering, enough to answer a 304. */
export type RenderingMeta = Omit<StoredRendering, 'json'>

/** A listed article: its stored rendering and sort keys; search results also carry their relevance and a highlighted snippet. */
export interface ListedArticle extends StoredRendering {
  listedAt: string
  rank?: number
  snippet?: string
}

/** What webhooks report: what readers saw happen to an article (never a draft's edit), and every change to the catalogue. */
export const WEBHOOK_EVENT_TYPES = [
  'article.published',
  'article.updated',
  'article.unpublished',
  'article.deleted',
  'article.corrected',
  'section.created',
  'section.updated',
  'section.deleted',
  'topic.created',
  'topic.updated',
  'topic.deleted',
  'contributor.created',
  'contributor.updated',
  'contributor.deleted',
  'media.created',
  'media.updated',
  'media.deleted',
] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]
/** What an event carries: the id and version of what changed (the receiver reads the resource itself). */
export type WebhookEventData = { id: string; version: number }

export type WebhookSubscriptionRow = typeof webhookSubscriptions.$inferSelect
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect
export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect
