import type { ArticleOut } from '../schemas/article.js'
import { imagesOf, videosOf } from './body.js'
import { articleUrl, contributorUrl, mediaUrl, type FormatContext } from './context.js'

export const JSON_LD_TYPE = 'application/ld+json'

type Json = Record<string, unknown>
const defined = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)))

/** ISO 8601 duration of whole seconds (PT1M30S). */
const duration = (seconds: number | null) => (seconds === null ? undefined : `PT${Math.floor(seconds / 60) > 0 ? `${Math.floor(seconds / 60)}M` : ''}${seconds % 60}S`)

const contributor = (c: ArticleOut['credits'][number]['contributor'], ctx: FormatContext): Json => ({
  '@type': c.kind === 'person' ? 'Person' : 'Organization',
  name: c.name,
  url: contributorUrl(ctx, c.slug),
})

export function publisherOf(ctx: FormatContext): Json {
  return defined({ '@type': 'Organization', name: ctx.publisherName, url: ctx.baseUrl, logo: ctx.publisherLogoUrl ? { '@type': 'ImageObject', url: ctx.publisherLogoUrl } : undefined })
}

/**
 * A schema.org NewsArticle, with what Google's article structured data
 * recommends: headline, images (lead first), dates, authors (Person or
 * Organization by contributor kind, with a url), publisher, section,
 * keywords, print edition, corrections, free access, and videos as VideoObjects.
 */
export function newsArticle(article: ArticleOut, text: string, ctx: FormatContext, options: { context?: boolean } = {}): Json {
  const url = articleUrl(article, ctx)
  const bylines = article.credits.filter((c) => c.role === 'byline')
  const others = article.credits.filter((c) => c.role !== 'byline')
  const agencies = others.filter((c) => c.contributor.kind !== 'person' && (c.role === 'additional-reporting' || c.role === 'editing'))
  const print = article.printEdition
  return defined({
    ...(options.context === false ? {} : { '@context': 'https://schema.org' }),
    '@type': 'NewsArticle',
    '@id': url,
    url,
    mainEntityOfPage: { '@type': 'WebPage', '@id': url },
    identifier: article.id,
    headline: article.headlines.basic,
    alternativeHeadline: article.headlines.seo ?? article.headlines.social,
    description: article.summary,
    // A photo without a file yet (known from an import by its caption) is named by its resource in this API.
    image: imagesOf(article).map(({ media, caption, credit }) =>
      defined({ '@type': 'ImageObject', '@id': media.url ? undefined : mediaUrl(ctx, media.id), url: media.url, contentUrl: media.url, width: media.width, height: media.height, caption, creditText: credit, copyrightNotice: media.copyright }),
    ),
    datePublished: article.firstPublishedAt ?? article.publishedAt,
    dateModified: article.updatedAt,
    // Without a byline, the agencies credited are the authors (wire copy), else the publisher.
    author: bylines.length > 0 ? bylines.map((c) => contributor(c.contributor, ctx)) : agencies.length > 0 ? agencies.map((c) => contributor(c.contributor, ctx)) : [publisherOf(ctx)],
    contributor: others.filter((c) => bylines.length > 0 || !agencies.includes(c)).map((c) => contributor(c.contributor, ctx)),
    publisher: publisherOf(ctx),
    articleSection: article.section?.name,
    keywords: article.topics.map((t) => t.name),
    inLanguage: article.language,
    wordCount: article.wordCount,
    articleBody: text,
    printEdition: print ? [print.publication, print.editionDate].filter(Boolean).join(', ') : undefined,
    printSection: print?.section,
    printPage: print?.page,
    correction: article.corrections.map((c) => ({ '@type': 'CorrectionComment', text: c.text, datePublished: c.at })),
    isAccessibleForFree: true,
    video: videosOf(article).map((v) =>
      defined({
        '@type': 'VideoObject',
        name: v.title ?? v.caption ?? article.headlines.basic,
        description: v.caption ?? v.title ?? undefined,
        contentUrl: v.media?.url ?? undefined,
        embedUrl: v.media ? undefined : (v.url ?? undefined),
        thumbnailUrl: v.media?.renditions.filter((r) => !r.mimeType || r.mimeType.startsWith('image/')).map((r) => r.url),
        uploadDate: v.media?.createdAt ?? article.firstPublishedAt ?? article.updatedAt,
        duration: duration(v.media?.durationSeconds ?? null),
        creditText: v.credit ?? undefined,
      }),
    ),
  })
}

/** A page of articles as a schema.org ItemList of NewsArticles. */
export function newsArticleList(items: { article: ArticleOut; text: string }[], ctx: FormatContext, url: string): Json {
  return {
    '@context': 'https://schema.org',
    '@type': 'ItemList',
    url,
    numberOfItems: items.length,
    itemListElement: items.map(({ article, text }, i) => ({ '@type': 'ListItem', position: i + 1, item: newsArticle(article, text, ctx, { context: false }) })),
  }
}
