import type { Static } from '@sinclair/typebox'
import type { ArticleAggregate, ListedArticle, RevisionRow } from '../db/rows.js'
import type { Revision, RevisionSummary } from '../schemas/revision.js'
import type { ArticleList, ArticleOut, BodyBlockOutValue, BodyBlockValue } from '../schemas/article.js'
import type { MediaOut } from '../schemas/media.js'
import escapeHtml from 'escape-html'
import { mapContributor, mapMedia, mapSection, mapTopic } from './catalog.js'

/**
 * A stored block as read. Each block is rebuilt field by field, so the output
 * holds exactly what its schema (one branch of BodyBlockOut) allows. Image and
 * video blocks get the resolved caption and credit (the block's own, else the
 * media item's) and embed their media item.
 */
function mapBlock(block: BodyBlockValue, mediaOf: (id: string) => MediaOut | undefined): BodyBlockOutValue {
  const opt = <K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } => (value === undefined || value === null ? {} : ({ [key]: value } as { [P in K]?: V }))
  const withMedia = (mediaId: string | undefined, caption: string | undefined, credit: string | undefined) => {
    const media = mediaId === undefined ? undefined : mediaOf(mediaId)
    return { ...opt('caption', caption ?? media?.caption), ...opt('credit', credit ?? media?.credit), ...opt('media', media) }
  }
  switch (block.type) {
    case 'paragraph':
      return { type: block.type, html: block.html }
    case 'heading':
      return { type: block.type, level: block.level, text: block.text }
    case 'image':
      return { type: block.type, mediaId: block.mediaId, ...withMedia(block.mediaId, block.caption, block.credit) }
    case 'video':
      return { type: block.type, ...opt('mediaId', block.mediaId), ...opt('url', block.url), ...opt('title', block.title), ...withMedia(block.mediaId, undefined, undefined) }
    case 'quote':
      return { type: block.type, text: block.text, ...opt('attribution', block.attribution) }
    case 'list':
      return { type: block.type, ordered: block.ordered, items: [...block.items] }
    case 'embed':
      return { type: block.type, provider: block.provider, url: block.url, ...opt('html', block.html) }
    case 'ad':
      return { type: block.type, slot: block.slot }
    case 'related':
      return { type: block.type, articleId: block.articleId }
  }
}

export function mapArticle(agg: ArticleAggregate): ArticleOut {
  const a = agg.article
  const mediaOf = (id: string) => {
    const m = agg.media.get(id)
    return m ? mapMedia(m) : undefined
  }
  const body = a.body.map((block) => mapBlock(block, mediaOf))
  const lead = a.leadMedia ? mediaOf(a.leadMedia.mediaId) : undefined
  return {
    id: a.id,
    slug: a.slug,
    type: a.type,
    status: a.status,
    language: a.language,
    section: agg.section ? { id: agg.section.id, name: agg.section.name, slug: agg.section.slug, path: agg.section.path } : null,
    headlines: a.headlines,
    summary: a.summary,
    leadMedia:
      a.leadMedia && lead
        ? { mediaId: a.leadMedia.mediaId, caption: a.leadMedia.caption ?? lead.caption, credit: a.leadMedia.credit ?? lead.credit, media: lead }
        : null,
    body,
    credits: agg.credits.map((c) => ({
      role: c.role,
      contributor: { id: c.contributor.id, name: c.contributor.name, slug: c.contributor.slug, kind: c.contributor.kind },
    })),
    topics: agg.topics.map((t) => ({ id: t.topic.id, name: t.topic.name, slug: t.topic.slug, kind: t.topic.kind, primary: t.primary })),
    printEdition: a.printEdition,
    corrections: a.corrections,
    canonicalUrl: a.canonicalUrl,
    wordCount: a.wordCount,
    version: a.version,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    firstPublishedAt: a.firstPublishedAt,
    publishedAt: a.publishedAt,
    scheduledAt: a.scheduledAt,
    embargoUntil: a.embargoUntil,
  }
}

export function mapRevisionSummary(r: RevisionRow): Static<typeof RevisionSummary> {
  return { version: r.version, createdAt: r.createdAt, actorKeyId: r.actorKeyId, message: r.message }
}

export function mapRevision(r: RevisionRow): Static<typeof Revision> {
  return { ...mapRevisionSummary(r), snapshot: r.snapshot }
}

/** A search snippet: escaped text, with the match markers of the search engine (\u0002 … \u0003, on both databases) turned into <mark>. */
export function markSnippet(raw: string): string {
  return escapeHtml(raw).replace(/\u0002/g, '<mark>').replace(/\u0003/g, '</mark>')
}

const COMMA = Buffer.from(',')

/**
 * One list item's JSON: the article's stored rendering as it is, plus the
 * snippet and score of a search, or, with `fields`, only those fields (and id).
 */
export function listItemJson(item: ListedArticle, fields: string[] | undefined): Buffer {
  const extra: { snippet?: string; score?: number } = {}
  if (item.snippet !== undefined) extra.snippet = markSnippet(item.snippet)
  // bm25 is lower for better matches; clients get "higher is better".
  if (item.rank !== undefined) extra.score = -item.rank
  if (fields) {
    const keep = new Set(['id', 'snippet', 'score', ...fields])
    const full: Record<string, unknown> = { ...(JSON.parse(item.json.toString('utf8')) as object), ...extra }
    return Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(full).filter(([k]) => keep.has(k)))))
  }
  if (extra.snippet === undefined && extra.score === undefined) return item.json
  // A rendering is one JSON object: the extra members go before its closing brace.
  return Buffer.concat([item.json.subarray(0, item.json.length - 1), COMMA, Buffer.from(JSON.stringify(extra).slice(1))])
}

/**
 * A page of articles as JSON bytes (the ArticleList schema): the stored
 * renderings are copied in, never parsed and serialised again; the rest is
 * small and whitelisted by its mappers.
 */
export function listJson(items: ListedArticle[], fields: string[] | undefined, rest: Omit<Static<typeof ArticleList>, 'data'>): Buffer {
  const parts: Buffer[] = [Buffer.from('{"data":[')]
  items.forEach((item, i) => {
    if (i > 0) parts.push(COMMA)
    parts.push(listItemJson(item, fields))
  })
  parts.push(Buffer.from(`],${JSON.stringify(rest).slice(1)}`))
  return Buffer.concat(parts)
}

/** The full related resources of a page, once each, for include=. */
export function includedOf(items: ArticleAggregate[], include: string[]): Static<typeof ArticleList>['included'] {
  const byId = <T extends { id: string }>(rows: T[]) => [...new Map(rows.map((r) => [r.id, r])).values()]
  const out: NonNullable<Static<typeof ArticleList>['included']> = {}
  if (include.includes('contributors')) out.contributors = byId(items.flatMap((i) => i.credits.map((c) => c.contributor))).map(mapContributor)
  if (include.includes('topics')) out.topics = byId(items.flatMap((i) => i.topics.map((t) => t.topic))).map(mapTopic)
  if (include.includes('sections')) out.sections = byId(items.flatMap((i) => (i.section ? [i.section] : []))).map(mapSection)
  return out
}
