import { Type } from '@sinclair/typebox'
import { ArticleStatus, ArticleType, BodyBlock, Correction, CreditInput, ArticleTopicInput, Headlines, LeadMediaInput, PrintEdition } from './article.js'
import { Nullable, Strict, Timestamp, ref } from './common.js'

const meta = {
  version: Type.Integer({ minimum: 1 }),
  createdAt: ref(Timestamp),
  actorKeyId: Nullable(Type.String({ description: 'The API key that made the change; null for the system (scheduler, demo).' })),
  message: Nullable(Type.String()),
}

export const RevisionSummary = Strict(meta, { $id: 'RevisionSummary' })
export const RevisionList = Strict(
  { data: Type.Array(ref(RevisionSummary)), next: Nullable(Type.String()) },
  { $id: 'RevisionList', description: 'Revisions, newest first.' },
)

export const RevisionSnapshot = Strict(
  {
    slug: Type.String(),
    type: ref(ArticleType),
    status: ref(ArticleStatus),
    language: Type.String(),
    sectionId: Nullable(Type.String()),
    headlines: ref(Headlines),
    summary: Nullable(Type.String()),
    leadMedia: Nullable(ref(LeadMediaInput)),
    body: Type.Array(ref(BodyBlock)),
    credits: Type.Array(ref(CreditInput)),
    topics: Type.Array(ref(ArticleTopicInput)),
    printEdition: Nullable(ref(PrintEdition)),
    corrections: Type.Array(ref(Correction)),
    canonicalUrl: Nullable(Type.String()),
    embargoUntil: Nullable(ref(Timestamp)),
    scheduledAt: Nullable(ref(Timestamp)),
    publishedAt: Nullable(ref(Timestamp)),
    firstPublishedAt: Nullable(ref(Timestamp)),
    wordCount: Type.Integer(),
  },
  { $id: 'RevisionSnapshot', description: 'The article as it was at that version (references by id).' },
)

export const Revision = Strict({ ...meta, snapshot: ref(RevisionSnapshot) }, { $id: 'Revision' })

export const FieldChange = Strict(
  { field: Type.String(), from: Type.Unknown(), to: Type.Unknown() },
  { $id: 'FieldChange', description: 'One field that differs between two revisions, with both values.' },
)
export const RevisionDiff = Strict(
  { from: Type.Integer(), to: Type.Integer(), changes: Type.Array(ref(FieldChange)) },
  { $id: 'RevisionDiff' },
)

export const RevisionParams = Strict(
  {
    idOrSlug: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' }),
    version: Type.Integer({ minimum: 1, maximum: 1000000000 }),
  },
  { $id: 'RevisionParams' },
)
export const DiffQuery = Strict(
  { from: Type.Integer({ minimum: 1, maximum: 1000000000 }), to: Type.Integer({ minimum: 1, maximum: 1000000000 }) },
  { $id: 'DiffQuery' },
)
export const RestoreBody = Strict({ message: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) }, { $id: 'RestoreBody' })

export const revisionSchemas = [RevisionSummary, RevisionList, RevisionSnapshot, Revision, FieldChange, RevisionDiff, RevisionParams, DiffQuery, RestoreBody]
