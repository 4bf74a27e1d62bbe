import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { ArticleOut } from '../schemas/article.js'
import { FORMAT_DOCS } from '../schemas/syndication.js'
import type { FormatContext } from '../formats/context.js'
import { bodyText } from '../services/bodyText.js'
import { JSON_LD_TYPE, newsArticle, newsArticleList } from '../formats/jsonld.js'
import { ninjs, ninjsContentType, ninjsList } from '../formats/ninjs.js'
import { ARTICLE_MEDIA_TYPES, articleFormat, type ArticleFormat } from '../formats/negotiate.js'
import { HttpProblem } from '../plugins/problem.js'
import { ValidationError } from '../errors.js'

/** Bumped whenever a format's output changes for the same article, so that ETags of the old output stop matching. */
const FORMATS_REVISION = '2'

/** What changes every format document at once: the code's revision and the context (base URL, URL template, publisher). */
export function formatFingerprint(ctx: FormatContext): string {
  return createHash('sha256').update(FORMATS_REVISION).update(JSON.stringify(ctx)).digest('hex').slice(0, 16)
}

/**
 * The ETag of an article in a format, from the ETag of its stored JSON
 * rendering: the document is a pure function of that rendering, the format
 * and the context, so the tag is decided without loading or rendering the
 * body. It keeps the "<version>-<hash>" form, so If-Match takes it too.
 */
export function formatEtag(jsonEtag: string, format: Exclude<ArticleFormat, 'json'>, fingerprint: string): string {
  const version = /^"(\d+)-/.exec(jsonEtag)?.[1] ?? '0'
  return `"${version}-${createHash('sha256').update(`${jsonEtag} ${format} ${fingerprint}`).digest('hex').slice(0, 16)}"`
}

export const contentTypeOf = (format: ArticleFormat): string =>
  format === 'json' ? 'application/json; charset=utf-8' : format === 'jsonld' ? `${JSON_LD_TYPE}; charset=utf-8` : ninjsContentType(format === 'ninjs3' ? '3' : '2')

/** The format a read asks for (`?format=`, else Accept), or a 406 that lists what we produce. */
export function negotiateArticle(request: FastifyRequest & { query: { format?: ArticleFormat | undefined } }): ArticleFormat {
  const format = articleFormat(request.headers.accept, request.query.format)
  if (format === null) throw notAcceptable(request.headers.accept, ARTICLE_MEDIA_TYPES)
  return format
}

/**
 * `fields`, `include` and `total` shape the JSON page; a JSON-LD ItemList or a
 * ninjs package has no place for them, so asking for them there is a 400, not
 * dropped. (The next page is in the Link header, in every format.)
 */
export function checkListQuery(format: ArticleFormat, query: { fields?: unknown; include?: unknown; total?: boolean | undefined }): void {
  if (format === 'json') return
  const asked = (['fields', 'include', 'total'] as const).filter((name) => query[name] !== undefined && query[name] !== false)
  if (asked.length > 0) {
    throw new ValidationError(
      `${asked.join(', ')} shape the JSON list only; ask for JSON (application/json or format=json) to use them.`,
      asked.map((name) => ({ path: `/query/${name}`, message: `not available with format=${format}` })),
    )
  }
}

export function notAcceptable(accept: string | undefined, accepted: string[]): HttpProblem {
  return new HttpProblem({
    status: 406,
    code: 'not-acceptable',
    detail: `This resource is available as ${accepted.join(', ')}; the request accepts only ${accept ?? 'nothing'}.`,
    extra: { accepted },
  })
}

const parse = (json: Buffer) => JSON.parse(json.toString('utf8')) as ArticleOut

/**
 * A document as JSON with every `<` escaped (`\u003c`, the same string to a JSON
 * parser): a site pastes JSON-LD into `<script type="application/ld+json">`,
 * where a headline holding `</script>` would otherwise end the script.
 */
const stringify = (doc: unknown) => JSON.stringify(doc).replace(/</g, '\\u003c')

/** One article's stored JSON rendering as a document of this format. */
export function renderArticle(format: Exclude<ArticleFormat, 'json'>, json: Buffer, ctx: FormatContext): string {
  const article = parse(json)
  const text = bodyText(article.body, { captions: false })
  return stringify(format === 'jsonld' ? newsArticle(article, text, ctx) : ninjs(article, text, ctx, format === 'ninjs3' ? '3' : '2'))
}

/** A page of stored renderings as one document of this format (an ItemList, a ninjs package). */
export function renderList(format: Exclude<ArticleFormat, 'json'>, items: { json: Buffer }[], ctx: FormatContext, url: string): string {
  const articles = items.map(({ json }) => {
    const article = parse(json)
    return { article, text: bodyText(article.body, { captions: false }) }
  })
  const newest = articles.reduce((max, { article }) => (article.updatedAt > max ? article.updatedAt : max), new Date(0).toISOString())
  return stringify(format === 'jsonld' ? newsArticleList(articles, ctx, url) : ninjsList(articles, ctx, url, format === 'ninjs3' ? '3' : '2', newest))
}

/**
 * The `x-formats` marker of an operation whose 200 has other representations:
 * src/plugins/swagger.ts adds them to the documented response (with a 406).
 */
export const ARTICLE_FORMATS_DOC = {
  [JSON_LD_TYPE]: FORMAT_DOCS.jsonld,
  'application/vnd.iptc.ninjs+json': FORMAT_DOCS.ninjs,
}
