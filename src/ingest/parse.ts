// parseRawText: raw copy-pasted news page text or wire copy -> a structured draft article.
//
// Pure: no I/O. Two stages:
//   1. classify.ts claims each trimmed line with a named rule that looks at that line alone
//      (chrome, ad, caption, video teaser, byline, credit line, stamp, print line, timestamp, text);
//   2. the Assembler below decides what depends on position: headline, topic label, summary, lead
//      image, headings, pull quotes, dateline, letter signature, trailing fragments, ad slots.
//
// Guarantees (tested): the parser never invents text (every string in the article, apart from the
// ISO dates and enum values, is a trimmed slice of the input); every line gets a LineReport whose
// rule says why it was used or dropped; it runs in time linear in the input and never throws.
//
// Decisions:
// - Every "Advertisement" line of a page with article text is an ad slot, in page order: the ones
//   above the headline (the sample starts with two) open the body, the ones inside stay where
//   they stood, so a renderer keeps the page's ad positions. On a page without article text
//   they are chrome ('chrome:ad').
// - Page chrome (promos, share prompts, reading time, audio players, navigation) is matched by
//   exact phrases and a few anchored shapes (classify.ts), never by "looks short", so that short
//   article text is not lost. Binary lines are dropped as 'dropped:garbage'.
// - The header zone is everything before the first line that reads like a sentence (ends with a
//   full stop or is long). In it: type labels ("Opinion", "Letters", "Live", ...), a topic label
//   (a short line standing above the headline, or below it when none stands above), the headline
//   (the first line that is not label-short) and a standfirst without a full stop.
// - Otherwise the summary is the first paragraph right after the headline, when no byline or stamp
//   stands between them, it has no dateline, and more text (or a byline) follows it; letters,
//   briefs and live pages get no summary.
// - Only the first photo caption ABOVE the headline is the lead image; captions after it are body
//   images. A caption seen before (same line) is 'chrome:duplicate-caption'.
// - Lines after the first end-of-article line (a credit line or the print-edition line) that are
//   at most three words without punctuation are 'chrome:fragment' (the sample's lone "Post");
//   longer ones are kept as paragraphs with a warning.

import type {
  ArticleType,
  LineReport,
  ParsedArticle,
  ParsedBlock,
  ParsedCredit,
  ParseResult,
} from './types.js'
import { classifyLine, parseDateline, type LineClass } from './classify.js'
import {
  countWords,
  endsWithFullStop,
  endsWithTerminal,
  isLabelLike,
  isLong,
  kindOf,
  lastSignificantChar,
  looksLikeName,
  phraseKey,
} from './text.js'

export type {
  ArticleType,
  ContributorKind,
  CreditRole,
  LineReport,
  ParseReport,
  ParseResult,
  ParsedArticle,
  ParsedBlock,
  ParsedCredit,
  ParsedImage,
} from './types.js'

const TYPE_LABELS = new Map<string, ArticleType>()
function typeLabels(type: ArticleType, labels: string[]): void {
  for (const label of labels) TYPE_LABELS.set(label, type)
}
typeLabels('opinion', ['opinion', 'comment', 'commentary', 'op-ed', 'editorial', 'column', 'viewpoint'])
typeLabels('letter', [
  'letter', 'letters', 'letter to the editor', 'letters to the editor', 'your letters', "readers' letters",
  'readers’ letters',
])
typeLabels('live', ['live', 'live updates', 'live blog', 'live coverage', 'as it happened'])
typeLabels('feature', [
  'feature', 'features', 'long read', 'the long read', 'big read', 'the big read', 'in depth', 'in-depth',
  'magazine',
])
typeLabels('brief', ['brief', 'briefs', 'in brief', 'news in brief', 'briefly'])

interface Line {
  text: string
  cls: LineClass
}

/** One shared object for every blank line, so that megabytes of newlines stay cheap. */
const BLANK_LINE: Line = { text: '', cls: { kind: 'blank' } }

export function parseRawText(text: string): ParseResult {
  const input = typeof text === 'string' ? text : ''
  const lines = input
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((raw): Line => {
      const trimmed = raw.trim()
      return trimmed === '' ? BLANK_LINE : { text: trimmed, cls: classifyLine(trimmed) }
    })
  return new Assembler(lines).run()
}

function emptyArticle(): ParsedArticle {
  return {
    headline: null,
    topicLabel: null,
    summary: null,
    leadImage: null,
    body: [],
    credits: [],
    dateline: null,
    publishedAt: null,
    updatedAt: null,
    print: null,
    type: 'news',
  }
}

/** A short excerpt of a line for warnings (lines can be megabytes long). */
function excerpt(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}

/** "“We will not be moved.”" -> "We will not be moved."; null unless the whole line is one quotation. */
function quotation(text: string): string | null {
  const pairs: Array<[string, string]> = [['“', '”'], ['"', '"']]
  for (const [open, close] of pairs) {
    if (text.length < 3 || !text.startsWith(open) || !text.endsWith(close)) continue
    const inner = text.slice(1, -1)
    if (!inner.includes(close)) return inner.trim()
  }
  return null
}

/** "— Ana Ruiz, harbour master" -> "Ana Ruiz, harbour master". */
function attribution(text: string): string | null {
  for (const dash of ['—', '–', '-']) {
    if (!text.startsWith(dash)) continue
    const rest = text.slice(dash.length).trim()
    return rest !== '' && countWords(rest, 15) <= 15 ? rest : null
  }
  return null
}

function isHeadingLike(text: string): boolean {
  return text.length <= 80 &&
    countWords(text, 10) <= 10 &&
    !'.!?…,;:'.includes(lastSignificantChar(text)) &&
    /^[\p{Lu}\p{N}]/u.test(text)
}

class Assembler {
  private readonly rules: Array<string | undefined>
  private readonly used: boolean[]
  private readonly article = emptyArticle()
  private blocks: Array<{ block: ParsedBlock; index: number }> = []
  private readonly lineWarnings: string[] = []
  private readonly seenCaptions = new Set<string>()
  private readonly creditKeys = new Set<string>()
  private headlineIndex = -1
  private typeFromLabel = false

  constructor(private readonly lines: Line[]) {
    this.rules = new Array<string | undefined>(lines.length).fill(undefined)
    this.used = new Array<boolean>(lines.length).fill(false)
  }

  run(): ParseResult {
    this.claimBlankAndDropped()
    this.readHeader()
    this.readLeadImage()
    this.guessTypeFromShape()
    this.readSentenceSummary()
    this.readBody()
    this.placeAds()
    this.warnAboutTruncation()
    const warnings = [...this.generalWarnings(), ...this.lineWarnings]
    const lines: LineReport[] = this.lines.map((line, i) => ({
      line: i + 1,
      text: line.text,
      rule: this.rules[i] ?? 'unclaimed',
      used: this.used[i] ?? false,
    }))
    this.article.body = this.blocks.map((b) => b.block)
    return { article: this.article, report: { lines, warnings } }
  }

  // --- helpers ------------------------------------------------------------------------------

  private claim(i: number, rule: string, used = true): void {
    this.rules[i] = rule
    this.used[i] = used
  }

  private isFree(i: number): boolean {
    return this.rules[i] === undefined
  }

  private line(i: number): Line {
    const line = this.lines[i]
    if (line === undefined) throw new RangeError(`no line ${i}`)
    return line
  }

  private warnAt(i: number, message: string): void {
    this.lineWarnings.push(`line ${i + 1}: ${message}`)
  }

  private addBlock(i: number, block: ParsedBlock): void {
    this.blocks.push({ block, index: i })
  }

  private addCredits(credits: ParsedCredit[]): void {
    for (const credit of credits) {
      const key = `${credit.name.toLowerCase()}\u0000${credit.role}`
      if (this.creditKeys.has(key)) continue
      this.creditKeys.add(key)
      this.article.credits.push(credit)
    }
  }

  private setTopicLabel(i: number): void {
    this.article.topicLabel = this.line(i).text
    this.claim(i, 'topic-label')
  }

  // --- stages -------------------------------------------------------------------------------

  private claimBlankAndDropped(): void {
    this.lines.forEach((line, i) => {
      if (line.cls.kind === 'blank') this.claim(i, 'blank', false)
      else if (line.cls.kind === 'drop') this.claim(i, line.cls.rule, false)
    })
  }

  /** Type labels, topic label, headline and a standfirst without a full stop. */
  private readHeader(): void {
    let end = this.lines.length
    for (let i = 0; i < this.lines.length; i++) {
      const { cls, text } = this.line(i)
      if (cls.kind === 'text' && (endsWithFullStop(text) || isLong(text))) {
        end = i
        break
      }
    }

    const candidates: number[] = []
    for (let i = 0; i < end; i++) {
      const { cls, text } = this.line(i)
      if (cls.kind !== 'text') continue
      const type = text.length <= 40 ? TYPE_LABELS.get(phraseKey(text)) : undefined
      if (type === undefined) {
        candidates.push(i)
        continue
      }
      this.claim(i, 'type-label')
      if (!this.typeFromLabel) {
        this.article.type = type
        this.typeFromLabel = true
      }
    }
    if (candidates.length === 0) return

    const isLabel = (i: number): boolean => isLabelLike(this.line(i).text)
    const headline = candidates.find((i) => !isLabel(i)) ?? candidates[candidates.length - 1] ?? -1
    this.headlineIndex = headline
    this.article.headline = this.line(headline).text
    this.claim(headline, 'headline')

    // Every candidate above the headline is label-short; the closest one is the topic label.
    const above = candidates.filter((i) => i < headline)
    const label = above[above.length - 1]
    if (label !== undefined) this.setTopicLabel(label)
    for (const i of above) {
      if (i === label) continue
      if (this.line(i).text === this.article.topicLabel) this.claim(i, 'chrome:duplicate-label', false)
      else {
        this.claim(i, 'chrome:navigation', false)
        this.warnAt(i, `dropped short line above the headline: "${excerpt(this.line(i).text)}"`)
      }
    }

    for (const i of candidates.filter((c) => c > headline)) {
      const { text } = this.line(i)
      if (text === this.article.topicLabel) this.claim(i, 'chrome:duplicate-label', false)
      else if (this.article.topicLabel === null && isLabel(i)) this.setTopicLabel(i)
      else if (this.article.summary === null && !isLabel(i)) {
        this.article.summary = text
        this.claim(i, 'summary')
      }
      // anything else stays for the body
    }
  }

  /** The first caption above the headline is the hero photo. */
  private readLeadImage(): void {
    for (let i = 0; i < this.headlineIndex; i++) {
      const { cls, text } = this.line(i)
      if (cls.kind !== 'caption' || !this.isFree(i)) continue
      this.article.leadImage = { caption: cls.caption, credit: cls.credit }
      this.seenCaptions.add(text)
      this.claim(i, 'lead-image-caption')
      this.warnAboutCaption(i, cls.caption, cls.credit)
      return
    }
  }

  /** Without a type label: several entry times make a live page; one or two short paragraphs a brief. */
  private guessTypeFromShape(): void {
    if (this.typeFromLabel) return
    let timestamps = 0
    let paragraphs = 0
    let words = 0
    for (let i = 0; i < this.lines.length; i++) {
      const { cls, text } = this.line(i)
      if (!this.isFree(i)) continue
      if (cls.kind === 'timestamp') timestamps++
      else if (cls.kind === 'credit' || cls.kind === 'print') break
      else if (cls.kind === 'text' && i > this.headlineIndex) {
        paragraphs++
        words += countWords(text, 200)
      }
    }
    if (timestamps >= 2) this.article.type = 'live'
    else if (this.headlineIndex >= 0 && paragraphs >= 1 && paragraphs <= 2 && words <= 120) this.article.type = 'brief'
  }

  /** A standfirst that ends with a full stop: the first paragraph right under the headline. */
  private readSentenceSummary(): void {
    const { type } = this.article
    if (this.article.summary !== null || this.headlineIndex < 0) return
    if (type === 'letter' || type === 'brief' || type === 'live') return
    let first = -1
    for (let i = this.headlineIndex + 1; i < this.lines.length && first < 0; i++) {
      if (!this.isFree(i)) continue
      const { kind } = this.line(i).cls
      if (kind === 'byline' || kind === 'stamp' || kind === 'credit' || kind === 'print') return
      if (kind === 'text') first = i
    }
    if (first < 0 || parseDateline(this.line(first).text) !== null) return
    for (let i = first + 1; i < this.lines.length; i++) {
      if (!this.isFree(i)) continue
      const { kind } = this.line(i).cls
      if (kind === 'text' || kind === 'byline' || kind === 'stamp') {
        this.article.summary = this.line(first).text
        this.claim(first, 'summary')
        return
      }
      if (kind === 'credit' || kind === 'print') return
    }
  }

  private readBody(): void {
    let endOfArticle = -1
    let lastText = -1
    for (let i = 0; i < this.lines.length; i++) {
      if (!this.isFree(i)) continue
      const { kind } = this.line(i).cls
      if ((kind === 'credit' || kind === 'print') && endOfArticle < 0) endOfArticle = i
      if (kind === 'text' && endOfArticle < 0) lastText = i
    }

    let ledeSeen = false
    for (let i = 0; i < this.lines.length; i++) {
      if (!this.isFree(i)) continue
      const { cls, text } = this.line(i)
      switch (cls.kind) {
        case 'ad':
          this.addBlock(i, { type: 'ad', slot: '' }) // numbered in placeAds()
          this.claim(i, 'ad-slot')
          break
        case 'caption':
          if (this.seenCaptions.has(text)) {
            this.claim(i, 'chrome:duplicate-caption', false)
            break
          }
          this.seenCaptions.add(text)
          this.addBlock(i, { type: 'image', caption: cls.caption, credit: cls.credit })
          this.claim(i, 'image-caption')
          this.warnAboutCaption(i, cls.caption, cls.credit)
          break
        case 'video':
          this.addBlock(i, { type: 'video', title: cls.title })
          this.claim(i, 'video-teaser')
          break
        case 'timestamp':
          this.addBlock(i, { type: 'heading', text })
          this.claim(i, 'timestamp')
          break
        case 'byline':
          this.addCredits(cls.credits)
          this.claim(i, 'byline')
          break
        case 'credit':
          this.addCredits(cls.credits)
          this.claim(i, 'credit')
          break
        case 'print':
          if (this.article.print === null) {
            this.article.print = { publication: cls.publication, headline: cls.headline }
            this.claim(i, 'print-edition')
          } else this.claim(i, 'chrome:duplicate-print', false)
          break
        case 'stamp':
          this.readStamp(i, cls.field, cls.iso)
          break
        case 'text':
          if (endOfArticle >= 0 && i > endOfArticle) this.readTrailingText(i)
          else {
            this.readText(i, !ledeSeen, i === lastText)
            ledeSeen = true
          }
          break
        default:
          break // blank and dropped lines were claimed first
      }
    }
  }

  private readStamp(i: number, field: 'publishedAt' | 'updatedAt' | 'date', iso: string | null): void {
    if (iso === null) {
      this.claim(i, 'dropped:stamp', false)
      this.warnAt(i, `could not read the date in "${excerpt(this.line(i).text)}"`)
      return
    }
    const target = field === 'date' ? 'publishedAt' : field
    if (this.article[target] === null) {
      this.article[target] = iso
      this.claim(i, 'stamp')
    } else this.claim(i, 'chrome:duplicate-stamp', false)
  }

  private readTrailingText(i: number): void {
    const { text } = this.line(i)
    if (countWords(text, 3) <= 3 && !endsWithTerminal(text)) {
      this.claim(i, 'chrome:fragment', false)
      return
    }
    this.addBlock(i, { type: 'paragraph', text })
    this.claim(i, 'paragraph')
    this.warnAt(i, 'text after the end of the article (credit or print-edition line) kept as a paragraph')
  }

  private readText(i: number, isLede: boolean, isLast: boolean): void {
    const { text } = this.line(i)

    const dateline = isLede ? parseDateline(text) : null
    if (dateline !== null) {
      this.article.dateline = dateline.place
      if (dateline.agency !== null && !this.article.credits.some((c) => c.name === dateline.agency)) {
        this.addCredits([{ name: dateline.agency, kind: 'agency', role: 'byline' }])
      }
      this.addBlock(i, { type: 'paragraph', text: dateline.rest })
      this.claim(i, 'dateline')
      return
    }

    const quoted = quotation(text)
    if (quoted !== null) {
      let next = i + 1
      while (next < this.lines.length && this.line(next).cls.kind === 'blank') next++
      const nextLine = this.lines[next]
      const by = nextLine !== undefined && nextLine.cls.kind === 'text' && this.isFree(next)
        ? attribution(nextLine.text)
        : null
      if (by !== null) {
        this.addBlock(i, { type: 'quote', text: quoted, attribution: by })
        this.claim(i, 'quote')
        this.claim(next, 'quote-attribution')
        return
      }
    }

    if (this.article.type === 'letter' && isLast && !endsWithTerminal(text) && countWords(text, 10) <= 10) {
      const name = (text.split(',')[0] ?? '').trim()
      if (looksLikeName(name)) {
        this.addCredits([{ name, kind: kindOf(name), role: 'byline' }])
        this.claim(i, 'signature')
        return
      }
    }

    if (!isLast && isHeadingLike(text)) {
      this.addBlock(i, { type: 'heading', text })
      this.claim(i, 'heading')
      return
    }

    this.addBlock(i, { type: 'paragraph', text })
    this.claim(i, 'paragraph')
  }

  /** Ads are slots of a page that has article text; they are numbered ad-1, ad-2, ... in page order. */
  private placeAds(): void {
    const hasContent = this.blocks.some((b) => b.block.type !== 'ad')
    let slot = 0
    const kept: typeof this.blocks = []
    for (const b of this.blocks) {
      if (b.block.type !== 'ad') kept.push(b)
      else if (!hasContent) this.claim(b.index, 'chrome:ad', false)
      else kept.push({ block: { type: 'ad', slot: `ad-${++slot}` }, index: b.index })
    }
    this.blocks = kept
  }

  private warnAboutCaption(i: number, caption: string, credit: string | null): void {
    if (credit === null) this.warnAt(i, 'image caption without a credit')
    if (caption === '') this.warnAt(i, 'photo credit without a caption')
  }

  private warnAboutTruncation(): void {
    for (let k = this.blocks.length - 1; k >= 0; k--) {
      const entry = this.blocks[k]
      if (entry === undefined || entry.block.type !== 'paragraph') continue
      if (!endsWithTerminal(entry.block.text)) {
        this.warnAt(entry.index, 'the last paragraph ends without terminal punctuation; the text may be truncated')
      }
      return
    }
  }

  private generalWarnings(): string[] {
    const warnings: string[] = []
    let nonBlank = 0
    let garbage = 0
    let chrome = 0
    this.lines.forEach((line, i) => {
      if (line.cls.kind === 'blank') return
      nonBlank++
      const rule = this.rules[i] ?? ''
      if (rule === 'dropped:garbage') garbage++
      else if (rule.startsWith('chrome:')) chrome++
    })
    if (nonBlank === 0) return ['input is empty']
    if (garbage > 0) warnings.push(`dropped ${garbage} line(s) of binary data or control characters`)
    if (!this.used.some(Boolean)) {
      warnings.push(chrome > 0 ? 'input contains only page chrome' : 'input contains no readable text')
      return warnings
    }
    if (this.article.headline === null) warnings.push('no headline found')
    if (!this.blocks.some((b) => b.block.type === 'paragraph' || b.block.type === 'heading' || b.block.type === 'quote')) {
      warnings.push('no body text found')
    }
    return warnings
  }
}
