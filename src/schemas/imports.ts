import { Type, type Static } from '@sinclair/typebox'
import { Nullable, Problem, Strict, ref } from './common.js'
import { Article, ArticleType, CreditRole } from './article.js'
import { ContributorKind } from './contributor.js'
import { CONFIDENCE_FIELDS, LOW_CONFIDENCE, type ConfidenceField } from '../ingest/types.js'

/** The largest text an import takes (the request body limit of the server may be lower). */
export const MAX_IMPORT_TEXT = 2 * 1024 * 1024

const TEXT_DESCRIPTION =
  'The raw text of one story: a page copied from a news site, or wire copy. UTF-8; NUL bytes are refused (415). ' +
  'Empty or whitespace-only text is a 422 (`/problems/empty-text`).'

/** `text/plain` request body. */
export const ImportText = Type.String({ $id: 'ImportText', maxLength: MAX_IMPORT_TEXT, description: TEXT_DESCRIPTION })

/** `application/json` request body. */
export const ImportRequest = Strict(
  { text: Type.String({ maxLength: MAX_IMPORT_TEXT, description: TEXT_DESCRIPTION }) },
  { $id: 'ImportRequest', description: 'The text to import, as JSON. Use `?dryRun=true` for a dry run.' },
)
export type ImportRequestBody = Static<typeof ImportRequest>

export const ImportQuery = Strict(
  {
    dryRun: Type.Optional(
      Type.Boolean({
        description: 'Parse and report only: nothing is saved, `article` is null and the answer is 200 (default false).',
      }),
    ),
  },
  { $id: 'ImportQuery' },
)

export const ParsedImage = Strict(
  {
    caption: Type.String({ description: 'The caption, without its credit.' }),
    credit: Nullable(Type.String({ description: 'From "Photo: AP" and the like.' })),
  },
  { $id: 'ParsedImage', description: 'A photo known by its caption line.' },
)

export const ParsedBlockType = Type.Unsafe<'paragraph' | 'image' | 'video' | 'ad' | 'heading' | 'quote'>({
  $id: 'ParsedBlockType',
  type: 'string',
  enum: ['paragraph', 'image', 'video', 'ad', 'heading', 'quote'],
})

export const ParsedBlock = Type.Object(
  {
    type: ref(ParsedBlockType),
    text: Type.Optional(Type.String({ description: 'paragraph, heading, quote: plain text (not HTML).' })),
    caption: Type.Optional(Type.String({ description: 'image' })),
    credit: Type.Optional(Nullable(Type.String({ description: 'image' }))),
    title: Type.Optional(Type.String({ description: 'video: the teaser after "Watch:".' })),
    slot: Type.Optional(Type.String({ description: 'ad: ad-1, ad-2, ... in page order.' })),
    attribution: Type.Optional(Nullable(Type.String({ description: 'quote' }))),
  },
  { $id: 'ParsedBlock', additionalProperties: false, description: 'A body block as the parser found it; `type` says which fields are set.' },
)

export const ParsedCredit = Strict(
  { name: Type.String(), kind: ref(ContributorKind), role: ref(CreditRole) },
  { $id: 'ParsedCredit', description: 'A byline, wire or agency credit as written in the text.' },
)

export const ParsedPrint = Strict(
  { publication: Type.String(), headline: Type.String() },
  { $id: 'ParsedPrint', description: 'From `This article appeared in <publication> print edition as: <headline>`.' },
)

export const ParsedArticle = Strict(
  {
    headline: Nullable(Type.String()),
    topicLabel: Nullable(Type.String({ description: 'The label shown with the headline; it becomes the primary topic.' })),
    summary: Nullable(Type.String({ description: 'The standfirst.' })),
    leadImage: Nullable(ref(ParsedImage)),
    body: Type.Array(ref(ParsedBlock)),
    credits: Type.Array(ref(ParsedCredit)),
    dateline: Nullable(Type.String({ description: 'e.g. WASHINGTON from "WASHINGTON (Reuters) -".' })),
    publishedAt: Nullable(Type.String({ description: 'ISO 8601, from a "Published:" stamp in the text.' })),
    updatedAt: Nullable(Type.String({ description: 'ISO 8601, from an "Updated:" stamp in the text.' })),
    print: Nullable(ref(ParsedPrint)),
    type: ref(ArticleType),
    series: Nullable(Type.String({ description: 'The column or series the page names ("The Harbour View", "Long Reads"); reported, not stored.' })),
  },
  { $id: 'ParsedArticle', description: 'What the parser found in the text, before anything is saved.' },
)

export const ImportReportLine = Strict(
  {
    line: Type.Integer({ minimum: 1, description: '1-based, after CRLF normalisation.' }),
    text: Type.String({ description: 'The line, trimmed.' }),
    rule: Type.String({ description: "The rule that claimed the line; 'chrome:*' and 'dropped:*' rules drop it." }),
    used: Type.Boolean({ description: 'Whether the line went into the article.' }),
    reason: Nullable(Type.String({ description: 'For a dropped line, why, in words (e.g. "a share, comment or picture counter"); null otherwise.' })),
  },
  { $id: 'ImportReportLine' },
)

const score = (what: string) => Type.Number({ minimum: 0, maximum: 1, description: what })

export const ImportConfidence = Strict(
  Object.fromEntries(CONFIDENCE_FIELDS.map((field) => [field, score(`How sure the parser is of \`${field}\` (0 to 1).`)])) as Record<ConfidenceField, ReturnType<typeof score>>,
  { $id: 'ImportConfidence', description: `How sure the parser is of each field, from 0 to 1; below ${LOW_CONFIDENCE} a field is flagged in \`lowConfidence\`.` },
)

export const ImportReport = Strict(
  {
    lines: Type.Array(ref(ImportReportLine)),
    warnings: Type.Array(Type.String()),
    confidence: ref(ImportConfidence),
    lowConfidence: Type.Array(Type.Unsafe<ConfidenceField>({ type: 'string', enum: [...CONFIDENCE_FIELDS] }), {
      description: `The fields whose confidence is below ${LOW_CONFIDENCE}: check them before publishing. Empty when the parse looks sound.`,
    }),
  },
  { $id: 'ImportReport', description: 'Why each line was used or dropped, how sure the parse is, and what may need an editor.' },
)

export const TopicSuggestion = Strict(
  {
    topicId: Type.String(),
    name: Type.String(),
    count: Type.Integer({ minimum: 1 }),
    positions: Type.Array(Type.Integer({ minimum: 0 }), { description: 'UTF-16 offsets into the submitted text where each mention starts.' }),
  },
  { $id: 'TopicSuggestion', description: 'A known topic the text mentions, by name or alias.' },
)

export const ImportResult = Strict(
  {
    created: Type.Boolean({ description: 'True when this request created the article; false for a repeat import and a dry run.' }),
    article: Nullable(ref(Article)),
    parse: ref(ParsedArticle),
    report: ref(ImportReport),
    suggestions: Type.Array(ref(TopicSuggestion), { description: 'Known topics the text mentions, most mentioned first.' }),
  },
  { $id: 'ImportResult' },
)
export type ImportResultOut = Static<typeof ImportResult>

/** A problem that can carry the parser's warnings (422 for text without a headline). */
export const ImportProblem = Type.Object(
  {
    ...Problem.properties,
    warnings: Type.Optional(Type.Array(Type.String(), { description: 'On 422: what the parser noticed, e.g. "input contains only page chrome".' })),
  },
  { $id: 'ImportProblem', description: 'RFC 9457 problem details; a 422 for unusable text adds the parser warnings.' },
)

export const importSchemas = [
  ImportText,
  ImportRequest,
  ImportQuery,
  ParsedImage,
  ParsedBlockType,
  ParsedBlock,
  ParsedCredit,
  ParsedPrint,
  ParsedArticle,
  ImportReportLine,
  ImportConfidence,
  ImportReport,
  TopicSuggestion,
  ImportResult,
  ImportProblem,
]
