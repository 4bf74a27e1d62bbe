import type { Static } from '@sinclair/typebox'
import type { FollowView, ReaderRow } from '../db/index.js'
import type { Feed, Follow, Reader } from '../schemas/reader.js'
import type { FeedPage } from '../services/readers.js'

export const mapReader = (row: ReaderRow): Static<typeof Reader> => ({ id: row.id, createdAt: row.createdAt, hasFeedToken: row.hasFeedToken })

export const mapFollow = (f: FollowView): Static<typeof Follow> => ({
  id: f.id,
  kind: f.kind,
  target: { id: f.target.id, slug: f.target.slug, name: f.target.name },
  createdAt: f.createdAt,
})

const COMMA = Buffer.from(',')

/**
 * A feed page as JSON bytes (the Feed schema): each item's article is its
 * stored rendering, copied in without parsing; reasons, score, cursor and
 * suggestions are small and whitelisted here.
 */
export function feedJson(page: FeedPage, articleJson: (item: FeedPage['items'][number]) => Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from('{"data":[')]
  page.items.forEach((item, i) => {
    if (i > 0) parts.push(COMMA)
    const extra = { reasons: item.reasons.map(mapFollow), ...(item.score !== undefined ? { score: item.score } : {}) }
    parts.push(Buffer.from('{"article":'), articleJson(item), Buffer.from(`,${JSON.stringify(extra).slice(1)}`))
  })
  const rest: Omit<Static<typeof Feed>, 'data'> = { next: page.next }
  if (page.suggestions) rest.suggestions = page.suggestions.map((s) => ({ id: s.id, slug: s.slug, name: s.name, followers: Number(s.followers) }))
  parts.push(Buffer.from(`],${JSON.stringify(rest).slice(1)}`))
  return Buffer.concat(parts)
}
