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
}

export interface LineReport {
  /** 1-based, counted after CRLF / CR normalisation. */
  line: number
  /** The line, whitespace-trimmed. */
  text: string
  /** The rule that claimed the line; 'chrome:*' and 'dropped:*' rules drop it. */
  rule: string
  /** True when the line contributed to the article. */
  used: boolean
}

export interface ParseReport {
  lines: LineReport[]
  warnings: string[]
}

export interface ParseResult {
  article: ParsedArticle
  report: ParseReport
}
