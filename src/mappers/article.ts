import type { Static } from '@sinclair/typebox'
import type { ArticleAggregate } from '../db/index.js'
import type { ArticleOut, BodyBlockOut } from '../schemas/article.js'
import { mapMedia } from './catalog.js'

type BlockOut = Static<typeof BodyBlockOut>

export function mapArticle(agg: ArticleAggregate): ArticleOut {
  const a = agg.article
  const mediaOf = (id: string) => {
    const m = agg.media.get(id)
    return m ? mapMedia(m) : undefined
  }
  const body = a.body.map((block): BlockOut => {
    if (block.type === 'image' || (block.type === 'video' && block.mediaId !== undefined)) {
      const media = mediaOf(block.mediaId!)
      const out: BlockOut = { ...block }
      if (block.type === 'image') {
        const caption = block.caption ?? media?.caption ?? undefined
        const credit = block.credit ?? media?.credit ?? undefined
        if (caption !== undefined) out.caption = caption
        if (credit !== undefined) out.credit = credit
      }
      if (media) out.media = media
      return out
    }
    return { ...block }
  })
  const lead = a.leadMedia ? mediaOf(a.leadMedia.mediaId) : undefined
  return {
    id: a.id,
    slug: a.slug,
    type: a.type,
    status: a.status,
    language: a.language,
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
