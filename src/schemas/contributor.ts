import { Type, type Static } from '@sinclair/typebox'
import { Nullable, Slug, Strict, Timestamp, ref } from './common.js'

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max })
const Aliases = Type.Array(Text(200), { maxItems: 50, uniqueItems: true })

export const ContributorKind = Type.Unsafe<'person' | 'agency' | 'organisation'>({
  $id: 'ContributorKind',
  type: 'string',
  enum: ['person', 'agency', 'organisation'],
})

export const ContributorCreate = Strict(
  {
    kind: ref(ContributorKind),
    name: Text(200),
    slug: Type.Optional(ref(Slug)),
    bio: Type.Optional(Text(5000)),
    avatarUrl: Type.Optional(Type.String({ maxLength: 2000, pattern: '^https?://[^\\s]+$' })),
    aliases: Type.Optional(Aliases),
  },
  { $id: 'ContributorCreate' },
)
export type ContributorCreateBody = Static<typeof ContributorCreate>

export const ContributorPatch = Strict(
  {
    kind: Type.Optional(ref(ContributorKind)),
    name: Type.Optional(Text(200)),
    slug: Type.Optional(ref(Slug)),
    bio: Type.Optional(Nullable(Text(5000))),
    avatarUrl: Type.Optional(Nullable(Type.String({ maxLength: 2000, pattern: '^https?://[^\\s]+$' }))),
    aliases: Type.Optional(Aliases),
  },
  { $id: 'ContributorPatch', minProperties: 1 },
)
export type ContributorPatchBody = Static<typeof ContributorPatch>

export const Contributor = Strict(
  {
    id: Type.String(),
    kind: ref(ContributorKind),
    name: Type.String(),
    slug: Type.String(),
    bio: Nullable(Type.String()),
    avatarUrl: Nullable(Type.String()),
    aliases: Type.Array(Type.String()),
    articleCount: Type.Optional(Type.Integer({ minimum: 0, description: 'How many published articles readers can see use it (for a section: in it and its subsections). Absent inside included lists.' })),
    version: Type.Integer(),
    createdAt: ref(Timestamp),
    updatedAt: ref(Timestamp),
  },
  { $id: 'Contributor' },
)
export const ContributorList = Strict({ data: Type.Array(ref(Contributor)), next: Nullable(Type.String()) }, { $id: 'ContributorList' })

export const TopicKind = Type.Unsafe<'person' | 'place' | 'organisation' | 'subject' | 'event'>({
  $id: 'TopicKind',
  type: 'string',
  enum: ['person', 'place', 'organisation', 'subject', 'event'],
})

export const TopicCreate = Strict(
  {
    kind: ref(TopicKind),
    name: Text(200),
    slug: Type.Optional(ref(Slug)),
    description: Type.Optional(Text(5000)),
    aliases: Type.Optional(Aliases),
  },
  { $id: 'TopicCreate' },
)
export type TopicCreateBody = Static<typeof TopicCreate>

export const TopicPatch = Strict(
  {
    kind: Type.Optional(ref(TopicKind)),
    name: Type.Optional(Text(200)),
    slug: Type.Optional(ref(Slug)),
    description: Type.Optional(Nullable(Text(5000))),
    aliases: Type.Optional(Aliases),
  },
  { $id: 'TopicPatch', minProperties: 1 },
)
export type TopicPatchBody = Static<typeof TopicPatch>

export const Topic = Strict(
  {
    id: Type.String(),
    kind: ref(TopicKind),
    name: Type.String(),
    slug: Type.String(),
    description: Nullable(Type.String()),
    aliases: Type.Array(Type.String()),
    articleCount: Type.Optional(Type.Integer({ minimum: 0, description: 'How many published articles readers can see use it (for a section: in it and its subsections). Absent inside included lists.' })),
    version: Type.Integer(),
    createdAt: ref(Timestamp),
    updatedAt: ref(Timestamp),
  },
  { $id: 'Topic' },
)
export const TopicList = Strict({ data: Type.Array(ref(Topic)), next: Nullable(Type.String()) }, { $id: 'TopicList' })

export const contributorSchemas = [ContributorKind, ContributorCreate, ContributorPatch, Contributor, ContributorList]
export const topicSchemas = [TopicKind, TopicCreate, TopicPatch, Topic, TopicList]
