import { Feed, type Category, type Item } from 'feed'
import type { ArticleOut } from '../schemas/article.js'
import { bodyHtml, imagesOf } from './body.js'
import { articleUrl, contributorUrl, type FormatContext } from './context.js'

export type FeedFormat = 'rss' | 'atom' | 'json'

export const FEED_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  json: 'application/feed+json',
}

export interface FeedMeta {
  /** The feed's own address (without the format), and its title and description. */
  url: string
  title: string
  description: string
  /** The page the feed stands for (the newsroom's site). */
  link: string
  language?: string
  /** The feed's address in this format, when it is not `url?format=` (the private feed has the format in its path). */
  self?: string
}

export interface FeedOptions {
  /** The whole body as each item's content (else the standfirst only). */
  full?: boolean
  /** Each item's categories (by the article and its place in the list): the article's topics unless given. */
  categories?: (article: ArticleOut, index: number) => Category[]
}

const topicCategories = (article: ArticleOut): Category[] => article.topics.map((t) => ({ name: t.name, term: t.slug }))


/**
 * An article as a feed item: the standfirst as its description, the full body
 * HTML as its content with `full`, bylines as authors, the given categories,
 * and the lead image as an enclosure (RSS), an enclosure link (Atom) and the
 * item's image (JSON Feed).
 */
function itemOf(article: ArticleOut, ctx: FormatContext, full: boolean, category: Category[]): Item {
  const lead = imagesOf(article)[0]
  const authors = article.credits.filter((c) => c.role === 'byline').map((c) => ({ name: c.contributor.name, link: contributorUrl(ctx, c.contributor.slug) }))
  const published = new Date(article.firstPublishedAt ?? article.publishedAt ?? article.updatedAt)
  return {
    title: article.headlines.basic,
    id: `urn:uuid:${article.id}`,
    guid: `urn:uuid:${article.id}`,
    link: articleUrl(article, ctx),
    date: new Date(article.updatedAt),
    published,
    description: article.summary ?? undefined,
    ...(full ? { content: bodyHtml(article, ctx) } : {}),
    // The library reads author[0] whenever the list is there: an empty one is left out.
    ...(authors.length > 0 ? { author: authors } : {}),
    category,
    ...(lead?.media.url
      ? { image: { url: lead.media.url, type: lead.media.mimeType ?? 'image/jpeg', ...(lead.media.sizeBytes ? { length: lead.media.sizeBytes } : {}), ...(lead.caption ? { title: lead.caption } : {}) } }
      : {}),
  }
}

/**
 * A feed of these articles, newest first, in RSS 2.0, Atom 1.0 or JSON Feed
 * 1.1, built with the `feed` library. Its JSON output is JSON Feed 1.0, so it
 * is lifted to 1.1 here: the version URL, `authors` lists and `language`.
 * The public feeds and a reader's private feed are both built here, so that
 * their items are the same (the private feed's categories are the follows
 * each item matched).
 */
export function buildFeed(format: FeedFormat, articles: ArticleOut[], meta: FeedMeta, ctx: FormatContext, options: FeedOptions = {}): string {
  const updated = articles.reduce<string | null>((max, a) => (max === null || a.updatedAt > max ? a.updatedAt : max), null)
  const feed = new Feed({
    id: meta.url,
    title: meta.title,
    description: meta.description,
    link: meta.link,
    language: meta.language ?? 'en',
    updated: new Date(updated ?? 0),
    generator: 'Newsdesk',
    copyright: `© ${ctx.publisherName}`,
    feedLinks: { [format]: meta.self ?? `${meta.url}?format=${format}` },
    ...(ctx.publisherLogoUrl ? { image: ctx.publisherLogoUrl } : {}),
    author: { name: ctx.publisherName, link: ctx.baseUrl },
  })
  const categories = options.categories ?? topicCategories
  articles.forEach((article, i) => feed.addItem(itemOf(article, ctx, options.full === true, categories(article, i))))
  if (format === 'rss') return feed.rss2()
  if (format === 'atom') return feed.atom1()
  const doc = JSON.parse(feed.json1()) as { version: string; items: { author?: unknown; authors?: unknown[]; language?: string }[]; author?: unknown; authors?: unknown[]; language?: string }
  doc.version = 'https://jsonfeed.org/version/1.1'
  doc.language = meta.language ?? 'en'
  if (doc.author) doc.authors = [doc.author]
  doc.items.forEach((item, i) => {
    const authors = articles[i]!.credits.filter((c) => c.role === 'byline').map((c) => ({ name: c.contributor.name, url: contributorUrl(ctx, c.contributor.slug) }))
    delete item.author
    if (authors.length > 0) item.authors = authors
    item.language = articles[i]!.language
  })
  delete doc.author
  return JSON.stringify(doc)
}

