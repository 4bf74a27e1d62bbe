import { Type, type Static } from '@sinclair/typebox'
import { Id, Nullable, Slug, Strict, Timestamp, ref } from './common.js'

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max })

export const SectionCreate = Strict(
  {
    name: Text(200),
    slug: Type.Optional(ref(Slug)),
    parentId: Type.Optional(ref(Id)),
    description: Type.Optional(Text(2000)),
  },
  { $id: 'SectionCreate', description: 'A section; without parentId it is a root (news), with one it sits below it (news/world).' },
)
export type SectionCreateBody = Static<typeof SectionCreate>

export const SectionPatch = Strict(
  {
    name: Type.Optional(Text(200)),
    slug: Type.Optional(ref(Slug)),
    parentId: Type.Optional(Nullable(ref(Id))),
    description: Type.Optional(Nullable(Text(2000))),
  },
  { $id: 'SectionPatch', minProperties: 1, description: 'Renaming the slug or moving the section rewrites the paths of its subsections.' },
)
export type SectionPatchBody = Static<typeof SectionPatch>

export const Section = Strict(
  {
    id: Type.String(),
    name: Type.String(),
    slug: Type.String(),
    parentId: Nullable(Type.String()),
    path: Type.String({ description: 'Slugs from the root: news/world/asia.' }),
    description: Nullable(Type.String()),
    articleCount: Type.Optional(Type.Integer({ minimum: 0, description: 'How many published articles readers can see use it (for a section: in it and its subsections). Absent inside included lists.' })),
    version: Type.Integer(),
    createdAt: ref(Timestamp),
    updatedAt: ref(Timestamp),
  },
  { $id: 'Section' },
)
export const SectionList = Strict(
  { data: Type.Array(ref(Section)), next: Nullable(Type.String()) },
  { $id: 'SectionList', description: 'Sections in tree order (by path).' },
)

export const sectionSchemas = [SectionCreate, SectionPatch, Section, SectionList]
