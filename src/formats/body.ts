import escapeHtml from 'escape-html'
import type { ArticleOut, BodyBlockOutValue } from '../schemas/article.js'
import { articleApiUrl, type FormatContext } from './context.js'

type Block = BodyBlockOutValue

/** One block as HTML for syndication (ads left out; related blocks become links). Paragraph and embed HTML were sanitised on write. */
function blockHtml(block: Block, ctx: FormatContext): string {
  const e = escapeHtml
  const figure = (inner: string, caption: string | undefined, credit: string | undefined) => {
    const text = [caption ? e(caption) : '', credit ? `<small>${e(credit)}</small>` : ''].filter(Boolean).join(' ')
    return `<figure>${inner}${text ? `<figcaption>${text}</figcaption>` : ''}</figure>`
  }
  switch (block.type) {
    case 'paragraph':
      return `<p>${block.html}</p>`
    case 'heading':
      return `<h${block.level}>${e(block.text)}</h${block.level}>`
    case 'quote':
      return `<blockquote><p>${e(block.text)}</p>${block.attribution ? `<footer>${e(block.attribution)}</footer>` : ''}</blockquote>`
    case 'list': {
      const tag = block.ordered ? 'ol' : 'ul'
      return `<${tag}>${block.items.map((i) => `<li>${e(i)}</li>`).join('')}</${tag}>`
    }
    case 'image': {
      const url = block.media?.url
      if (!url) return block.caption ? `<p>${e(block.caption)}</p>` : ''
      return figure(`<img src="${e(url)}" alt="${e(block.media?.alt ?? block.caption ?? '')}">`, block.caption, block.credit)
    }
    case 'video': {
      const url = block.media?.url ?? block.url
      if (!url) return block.title ? `<p>${e(block.title)}</p>` : ''
      const inner = block.media?.url ? `<video src="${e(url)}" controls></video>` : `<a href="${e(url)}">${e(block.title ?? url)}</a>`
      return figure(inner, block.title ?? block.caption, block.credit)
    }
    case 'embed':
      return block.html ?? `<p><a href="${e(block.url)}">${e(block.provider)}</a></p>`
    case 'related':
      return `<p><a href="${e(articleApiUrl(ctx, block.articleId))}">Related</a></p>`
    case 'ad':
      return ''
  }
}

/** The body as one HTML fragment. */
export function bodyHtml(article: Pick<ArticleOut, 'body'>, ctx: FormatContext): string {
  return article.body.map((b) => blockHtml(b, ctx)).filter((h) => h.length > 0).join('\n')
}

/** The images of an article, lead first, each once (an imported photo may have no URL yet: its caption and credit are known). */
export function imagesOf(article: Pick<ArticleOut, 'leadMedia' | 'body'>) {
  const out: { media: NonNullable<ArticleOut['leadMedia']>['media']; caption: string | null; credit: string | null; role: 'lead' | 'body' }[] = []
  const seen = new Set<string>()
  const add = (media: NonNullable<ArticleOut['leadMedia']>['media'] | undefined, caption: string | null | undefined, credit: string | null | undefined, role: 'lead' | 'body') => {
    if (!media || media.kind !== 'image' || seen.has(media.id)) return
    seen.add(media.id)
    out.push({ media, caption: caption ?? null, credit: credit ?? null, role })
  }
  if (article.leadMedia) add(article.leadMedia.media, article.leadMedia.caption, article.leadMedia.credit, 'lead')
  for (const b of article.body) if (b.type === 'image') add(b.media, b.caption, b.credit, 'body')
  return out
}

/** The videos of an article (the lead if it is one, then video blocks): a library item or an external URL. */
export function videosOf(article: Pick<ArticleOut, 'leadMedia' | 'body'>) {
  const out: { media: NonNullable<ArticleOut['leadMedia']>['media'] | null; url: string | null; title: string | null; caption: string | null; credit: string | null; role: 'lead' | 'body' }[] = []
  const lead = article.leadMedia
  if (lead && lead.media.kind === 'video') out.push({ media: lead.media, url: lead.media.url, title: null, caption: lead.caption, credit: lead.credit, role: 'lead' })
  for (const b of article.body) {
    if (b.type !== 'video') continue
    const url = b.media?.url ?? b.url ?? null
    if (!url && !b.title) continue
    out.push({ media: b.media ?? null, url, title: b.title ?? null, caption: b.caption ?? null, credit: b.credit ?? null, role: 'body' })
  }
  return out
}
