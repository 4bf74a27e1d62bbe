import type { articleCredits, articleRenderings, articles, contributors, media, sections, topics } from './schema.js'

/** Row types, once: every repository and the rest of the app name rows from here. */
export type ArticleRow = typeof articles.$inferSelect
export type MediaRow = typeof media.$inferSelect
export type ContributorRow = typeof contributors.$inferSelect
export type TopicRow = typeof topics.$inferSelect
export type SectionRow = typeof sections.$inferSelect
export type CreditRoleValue = (typeof articleCredits.$inferSelect)['role']

/** An article with everything its representation embeds. */
export interface ArticleAggregate {
  article: ArticleRow
  section: SectionRow | null
  credits: { role: CreditRoleValue; contributor: ContributorRow }[]
  topics: { primary: boolean; topic: TopicRow }[]
  media: Map<string, MediaRow>
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
