import { Feed } from 'feed'

/** What a private feed needs of each article (from its stored rendering) and of the follows it matched. */
export interface ReaderFeedEntry {
  article: {
    id: string
    slug: string
    headlines: { basic: string }
    summary?: string | null
    canonicalUrl?: string | null
    publishedAt?: string | null
    updatedAt: string
  }
  reasons: string[]
}

export type ReaderFeedFormat = 'rss' | 'json'
export const READER_FEED_TYPES: Record<ReaderFeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
}

/**
 * A reader's personal feed as RSS 2.0 or JSON Feed (the `feed` library),
 * for feed readers, which reach it through its private URL. `baseUrl` makes
 * links absolute; each item's categories are the follows it matched.
 */
export function renderReaderFeed(format: ReaderFeedFormat, entries: ReaderFeedEntry[], options: { baseUrl: string; selfPath: string }): string {
  const base = options.baseUrl.replace(/\/$/, '')
  const feed = new Feed({
    id: `${base}${options.selfPath}`,
    title: 'myNEWS: your personal feed',
    description: 'The stories that match what you follow.',
    link: base,
    copyright: '',
    generator: 'Newsdesk',
    updated: entries[0] ? new Date(entries[0].article.updatedAt) : new Date(0),
    feedLinks: { [format]: `${base}${options.selfPath}` },
  })
  for (const { article, reasons } of entries) {
    const link = article.canonicalUrl ?? `${base}/v1/articles/${article.slug}`
    feed.addItem({
      id: article.id,
      guid: article.id,
      title: article.headlines.basic,
      link,
      date: new Date(article.updatedAt),
      ...(article.publishedAt ? { published: new Date(article.publishedAt) } : {}),
      ...(article.summary ? { description: article.summary } : {}),
      category: reasons.map((name) => ({ name })),
    })
  }
  return format === 'rss' ? feed.rss2() : feed.json1()
}
