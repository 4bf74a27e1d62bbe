import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { AjvCompiler } from '@fastify/ajv-compiler'
import { Id, Nullable, Problem, Strict, Timestamp, ref } from './common.js'
import { ArticleStatus, ArticleType, BodyBlock, Correction, CreditInput, Headlines, Language, LeadMediaInput, PrintEdition } from './article.js'
import { ContributorKind, TopicKind } from './contributor.js'
import { MediaKind, Rendition } from './media.js'
import { RevisionSnapshot } from './revision.js'
import type { Issue } from '../errors.js'
import { strictDateTime } from './formats.js'

/**
 * The bulk archive: NDJSON, one JSON object a line, each with a `kind`.
 *
 *   {"kind":"header","format":"newsdesk-archive","version":1,"exportedAt":...,"revisions":false,"counts":{...}}
 *   {"kind":"section","data":{...}}        sections in tree order (parents before children)
 *   {"kind":"topic","data":{...}}          then topics, contributors and media, by id
 *   {"kind":"article","data":{...}}        then articles by id, each followed by
 *   {"kind":"revision","data":{...}}       its revisions (oldest first) when the archive has them
 *   {"kind":"end","records":N}             N: the lines between header and end
 *
 * Records carry their row under `data` (topics, contributors and media have a `kind`
 * column of their own). The schemas describe what the database may hold: every
 * stored column that cannot be recomputed, with ids, versions and timestamps. The
 * content of an article (headlines, body blocks, lead media ...) uses the API's own
 * schemas; slugs and catalogue text are checked for type and shape only, since the
 * server derives some of them (an imported contributor's slug) without the API's limits.
 */

export const ARCHIVE_FORMAT = 'newsdesk-archive'
export const ARCHIVE_VERSION = 1

const StoredSlug = Type.String({ minLength: 1, maxLength: 200, pattern: '^[a-z0-9-]+$' })
const Url = Type.String({ maxLength: 2000, pattern: '^https?://[^\\s]+$' })
const Version = Type.Integer({ minimum: 1 })
const Count = Type.Integer({ minimum: 0 })
const Aliases = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50 })

export const ArchiveCounts = Strict(
  { sections: Count, topics: Count, contributors: Count, media: Count, articles: Count, revisions: Count },
  { $id: 'ArchiveCounts', description: 'How many records of each kind.' },
)
export type ArchiveCountsValue = Static<typeof ArchiveCounts>

export const ArchiveHeader = Strict(
  {
    kind: Type.Literal('header'),
    format: Type.Literal(ARCHIVE_FORMAT),
    version: Type.Integer({ minimum: 1, description: `The format version; this server reads and writes ${ARCHIVE_VERSION}.` }),
    exportedAt: ref(Timestamp),
    revisions: Type.Boolean({ description: 'Whether each article is followed by its revisions.' }),
    counts: ref(ArchiveCounts),
  },
  { $id: 'ArchiveHeader', description: 'The first line of an archive.' },
)
export type ArchiveHeaderValue = Static<typeof ArchiveHeader>

export const ArchiveSection = Strict(
  {
    id: ref(Id),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    slug: StoredSlug,
    parentId: Nullable(ref(Id)),
    path: Type.String({ minLength: 1, maxLength: 2000, description: "Checked on import: the parent's path and this slug." }),
    description: Nullable(Type.String({ maxLength: 2000 })),
    version: Version,
    createdAt: ref(Timestamp),
    updatedAt: ref(Timestamp),
  },
  { $id: 'ArchiveSection' },
)

export const ArchiveTopic = Strict(
  {
    id: ref(Id),
    kind: ref(TopicKind),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    slug: StoredSlug,
    description: Nullable(Type.String({ maxLength: 5000 })),
    aliases: Aliases,
    version: Version,
    createdAt: ref(Timestamp),
    updatedAt: ref(Timestamp),
  },
  { $id: 'ArchiveTopic' },
)

export const ArchiveContributor = Strict(
  {
    id: ref(Id),
    kind: ref(ContributorKind),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    slug: StoredSlug,
    bio: Nullable(Type.String({ maxLength: 5000 })),
    avatarUrl: Nullable(Url),
    aliases: Aliases,
    version: Version,
    createdAt: ref(Timestamp),
    updatedAt: ref(Timestamp),
  },
  { $id: 'ArchiveContributor' },
)

const Dimension = Nullable(Type.Integer({ minimum: 1, maximum: 100000 }))
export const ArchiveMedia = Strict(
  {
    id: ref(Id),
    kind: ref(MediaKind),
    url: Nullable(Url),
    mimeType: Nullable(Type.String({ maxLength: 100, pattern: '^(image|video|audio)/[A-Za-z0-9.+-]+$' })),
    width: Dimension,
    height: Dimension,
    durationSeconds: Nullable(Type.Integer({ minimum: 0, maximum: 1000000 })),
    sizeBytes: Nullable(Type.Integer({ minimum: 0 })),
    alt: Nullable(Type.String({ maxLength: 1000 })),
    caption: Nullable(Type.String({ maxLength: 2000 })),
    credit: Nullable(Type.String({ maxLength: 300 })),
    copyright: Nullable(Type.String({ maxLength: 300 })),
    renditions: Type.Array(ref(Rendition), { maxItems: 20 }),
    version: Version,
    createdAt: ref(Timestamp),
    updatedAt: ref(Timestamp),
  },
  { $id: 'ArchiveMedia' },
)

export const ArchiveArticleTopic = Strict({ topicId: ref(Id), primary: Type.Boolean() }, { $id: 'ArchiveArticleTopic' })

export const ArchiveArticle = Strict(
  {
    id: ref(Id),
    slug: StoredSlug,
    type: ref(ArticleType),
    status: ref(ArticleStatus),
    language: ref(Language),
    sectionId: Nullable(ref(Id)),
    headlines: ref(Headlines),
    summary: Nullable(Type.String({ minLength: 1, maxLength: 2000 })),
    leadMedia: Nullable(ref(LeadMediaInput)),
    body: Type.Array(ref(BodyBlock), { maxItems: 500 }),
    credits: Type.Array(ref(CreditInput), { maxItems: 50, description: 'In order.' }),
    topics: Type.Array(ref(ArchiveArticleTopic), { maxItems: 50, description: 'In order; at most one primary.' }),
    printEdition: Nullable(ref(PrintEdition)),
    corrections: Type.Array(ref(Correction)),
    canonicalUrl: Nullable(Url),
    wordCount: Count,
    contentHash: Nullable(Type.String({ minLength: 1, maxLength: 128, description: 'The hash of the raw text it was imported from, if any.' })),
    version: Version,
    createdAt: ref(Timestamp),
    updatedAt: ref(Timestamp),
    listedAt: ref(Timestamp),
    firstPublishedAt: Nullable(ref(Timestamp)),
    publishedAt: Nullable(ref(Timestamp)),
    scheduledAt: Nullable(ref(Timestamp)),
    embargoUntil: Nullable(ref(Timestamp)),
  },
  {
    $id: 'ArchiveArticle',
    description:
      'An article as stored, with its section, credits and topics by id. The search text and the media it uses are recomputed on import from the body and lead media.',
  },
)

export const ArchiveRevision = Strict(
  {
    articleId: ref(Id),
    version: Version,
    createdAt: ref(Timestamp),
    actorKeyId: Nullable(Type.String({ maxLength: 200 })),
    message: Nullable(Type.String({ maxLength: 2000 })),
    snapshot: ref(RevisionSnapshot),
  },
  { $id: 'ArchiveRevision' },
)

const record = <K extends string, T extends TSchema>(kind: K, data: T, name: string) =>
  Strict({ kind: Type.Literal(kind), data: ref(data) }, { $id: name })

export const ArchiveSectionLine = record('section', ArchiveSection, 'ArchiveSectionLine')
export const ArchiveTopicLine = record('topic', ArchiveTopic, 'ArchiveTopicLine')
export const ArchiveContributorLine = record('contributor', ArchiveContributor, 'ArchiveContributorLine')
export const ArchiveMediaLine = record('media', ArchiveMedia, 'ArchiveMediaLine')
export const ArchiveArticleLine = record('article', ArchiveArticle, 'ArchiveArticleLine')
export const ArchiveRevisionLine = record('revision', ArchiveRevision, 'ArchiveRevisionLine')
export const ArchiveEnd = Strict(
  { kind: Type.Literal('end'), records: Type.Integer({ minimum: 0, description: 'How many lines lie between the header and this line; a shorter file was cut off.' }) },
  { $id: 'ArchiveEnd', description: 'The last line of an archive.' },
)

const lineSchemas = [ArchiveHeader, ArchiveSectionLine, ArchiveTopicLine, ArchiveContributorLine, ArchiveMediaLine, ArchiveArticleLine, ArchiveRevisionLine, ArchiveEnd]
export type ArchiveLineValue = Static<(typeof lineSchemas)[number]>
export type ArchiveRecordValue = Exclude<ArchiveLineValue, { kind: 'header' | 'end' }>

/** One line of an archive: a tagged union on `kind`. */
export const ArchiveLine = Type.Unsafe<ArchiveLineValue>({
  $id: 'ArchiveLine',
  type: 'object',
  required: ['kind'],
  discriminator: { propertyName: 'kind' },
  oneOf: lineSchemas.map((s) => ({ $ref: s.$id })),
  description: 'One line of a Newsdesk archive (NDJSON).',
})

export const ARCHIVE_DESCRIPTION =
  'A Newsdesk archive: NDJSON (one JSON object a line, UTF-8), each line an `ArchiveLine`. First a header, then the catalogue ' +
  '(sections parents first, topics, contributors, media), then the articles, each followed by its revisions when the archive has them, ' +
  'and last an `end` line.'

/** The NDJSON body of an import and the answer of an export. */
export const ArchiveNdjson = Type.String({ $id: 'ArchiveNdjson', description: ARCHIVE_DESCRIPTION })

export const ArchiveExportQuery = Strict(
  { revisions: Type.Optional(Type.Boolean({ description: 'Follow each article with its revisions, oldest first (default false).' })) },
  { $id: 'ArchiveExportQuery' },
)

export const ArchiveImportQuery = Strict(
  {
    resumeFrom: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2147483647,
        description: 'Skip the lines before this one (they were imported by an earlier run, as its `resumeFrom` said); the header is still read.',
      }),
    ),
  },
  { $id: 'ArchiveImportQuery' },
)

export const ArchiveLineFailure = Strict(
  { line: Type.Integer({ minimum: 1, description: '1-based line number in the archive.' }), error: Type.String() },
  { $id: 'ArchiveLineFailure', description: 'The line that stopped the import, and why.' },
)

const summary = {
  imported: ref(ArchiveCounts),
  unchanged: ref(ArchiveCounts),
  lines: Type.Integer({ minimum: 0, description: 'The lines read (a failed import stops at the failing line).' }),
  failed: Nullable(ref(ArchiveLineFailure)),
  resumeFrom: Nullable(
    Type.Integer({
      minimum: 1,
      description:
        'On failure: every line before this one is imported; nothing from it on is. Fix the failing line and import again with `resumeFrom` (or the whole file again: rows already there are skipped as unchanged).',
    }),
  ),
}

export const ArchiveImportResult = Strict(summary, {
  $id: 'ArchiveImportResult',
  description:
    '`imported`: records added (the database did not hold them); `unchanged`: records the database already held exactly. ' +
    'An import never overwrites: a record stored with different content stops the import at its line (422).',
})
export type ArchiveImportResultValue = Static<typeof ArchiveImportResult>

/** The 422 problem of a failed import: the problem details plus the import summary. */
export const ArchiveImportProblem = Type.Object(
  { ...Problem.properties, ...summary },
  { $id: 'ArchiveImportProblem', description: 'RFC 9457 problem details for a line that stopped an import, with the import summary.' },
)

export const archiveSchemas = [
  ArchiveCounts,
  ArchiveHeader,
  ArchiveSection,
  ArchiveTopic,
  ArchiveContributor,
  ArchiveMedia,
  ArchiveArticleTopic,
  ArchiveArticle,
  ArchiveRevision,
  ArchiveSectionLine,
  ArchiveTopicLine,
  ArchiveContributorLine,
  ArchiveMediaLine,
  ArchiveArticleLine,
  ArchiveRevisionLine,
  ArchiveEnd,
  ArchiveLine,
  ArchiveNdjson,
  ArchiveExportQuery,
  ArchiveImportQuery,
  ArchiveLineFailure,
  ArchiveImportResult,
  ArchiveImportProblem,
]

/**
 * A validator for archive lines with the same compiler and options as the routes'
 * bodies (Ajv through @fastify/ajv-compiler: no coercion, unknown properties are an
 * error, tagged unions by discriminator). TypeBox's own checker cannot be used: the
 * tagged unions (`BodyBlock`, `ArchiveLine`) are raw JSON Schema it does not evaluate.
 * `schemas` are every shared schema (src/schemas/index.ts), for the references.
 */
export function compileArchiveLineValidator(schemas: TSchema[]): (value: unknown) => Issue | null {
  const externals = Object.fromEntries(schemas.map((s) => [s.$id!, s]))
  const compile = AjvCompiler()(externals as never, {
    onCreate: strictDateTime,
    customOptions: { removeAdditional: false, useDefaults: true, allErrors: false, discriminator: true, coerceTypes: false },
  } as never) as unknown as (route: { schema: TSchema }) => {
    (value: unknown): boolean
    errors?: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[] | null
  }
  const validate = compile({ schema: ArchiveLine })
  return (value) => {
    if (validate(value)) return null
    const e = validate.errors?.[0]
    if (!e) return { path: '/', message: 'is not a valid archive line' }
    if (e.keyword === 'additionalProperties') return { path: `${e.instancePath}/${String(e.params.additionalProperty)}`, message: 'is not a known property' }
    if (e.keyword === 'required') return { path: `${e.instancePath}/${String(e.params.missingProperty)}`, message: 'is required' }
    if (e.keyword === 'discriminator') {
      const tag = e.params.tag as string
      const where = `${e.instancePath}/${tag}`
      if (e.params.error === 'mapping') {
        const known = e.instancePath === '' ? 'line kind' : tag === 'type' ? 'block type' : tag
        return { path: where, message: `'${String(e.params.tagValue)}' is not a known ${known}` }
      }
      return { path: where, message: 'must be a string' }
    }
    return { path: e.instancePath || '/', message: e.message ?? 'is invalid' }
  }
}
