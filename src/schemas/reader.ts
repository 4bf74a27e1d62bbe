import { Type, type Static } from '@sinclair/typebox'
import { Nullable, Strict, Timestamp, ref } from './common.js'
import { Article } from './article.js'
import { MAX_FOLLOWS, MAX_MUTES, RELEVANCE_HALF_LIFE_HOURS, RELEVANCE_WINDOW } from '../services/readerRules.js'

const readerFields = {
  id: Type.String(),
  createdAt: ref(Timestamp),
  hasFeedToken: Type.Boolean({ description: 'Whether a private feed URL is set (see PUT /v1/me/feed-token).' }),
}
export const Reader = Strict(readerFields, { $id: 'Reader', description: 'A myNEWS reader.' })
export const ReaderCreated = Strict(
  {
    ...readerFields,
    token: Type.String({ description: 'The reader token (`rd_...`), for `Authorization: Bearer` on the /v1/me operations. Shown once; only its hash is stored.' }),
  },
  { $id: 'ReaderCreated' },
)

const target = Type.String({ minLength: 1, maxLength: 200, description: 'The id or slug (a section: its id or path, `news/world`).' })
export const FollowCreate = Strict(
  { kind: Type.Union([Type.Literal('topic'), Type.Literal('contributor'), Type.Literal('section')], { description: 'What to follow. A section includes its subsections.' }), target },
  { $id: 'FollowCreate' },
)
export type FollowCreateBody = Static<typeof FollowCreate>
export const MuteCreate = Strict({ kind: Type.Union([Type.Literal('topic'), Type.Literal('contributor')], { description: 'What to mute.' }), target }, { $id: 'MuteCreate' })
export type MuteCreateBody = Static<typeof MuteCreate>

export const Follow = Strict(
  {
    id: Type.String({ description: 'The id of this follow (or mute), for removing it.' }),
    kind: Type.Union([Type.Literal('topic'), Type.Literal('contributor'), Type.Literal('section')]),
    target: Strict({ id: Type.String(), slug: Type.String({ description: 'A section: its path.' }), name: Type.String() }),
    createdAt: ref(Timestamp),
  },
  { $id: 'Follow', description: 'A follow or a mute: what it names, and when it was made.' },
)
export const FollowList = Strict(
  {
    data: Type.Array(ref(Follow)),
    limit: Type.Integer({ description: `The most a reader may have (${MAX_FOLLOWS} follows, ${MAX_MUTES} mutes).` }),
  },
  { $id: 'FollowList' },
)

export const ReadMarks = Strict(
  { articleIds: Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }), { minItems: 1, maxItems: 100, description: 'Article ids (1..100).' }) },
  { $id: 'ReadMarks' },
)

export const FeedQuery = Strict(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Page size, 1..100 (default 20).' })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'The `next` cursor of the previous page.' })),
    since: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Only articles published after this instant (what is new since the last visit).' })),
    unread: Type.Optional(Type.Boolean({ description: 'true: leave out the articles marked read (default false).' })),
    order: Type.Optional(
      Type.Union([Type.Literal('newest'), Type.Literal('relevance')], {
        description:
          `newest (default): newest first. relevance: the ${RELEVANCE_WINDOW} newest matches ranked by score = matchedFollows x 2^(-ageHours/${RELEVANCE_HALF_LIFE_HOURS}) ` +
          '(more matched follows and fresher articles first; ties newest first).',
      }),
    ),
  },
  { $id: 'PersonalFeedQuery' },
)
export type FeedQueryValue = Static<typeof FeedQuery>

export const FeedItem = Strict(
  {
    article: ref(Article),
    reasons: Type.Array(ref(Follow), { description: 'The follows this article matched.' }),
    score: Type.Optional(Type.Number({ description: 'With order=relevance: the score (higher first).' })),
  },
  { $id: 'PersonalFeedItem' },
)
export const PopularTopic = Strict(
  { id: Type.String(), slug: Type.String(), name: Type.String(), followers: Type.Integer({ description: 'How many readers follow it.' }) },
  { $id: 'PopularTopic' },
)
export const Feed = Strict(
  {
    data: Type.Array(ref(FeedItem)),
    next: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last page.' })),
    suggestions: Type.Optional(
      Type.Array(ref(PopularTopic), { description: 'On an empty first page only: topics to follow, the most followed first (follow one with POST /v1/me/follows).' }),
    ),
  },
  { $id: 'PersonalFeed', description: "A reader's personal feed." },
)

export const FeedToken = Strict(
  {
    token: Type.String({ description: 'The private feed token (`rf_...`). Shown once; only its hash is stored. Anyone with the URLs can read the feed: revoke it to stop them.' }),
    rss: Type.String({ description: 'The RSS 2.0 feed URL (path).' }),
    atom: Type.String({ description: 'The Atom 1.0 feed URL (path).' }),
    json: Type.String({ description: 'The JSON Feed 1.1 URL (path).' }),
  },
  { $id: 'PrivateFeedToken' },
)

export const readerSchemas = [Reader, ReaderCreated, FollowCreate, MuteCreate, Follow, FollowList, ReadMarks, FeedQuery, FeedItem, PopularTopic, Feed, FeedToken]
