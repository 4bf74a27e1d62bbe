import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Id, Nullable, Slug, Strict, Timestamp, ref } from './common.js'
import { Media } from './media.js'
import { Contributor, ContributorKind, Topic, TopicKind } from './contributor.js'
import { Section } from './section.js'
import { ArticleFormatParam } from './syndication.js'

const Text = (max: number, options = {}) => Type.String({ minLength: 1, maxLength: max, ...options })
const Url = Type.String({ maxLength: 2000, pattern: '^https?://[^\\s]+$' })

export const ArticleType = Type.Unsafe<'news' | 'opinion' | 'feature' | 'letter' | 'brief' | 'live'>({
  $id: 'ArticleType',
  type: 'string',
  enum: ['news', 'opinion', 'feature', 'letter', 'brief', 'live'],
})
export const ArticleStatus = Type.Unsafe<'draft' | 'scheduled' | 'published' | 'archived'>({
  $id: 'ArticleStatus',
  type: 'string',
  enum: ['draft', 'scheduled', 'published', 'archived'],
})
export const CreditRole = Type.Unsafe<'byline' | 'additional-reporting' | 'photo' | 'video' | 'editing'>({
  $id: 'CreditRole',
  type: 'string',
  enum: ['byline', 'additional-reporting', 'photo', 'video', 'editing'],
})
export const Language = Type.String({ $id: 'Language', pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35, description: 'BCP 47 tag.' })

export const Headlines = Strict(
  {
    basic: Text(300, { description: 'The headline readers see.' }),
    print: Type.Optional(Text(300, { description: 'The print-edition headline.' })),
    seo: Type.Optional(Text(300)),
    social: Type.Optional(Text(300)),
  },
  { $id: 'Headlines' },
)

const block = <N extends string, P extends Record<string, TSchema>>(name: N, props: P, description: string) =>
  Strict({ type: Type.Literal(name), ...props }, { $id: `${name[0]!.toUpperCase()}${name.slice(1)}Block`, title: `${name[0]!.toUpperCase()}${name.slice(1)}Block`, description })

export const ParagraphBlock = block('paragraph', { html: Text(20000, { description: 'Inline HTML: a, em, strong, b, i, sub, sup, br.' }) }, 'A paragraph.')
export const HeadingBlock = block('heading', { level: Type.Integer({ minimum: 2, maximum: 6 }), text: Text(300) }, 'A subheading.')
export const ImageBlock = block(
  'image',
  {
    mediaId: ref(Id),
    caption: Type.Optional(Text(2000, { description: 'Overrides the media caption here.' })),
    credit: Type.Optional(Text(300, { description: 'Overrides the media credit here.' })),
  },
  'A photo or graphic from the media library.',
)
export const VideoBlock = block(
  'video',
  { mediaId: Type.Optional(ref(Id)), url: Type.Optional(Url), title: Type.Optional(Text(500)) },
  'A video: a media library item (mediaId) or an external url; exactly one of the two.',
)
export const QuoteBlock = block('quote', { text: Text(5000), attribution: Type.Optional(Text(300)) }, 'A pull quote.')
export const ListBlock = block('list', { ordered: Type.Boolean(), items: Type.Array(Text(2000), { minItems: 1, maxItems: 200 }) }, 'A list.')
export const EmbedBlock = block(
  'embed',
  {
    provider: Text(100),
    url: Url,
    html: Type.Optional(
      Text(20000, {
        description:
          'Only `<iframe>` elements, https, from these providers: www.youtube.com, www.youtube-nocookie.com, player.vimeo.com, open.spotify.com, ' +
          'w.soundcloud.com, www.openstreetmap.org, www.google.com, datawrapper.dwcdn.net, flo.uri.sh; attributes src, width, height, title, allow, ' +
          'allowfullscreen, loading, referrerpolicy, frameborder, sandbox. Every iframe is sandboxed: a sandbox of its own may hold allow-scripts, ' +
          'allow-same-origin, allow-popups, allow-presentation, allow-forms, allow-popups-to-escape-sandbox; without one it gets ' +
          '"allow-scripts allow-same-origin allow-popups allow-presentation". Anything else is a 400. Without html, the embed is a link to url.',
      }),
    ),
  },
  'A third-party embed.',
)
export const AdBlock = block('ad', { slot: Text(100, { pattern: '^[A-Za-z0-9_-]+$' }) }, 'An advertisement slot.')
export const RelatedBlock = block('related', { articleId: ref(Id) }, 'A link to another article.')

const blockSchemas = [ParagraphBlock, HeadingBlock, ImageBlock, VideoBlock, QuoteBlock, ListBlock, EmbedBlock, AdBlock, RelatedBlock]
type BlockUnion = Static<(typeof blockSchemas)[number]>

/** A tagged union on `type`: the validator picks the branch by tag, so errors name the field that is wrong. */
export const BodyBlock = Type.Unsafe<BlockUnion>({
  $id: 'BodyBlock',
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: blockSchemas.map((s) => ({ $ref: s.$id })),
})
export type BodyBlockValue = BlockUnion

export const LeadMediaInput = Strict(
  { mediaId: ref(Id), caption: Type.Optional(Text(2000)), credit: Type.Optional(Text(300)) },
  { $id: 'LeadMediaInput', description: 'The hero photo or video shown before the headline.' },
)

export const PrintEdition = Strict(
  {
    publication: Text(200),
    section: Type.Optional(Text(200)),
    page: Type.Optional(Text(20)),
    editionDate: Type.Optional(Type.String({ format: 'date' })),
  },
  { $id: 'PrintEdition' },
)

export const Correction = Strict({ at: ref(Timestamp), text: Text(2000) }, { $id: 'Correction' })

export const CreditInput = Strict({ contributorId: ref(Id), role: ref(CreditRole) }, { $id: 'CreditInput' })
export const ArticleTopicInput = Strict(
  { topicId: ref(Id), primary: Type.Optional(Type.Boolean({ description: 'The main topic of the article (default false); at most one.' })) },
  { $id: 'ArticleTopicInput' },
)

const editable = {
  slug: ref(Slug),
  sectionId: ref(Id),
  type: ref(ArticleType),
  language: ref(Language),
  headlines: ref(Headlines),
  summary: Text(2000, { description: 'The standfirst.' }),
  leadMedia: ref(LeadMediaInput),
  body: Type.Array(ref(BodyBlock), { maxItems: 500 }),
  credits: Type.Array(ref(CreditInput), { maxItems: 50 }),
  topics: Type.Array(ref(ArticleTopicInput), { maxItems: 50 }),
  printEdition: ref(PrintEdition),
  canonicalUrl: Url,
  embargoUntil: ref(Timestamp),
}

export const ArticleCreate = Strict(
  {
    slug: Type.Optional(editable.slug),
    type: Type.Optional(editable.type),
    language: Type.Optional(editable.language),
    sectionId: Type.Optional(editable.sectionId),
    headlines: editable.headlines,
    summary: Type.Optional(editable.summary),
    leadMedia: Type.Optional(editable.leadMedia),
    body: editable.body,
    credits: Type.Optional(editable.credits),
    topics: Type.Optional(editable.topics),
    printEdition: Type.Optional(editable.printEdition),
    canonicalUrl: Type.Optional(editable.canonicalUrl),
    embargoUntil: Type.Optional(editable.embargoUntil),
  },
  { $id: 'ArticleCreate', description: 'A new article. It starts as a draft; the server sets id, version, status and timestamps.' },
)
export type ArticleCreateBody = Static<typeof ArticleCreate>

export const ArticleReplace = Strict(
  {
    slug: editable.slug,
    type: editable.type,
    language: editable.language,
    sectionId: Nullable(editable.sectionId),
    headlines: editable.headlines,
    summary: Nullable(editable.summary),
    leadMedia: Nullable(editable.leadMedia),
    body: editable.body,
    credits: editable.credits,
    topics: editable.topics,
    printEdition: Nullable(editable.printEdition),
    canonicalUrl: Nullable(editable.canonicalUrl),
    embargoUntil: Nullable(editable.embargoUntil),
    message: Type.Optional(Text(500, { description: 'A note stored with the revision.' })),
  },
  { $id: 'ArticleReplace', description: 'The whole editable representation; fields left out are an error.' },
)

export const ArticlePatch = Strict(
  {
    slug: Type.Optional(editable.slug),
    type: Type.Optional(editable.type),
    language: Type.Optional(editable.language),
    sectionId: Type.Optional(Nullable(editable.sectionId)),
    headlines: Type.Optional(editable.headlines),
    summary: Type.Optional(Nullable(editable.summary)),
    leadMedia: Type.Optional(Nullable(editable.leadMedia)),
    body: Type.Optional(editable.body),
    credits: Type.Optional(editable.credits),
    topics: Type.Optional(editable.topics),
    printEdition: Type.Optional(Nullable(editable.printEdition)),
    canonicalUrl: Type.Optional(Nullable(editable.canonicalUrl)),
    embargoUntil: Type.Optional(Nullable(editable.embargoUntil)),
    message: Type.Optional(Text(500, { description: 'A note stored with the revision.' })),
  },
  {
    $id: 'ArticlePatch',
    minProperties: 1,
    description: 'Fields to change; each given field replaces the stored one, null clears an optional field.',
  },
)
export type ArticlePatchBody = Static<typeof ArticlePatch>

export const ActionBody = Strict({ message: Type.Optional(Text(500)) }, { $id: 'ActionBody' })
export const ScheduleBody = Strict(
  { at: ref(Timestamp), message: Type.Optional(Text(500)) },
  { $id: 'ScheduleBody', description: 'When to publish: a future time. The article becomes public within a few seconds of it.' },
)
export const CorrectionCreate = Strict(
  { text: Text(2000, { description: 'The correction as readers will read it.' }) },
  { $id: 'CorrectionCreate' },
)

// ---- Output ----

const ContributorRef = Strict(
  { id: Type.String(), name: Type.String(), slug: Type.String(), kind: ref(ContributorKind) },
  { $id: 'ContributorRef' },
)
export const SectionRef = Strict(
  { id: Type.String(), name: Type.String(), slug: Type.String(), path: Type.String({ description: 'Slugs from the root: news/world/asia.' }) },
  { $id: 'SectionRef' },
)
export const Credit = Strict({ role: ref(CreditRole), contributor: ref(ContributorRef) }, { $id: 'Credit' })
export const ArticleTopic = Strict(
  { id: Type.String(), name: Type.String(), slug: Type.String(), kind: ref(TopicKind), primary: Type.Boolean() },
  { $id: 'ArticleTopic' },
)
export const LeadMedia = Strict(
  { mediaId: Type.String(), caption: Nullable(Type.String()), credit: Nullable(Type.String()), media: ref(Media) },
  { $id: 'LeadMedia' },
)

/*
 * Body blocks as read: one schema per block type, tagged by `type` like the
 * input (BodyBlock), so a client narrows on `type`. Image and video blocks add
 * the resolved caption and credit and embed their media, so a client can
 * render without another call. Output schemas hold no limits: they describe
 * what the server sends, and the serialiser picks the branch by validating
 * against them.
 */
const outBlock = <N extends string, P extends Record<string, TSchema>>(name: N, props: P, description: string) =>
  Strict({ type: Type.Literal(name), ...props }, { $id: `${name[0]!.toUpperCase()}${name.slice(1)}BlockOut`, title: `${name[0]!.toUpperCase()}${name.slice(1)}BlockOut`, description })

const embedded = {
  caption: Type.Optional(Type.String({ description: "The block's own caption, else the media item's." })),
  credit: Type.Optional(Type.String({ description: "The block's own credit, else the media item's." })),
  media: Type.Optional(ref(Media)),
}

export const ParagraphBlockOut = outBlock('paragraph', { html: Type.String({ description: 'Inline HTML: a, em, strong, b, i, sub, sup, br.' }) }, 'A paragraph.')
export const HeadingBlockOut = outBlock('heading', { level: Type.Integer({ description: '2 to 6, as in HTML h2..h6.' }), text: Type.String() }, 'A subheading.')
export const ImageBlockOut = outBlock(
  'image',
  { mediaId: Type.String(), ...embedded },
  'A photo or graphic: `media` is the library item (absent only if it was deleted meanwhile).',
)
export const VideoBlockOut = outBlock(
  'video',
  { mediaId: Type.Optional(Type.String()), url: Type.Optional(Type.String()), title: Type.Optional(Type.String()), ...embedded },
  'A video: a media library item (mediaId, with `media` embedded) or an external url.',
)
export const QuoteBlockOut = outBlock('quote', { text: Type.String(), attribution: Type.Optional(Type.String()) }, 'A pull quote.')
export const ListBlockOut = outBlock('list', { ordered: Type.Boolean(), items: Type.Array(Type.String()) }, 'A list.')
export const EmbedBlockOut = outBlock('embed', { provider: Type.String(), url: Type.String(), html: Type.Optional(Type.String()) }, 'A third-party embed.')
export const AdBlockOut = outBlock('ad', { slot: Type.String() }, 'An advertisement slot.')
export const RelatedBlockOut = outBlock('related', { articleId: Type.String() }, 'A link to another article.')

const blockOutSchemas = [ParagraphBlockOut, HeadingBlockOut, ImageBlockOut, VideoBlockOut, QuoteBlockOut, ListBlockOut, EmbedBlockOut, AdBlockOut, RelatedBlockOut]
export type BodyBlockOutValue = Static<(typeof blockOutSchemas)[number]>

/** A body block as read: a tagged union on `type`, like BodyBlock. */
export const BodyBlockOut = Type.Unsafe<BodyBlockOutValue>({
  $id: 'BodyBlockOut',
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: blockOutSchemas.map((s) => ({ $ref: s.$id })),
  description: 'A body block as read; `type` says which kind it is.',
})

export const Article = Strict(
  {
    id: Type.String(),
    slug: Type.String(),
    type: ref(ArticleType),
    status: ref(ArticleStatus),
    language: Type.String(),
    section: Nullable(ref(SectionRef)),
    headlines: ref(Headlines),
    summary: Nullable(Type.String()),
    leadMedia: Nullable(ref(LeadMedia)),
    body: Type.Array(ref(BodyBlockOut)),
    credits: Type.Array(ref(Credit)),
    topics: Type.Array(ref(ArticleTopic)),
    printEdition: Nullable(ref(PrintEdition)),
    corrections: Type.Array(ref(Correction)),
    canonicalUrl: Nullable(Type.String()),
    wordCount: Type.Integer(),
    version: Type.Integer({ minimum: 1 }),
    createdAt: ref(Timestamp),
    updatedAt: ref(Timestamp),
    firstPublishedAt: Nullable(ref(Timestamp)),
    publishedAt: Nullable(ref(Timestamp)),
    scheduledAt: Nullable(ref(Timestamp)),
    embargoUntil: Nullable(ref(Timestamp)),
  },
  { $id: 'Article' },
)
export type ArticleOut = Static<typeof Article>

/**
 * A list item: the article, plus a snippet and score in search results. With
 * `fields=` only the named fields (and id) are sent: a client that asks for a
 * sparse list knows which fields it asked for; every other client gets full types.
 */
export const ArticleListItem = Type.Object(
  {
    ...Article.properties,
    snippet: Type.Optional(Type.String({ description: 'Searches only: the best-matching passage, HTML-escaped, with `<mark>` around the matches.' })),
    score: Type.Optional(Type.Number({ description: 'Searches only: relevance (higher is better).' })),
  },
  {
    $id: 'ArticleListItem',
    additionalProperties: false,
    description: 'An article in a list. With fields=, the answer holds only the fields asked for (and id): see SparseArticleListItem.',
  },
)

/**
 * A list item as `fields=` sends it: id, and only the fields asked for. The
 * list operation keeps ArticleListItem (full) for its answer, so that the
 * common, non-sparse call gets full types in every SDK; a client that asks
 * for a sparse list types its items with this schema instead (the published
 * client's SparseArticle<'headlines' | ...> picks the fields it asked for).
 */
const { id: sparseId, ...sparseRest } = ArticleListItem.properties
export const SparseArticleListItem = Type.Object(
  { id: sparseId, ...Type.Partial(Type.Object(sparseRest)).properties },
  { $id: 'SparseArticleListItem', additionalProperties: false, description: 'An article in a list asked for with fields=: id, and only the fields asked for.' },
)

export const ARTICLE_FIELDS = Object.keys(Article.properties)
export const ARTICLE_INCLUDES = ['contributors', 'topics', 'sections'] as const

export const ArticleList = Strict(
  {
    data: Type.Array(ref(ArticleListItem), { description: 'The articles. With fields=, each is a SparseArticleListItem: id and the fields asked for.' }),
    next: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last page.' })),
    total: Type.Optional(Type.Integer({ description: 'With total=true: how many articles match in all.' })),
    partial: Type.Optional(
      Type.Literal(true, {
        description:
          'Searches only, when the words match more articles than the server ranks (SEARCH_CANDIDATE_LIMIT, 10,000 by default): ' +
          'the page holds the best of the newest matches, and older ones are left out. Add words, filters or dates to reach them.',
      }),
    ),
    included: Type.Optional(
      Strict(
        {
          contributors: Type.Optional(Type.Array(ref(Contributor))),
          topics: Type.Optional(Type.Array(ref(Topic))),
          sections: Type.Optional(Type.Array(ref(Section))),
        },
        { description: 'With include=: the full related resources of this page, once each.' },
      ),
    ),
  },
  { $id: 'ArticleList' },
)

const list = (values: readonly string[], description: string) =>
  Type.String({
    maxLength: 1000,
    pattern: `^(${values.join('|')})(,(${values.join('|')}))*$`,
    description: `${description} Comma-separated: ${values.join(', ')}.`,
  })
const keys = (description: string) =>
  Type.String({ maxLength: 1000, pattern: '^[A-Za-z0-9_-]{1,200}(,[A-Za-z0-9_-]{1,200}){0,19}$', description: `${description} Ids or slugs, comma-separated (at most 20).` })

export const ArticleListQuery = Strict(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Page size, 1..100 (default 20).' })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'The `next` cursor of the previous page (same filters and sort).' })),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Full-text search over headline, standfirst and body: words, "a phrase", prefix*, AND, OR, NOT. Case and accents do not matter.',
      }),
    ),
    section: Type.Optional(Type.String({ maxLength: 300, pattern: '^[A-Za-z0-9_/-]+$', description: 'A section id or path (news/world); its subsections are included.' })),
    topic: Type.Optional(keys('Articles with any of these topics.')),
    topicAll: Type.Optional(keys('Articles with all of these topics.')),
    topicNone: Type.Optional(keys('Articles with none of these topics.')),
    contributor: Type.Optional(keys('Articles credited to any of these contributors.')),
    type: Type.Optional(list(['news', 'opinion', 'feature', 'letter', 'brief', 'live'], 'Article types.')),
    language: Type.Optional(Type.String({ maxLength: 200, pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*(,[a-z]{2,3}(-[A-Za-z0-9]{2,8})*){0,9}$', description: 'Languages (BCP 47), comma-separated.' })),
    status: Type.Optional(list(['draft', 'scheduled', 'published', 'archived'], 'Statuses (write keys only).')),
    publishedFrom: Type.Optional(Type.String({ format: 'date-time', description: 'Published at or after.' })),
    publishedTo: Type.Optional(Type.String({ format: 'date-time', description: 'Published before.' })),
    updatedFrom: Type.Optional(Type.String({ format: 'date-time', description: 'Updated at or after.' })),
    updatedTo: Type.Optional(Type.String({ format: 'date-time', description: 'Updated before.' })),
    sort: Type.Optional(
      Type.Unsafe<'newest' | 'oldest' | 'updated' | 'relevance'>({
        type: 'string',
        enum: ['newest', 'oldest', 'updated', 'relevance'],
        description: 'newest (default; relevance with q), oldest, updated, relevance (needs q).',
      }),
    ),
    total: Type.Optional(Type.Boolean({ description: 'Also count every match, costing a query (default false).' })),
    fields: Type.Optional(list(ARTICLE_FIELDS, 'Only these fields of each article (id is always sent); the items are then SparseArticleListItem.')),
    include: Type.Optional(list(ARTICLE_INCLUDES, 'Related resources to send once per page in `included`.')),
    format: Type.Optional(ArticleFormatParam),
  },
  { $id: 'ArticleListQuery' },
)
export type ArticleListQueryValue = Static<typeof ArticleListQuery>

export const RelatedQuery = Strict(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, description: 'How many, 1..20 (default 5).' })) },
  { $id: 'RelatedQuery' },
)

export const ArticleKeyParams = Strict(
  { idOrSlug: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'The article id or its slug.' }) },
  { $id: 'ArticleKeyParams' },
)

export const articleSchemas = [
  ArticleType,
  ArticleStatus,
  CreditRole,
  Language,
  Headlines,
  ...blockSchemas,
  BodyBlock,
  LeadMediaInput,
  PrintEdition,
  Correction,
  CreditInput,
  ArticleTopicInput,
  ArticleCreate,
  ArticleReplace,
  ArticlePatch,
  ActionBody,
  ScheduleBody,
  CorrectionCreate,
  ContributorRef,
  SectionRef,
  Credit,
  ArticleTopic,
  LeadMedia,
  ...blockOutSchemas,
  BodyBlockOut,
  Article,
  ArticleListItem,
  SparseArticleListItem,
  ArticleList,
  ArticleListQuery,
  RelatedQuery,
  ArticleKeyParams,
]
