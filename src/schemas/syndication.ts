import { Type } from '@sinclair/typebox'
import { Strict } from './common.js'

/** `?format=` of an article read or list, for browsers (which cannot set Accept). */
/** Query parameters are inlined in the OpenAPI document (a $ref there would not resolve), so these have no $id. */
export const ArticleFormatParam = Type.Unsafe<'json' | 'jsonld' | 'ninjs' | 'ninjs3'>({
  type: 'string',
  enum: ['json', 'jsonld', 'ninjs', 'ninjs3'],
  description:
    'The representation, instead of the Accept header: json (the default), jsonld (schema.org NewsArticle, application/ld+json), ' +
    'ninjs (IPTC ninjs 2.2, application/vnd.iptc.ninjs+json) or ninjs3 (ninjs 3.1).',
})

export const FeedFormatParam = Type.Unsafe<'rss' | 'atom' | 'json'>({
  type: 'string',
  enum: ['rss', 'atom', 'json'],
  description: 'The feed format, instead of the Accept header: rss (RSS 2.0, the default), atom (Atom 1.0) or json (JSON Feed 1.1).',
})

export const ArticleReadQuery = Strict({ format: Type.Optional(ArticleFormatParam) }, { $id: 'ArticleReadQuery' })

export const FeedQuery = Strict(
  {
    format: Type.Optional(FeedFormatParam),
    full: Type.Optional(Type.Boolean({ description: 'Whole bodies (HTML) in the items, not only the standfirst (default false).' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'How many articles, newest first, 1..100 (default 20).' })),
  },
  { $id: 'FeedQuery' },
)

/** The alternative documents, as the OpenAPI document shows them (their own schemas are the standards'). */
export const FORMAT_DOCS = {
  jsonld: { type: 'object', description: 'A schema.org NewsArticle (an ItemList of them for a list) as JSON-LD: https://schema.org/NewsArticle' },
  ninjs: {
    type: 'object',
    description:
      'An IPTC ninjs news item (a composite package of them for a list): 2.2 by default, 3.1 with `version=3` or `profile="http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"` ' +
      'on the media type. Schemas: http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json and ninjs-schema_3.1.json',
  },
  xml: { type: 'string', description: 'The feed as XML.' },
  jsonFeed: { type: 'object', description: 'A JSON Feed 1.1 document: https://www.jsonfeed.org/version/1.1/' },
} as const

export const syndicationSchemas = [ArticleReadQuery, FeedQuery]
