// Types of the raw-text ingest parser (see parse.ts). Pure data, no behaviour.

export type CreditRole = 'byline' | 'additional-reporting' | 'photo' | 'video' | 'editing'
export type ContributorKind = 'person' | 'agency' | 'organisation'
export type ArticleType = 'news' | 'opinion' | 'feature' | 'letter' | 'brief' | 'live'

export interface ParsedCredit {
  name: string
  kind: ContributorKind
  role: CreditRole
}

export interface ParsedImage {
  caption: string
  credit: string | null
}

export type ParsedBlock =
  | { type: 'paragraph'; text: string }
  | { type: 'image'; caption: string; credit: string | null }
  | { type: 'video'; title: string } // from "Watch: ..." teasers
  | { type: 'ad'; slot: string } // where "Advertisement" stood inside the body: 'ad-1', 'ad-2', ...
  | { type: 'heading'; text: string }
  | { type: 'quote'; text: string; attribution: string | null }

export interface ParsedArticle {
  headline: string | null
  /** The topic label shown with the headline, e.g. "Donald Trump". */
  topicLabel: string | null
  /** The standfirst. */
  summary: string | null
  /** The hero photo whose caption stands BEFORE the headline. */
  leadImage: ParsedImage | null
  body: ParsedBlock[]
  /** Bylines, wire and agency credits, in order of appearance. Photo credits stay on the images. */
  credits: ParsedCredit[]
  /** e.g. "WASHINGTON" from "WASHINGTON (Reuters) -". */
  dateline: string | null
  /** ISO 8601 (with the offset when the stamp names one) if a published stamp is present and parseable. */
  publishedAt: string | null
  updatedAt: string | null
  print: { publication: string; headline: string } | null
  /** Best guess; 'news' by default. */
  type: ArticleType
  /** The column or series the piece belongs to ("The Harbour View", "Coastlines"), when the page names one. */
  series: string | null
}

/** The fields whose parse gets a confidence. */
export const CONFIDENCE_FIELDS = [
  'headline', 'topicLabel', 'summary', 'leadImage', 'body', 'credits', 'dateline', 'publishedAt', 'updatedAt',
  'print', 'type', 'series',
] as const
export type ConfidenceField = (typeof CONFIDENCE_FIELDS)[number]

/** How sure the parser is of each field, from 0 (a guess, or missing where one was expected) to 1. */
export type FieldConfidence = Record<ConfidenceField, number>

export interface LineReport {
  /** 1-based, counted after CRLF / CR normalisation. */
  line: number
  /** The line, whitespace-trimmed. */
  text: string
  /** The rule that claimed the line; 'chrome:*' and 'dropped:*' rules drop it. */
  rule: string
  /** True when the line contributed to the article. */
  used: boolean
  /** For a dropped line, why in words (see boilerplate.ts); null for a used or blank line. */
  reason: string | null
}

export interface ParseReport {
  lines: LineReport[]
  warnings: string[]
  confidence: FieldConfidence
  /** The fields whose confidence is below LOW_CONFIDENCE; the parse needs an editor's eye when any is. */
  lowConfidence: ConfidenceField[]
}

/** Below this, a field is flagged as low confidence. */
export const LOW_CONFIDENCE = 0.6

export interface ParseResult {
  article: ParsedArticle
  report: ParseReport
}
