import type { ArticleOut } from '../schemas/article.js'

/**
 * What every format needs beside the article: absolute URLs and who publishes.
 * Built once from the config (src/app.ts); the formats are pure functions of
 * an article and this.
 */
export interface FormatContext {
  /** PUBLIC_URL (or the address the server listens on), without a trailing slash: the base of every link. */
  baseUrl: string
  /** ARTICLE_URL_TEMPLATE: an article's page on the newsroom's site (see articleUrl). */
  articleUrlTemplate: string
  /** The publisher named in JSON-LD and feeds. */
  publisherName: string
  publisherLogoUrl: string | undefined
}

export const DEFAULT_ARTICLE_URL_TEMPLATE = '{base}/v1/articles/{slug}'

/** The placeholders an article URL template may use. */
export const URL_PLACEHOLDERS = ['base', 'id', 'slug', 'section', 'type', 'language', 'yyyy', 'mm', 'dd'] as const

/** A template's problem, or null: only known placeholders, and an absolute http(s) URL once filled in. */
export function templateProblem(template: string): string | null {
  for (const [, name] of template.matchAll(/\{([^}]*)\}/g)) {
    if (!(URL_PLACEHOLDERS as readonly string[]).includes(name!)) return `unknown placeholder {${name}} (known: ${URL_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`
  }
  const sample = template.replace(/\{[^}]*\}/g, 'x')
  return /^https?:\/\/[^\s/]+/.test(sample) || template.startsWith('{base}') ? null : 'must start with {base} or http(s)://'
}

export function formatContext(options: { publicUrl: string; articleUrlTemplate?: string | undefined; publisherName?: string | undefined; publisherLogoUrl?: string | undefined }): FormatContext {
  return {
    baseUrl: options.publicUrl.replace(/\/+$/, ''),
    articleUrlTemplate: options.articleUrlTemplate ?? DEFAULT_ARTICLE_URL_TEMPLATE,
    publisherName: options.publisherName ?? 'Newsdesk',
    publisherLogoUrl: options.publisherLogoUrl,
  }
}

/** The article's page: its canonicalUrl when it has one, else the template filled in (each value URL-encoded, the section path keeps its slashes). */
export function articleUrl(article: Pick<ArticleOut, 'id' | 'slug' | 'type' | 'language' | 'section' | 'canonicalUrl' | 'firstPublishedAt' | 'publishedAt' | 'createdAt'>, ctx: FormatContext): string {
  if (article.canonicalUrl) return article.canonicalUrl
  const date = article.firstPublishedAt ?? article.publishedAt ?? article.createdAt
  const values: Record<string, string> = {
    base: ctx.baseUrl,
    id: encodeURIComponent(article.id),
    slug: encodeURIComponent(article.slug),
    section: (article.section?.path ?? '').split('/').map(encodeURIComponent).join('/'),
    type: article.type,
    language: article.language,
    yyyy: date.slice(0, 4),
    mm: date.slice(5, 7),
    dd: date.slice(8, 10),
  }
  const filled = ctx.articleUrlTemplate.replace(/\{([a-z]+)\}/g, (_, name: string) => values[name] ?? '')
  // An article without a section leaves an empty segment: close it up (never the scheme's //).
  return filled.replace(/([^:/])\/{2,}/g, '$1/')
}

/** API addresses of the resources an article names, absolute under the base. */
export const apiUrl = (ctx: FormatContext, path: string) => `${ctx.baseUrl}${path}`
export const articleApiUrl = (ctx: FormatContext, id: string) => apiUrl(ctx, `/v1/articles/${encodeURIComponent(id)}`)
export const contributorUrl = (ctx: FormatContext, slug: string) => apiUrl(ctx, `/v1/contributors/${encodeURIComponent(slug)}`)
export const topicUrl = (ctx: FormatContext, slug: string) => apiUrl(ctx, `/v1/topics/${encodeURIComponent(slug)}`)
export const mediaUrl = (ctx: FormatContext, id: string) => apiUrl(ctx, `/v1/media/${encodeURIComponent(id)}`)
