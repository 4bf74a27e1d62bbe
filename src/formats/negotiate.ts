import Negotiator from 'negotiator'
import { JSON_LD_TYPE } from './jsonld.js'
import { NINJS_SCHEMAS, NINJS_TYPE } from './ninjs.js'
import { FEED_TYPES, type FeedFormat } from './feeds.js'

/** What an article (or a list of articles) can be read as. */
export type ArticleFormat = 'json' | 'jsonld' | 'ninjs' | 'ninjs3'

/** The media types each format answers to, in the server's order of preference (the first of a tie wins). */
const ninjsOffers = (format: 'ninjs' | 'ninjs3', v: '2' | '3'): [string, ArticleFormat][] => {
  const { version, uri } = NINJS_SCHEMAS[v]
  return [`version=${v}`, `version=${version}`, `profile="${uri}"`, `profile="${uri.replace(/#$/, '')}"`].map((param) => [`${NINJS_TYPE}; ${param}`, format])
}
const ARTICLE_OFFERS = new Map<string, ArticleFormat>([['application/json', 'json'], [JSON_LD_TYPE, 'jsonld'], ...ninjsOffers('ninjs', '2'), ...ninjsOffers('ninjs3', '3')])
// A client that asks for plain JSON gets JSON Feed (a JSON document), and one that asks for plain XML
// (feed readers that send only application/xml or text/xml) gets RSS, after the feed types themselves.
const FEED_OFFERS = new Map<string, FeedFormat>([
  ...Object.entries(FEED_TYPES).map(([format, type]): [string, FeedFormat] => [type, format as FeedFormat]),
  ['application/json', 'json'],
  ['application/xml', 'rss'],
  ['text/xml', 'rss'],
])

/** What the API can answer an article read with, as a 406 lists it. */
export const ARTICLE_MEDIA_TYPES = ['application/json', JSON_LD_TYPE, `${NINJS_TYPE}; version=2`, `${NINJS_TYPE}; version=3`]
export const FEED_MEDIA_TYPES = Object.values(FEED_TYPES)

function pick<F>(accept: string | undefined, offers: Map<string, F>): F | null {
  // No Accept: anything goes, and the first offer wins. A charset parameter never decides (all we send is UTF-8).
  if (accept === undefined || accept.trim() === '') return offers.values().next().value ?? null
  // Nor does a JSON-LD profile (schema.org's, or a JSON-LD form): ours is compacted schema.org JSON-LD.
  const cleaned = accept.replace(/;\s*charset=[^;,]*/gi, '').replace(/(application\/ld\+json)\s*;\s*profile=("[^"]*"|[^;,]*)/gi, '$1')
  const best = new Negotiator({ headers: { accept: cleaned } }).mediaType([...offers.keys()])
  return best === undefined ? null : (offers.get(best) ?? null)
}

/**
 * The format of an article read: `?format=` when given (browsers cannot set
 * Accept), else the Accept header, JSON first on a tie (`*\/*`). ninjs is 2.x
 * unless the client asks for 3 by a `version` or `profile` parameter
 * (the schema URI). Null: nothing the client accepts (406).
 */
export function articleFormat(accept: string | undefined, query: ArticleFormat | undefined): ArticleFormat | null {
  return query ?? pick(accept, ARTICLE_OFFERS)
}

/** The format of a feed: `?format=`, else Accept; RSS when anything goes. */
export function feedFormat(accept: string | undefined, query: FeedFormat | undefined): FeedFormat | null {
  return query ?? pick(accept, FEED_OFFERS)
}
