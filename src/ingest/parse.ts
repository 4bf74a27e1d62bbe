// parseRawText: raw copy-pasted news page text or wire copy -> a structured draft article.
//
// Pure: no I/O. Two stages:
//   1. classify.ts claims each trimmed line with a named rule that looks at that line alone
//      (chrome, ad, caption, video teaser, byline, credit line, stamp, print line, timestamp, text);
//   2. the Assembler below decides what depends on position: headline, topic label, summary, lead
//      image, headings, pull quotes, dateline, letter signature, trailing fragments, ad slots.
//
// Guarantees (tested): the parser never invents text (every string in the article, apart from the
// ISO dates and enum values, is a trimmed slice of the input, or consecutive lines of a hard-wrapped
// paragraph joined by single spaces); every line gets a LineReport whose rule says why it was used
// or dropped (and, when dropped, a reason in words: boilerplate.ts); it runs in time linear in the
// input and never throws. The report also scores each field (confidence) and flags the weak ones.
//
// Chrome is recognised by rules, not only phrases: see boilerplate.ts for the known lines and the
// shapes (counters, URLs, breadcrumbs, calls to action, appeals, publisher names, header widgets,
// author bios). Bylines come in many shapes: "By A and B", "A, B and C", a name over a role line,
// "A in Place", an agency line, "A via Publisher · date", "(Reporting by ...; Editing by ...)",
// "Additional reporting by ...", syndication and partnership lines.
//
// Decisions:
// - Every "Advertisement" line of a page with article text is an ad slot, in page order: the ones
//   above the headline (the sample starts with two) open the body, the ones inside stay where
//   they stood, so a renderer keeps the page's ad positions. On a page without article text
//   they are chrome ('chrome:ad').
// - Page chrome is matched by known lines and anchored shapes (classify.ts, boilerplate.ts), and
//   by position only where the header makes it safe (a short line between the byline or date and
//   the story), never by "looks short" alone, so that short article text is not lost. Binary
//   lines are dropped as 'dropped:garbage'.
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

import {
  CONFIDENCE_FIELDS,
  LOW_CONFIDENCE,
  type ArticleType,
  type FieldConfidence,
  type LineReport,
  type ParsedArticle,
  type ParsedBlock,
  type ParsedCredit,
  type ParseResult,
} from './types.js'
import { classifyLine, parseDateline, type LineClass } from './classify.js'
import { hostName, reasonOf } from './boilerplate.js'
import {
  countWords,
  endsWithFullStop,
  endsWithTerminal,
  isAgency,
  isLabelLike,
  isLong,
  isRoleLine,
  kindOf,
  lastSignificantChar,
  looksLikeName,
  phraseKey,
  splitNames,
  stripThe,
} from './text.js'

export type {
  ArticleType,
  ConfidenceField,
  FieldConfidence,
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
typeLabels('live', ['live', 'live updates', 'live blog', 'live coverage', 'as it happened', 'live news'])
typeLabels('feature', [
  'feature', 'features', 'long read', 'long reads', 'the long read', 'big read', 'the big read', 'in depth',
  'in-depth', 'magazine', 'in pictures', 'gallery', 'photo gallery', 'photos', 'the big picture',
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
    series: null,
  }
}

/** "Harbourside Herald", "harbourside-herald", "The Meridian" -> one comparable key. */
function publisherKey(name: string): string {
  return stripThe(name.trim()).toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')
}

/** "Karin Holm in Velden" */
const IN_PLACE = /^(.+?) in (\p{Lu}[\p{L}'’-]*(?: \p{Lu}[\p{L}'’-]*){0,2})$/u

const BIO_VERBS = new Set(['covers', 'writes', 'is', 'reports', 'edits', 'was', 'has'])

/** "AFP" for "Agence France-Presse", "NPA" for "Northwind Press Agency". */
function initials(name: string): string {
  return name.split(/[\s-]+/).map((w) => w.charAt(0)).join('').toUpperCase()
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
  private readonly credits: Array<{ credit: ParsedCredit; index: number }> = []
  private readonly publishers = new Set<string>()
  /** The names of credited people, for author bios. */
  private readonly people = new Set<string>()
  private headlineIndex = -1
  private typeFromLabel = false
  private headerCreditsByShape = 0
  /**
   * Hard-wrapped copy (wire text at 70 columns) separates paragraphs by blank lines and breaks
   * lines inside them: on such a page, a line that runs on into the next is one paragraph with it.
   */
  private wrapped = false
  private headlineFallback = false

  constructor(private readonly lines: Line[]) {
    this.rules = new Array<string | undefined>(lines.length).fill(undefined)
    this.used = new Array<boolean>(lines.length).fill(false)
  }

  run(): ParseResult {
    this.claimBlankAndDropped()
    this.learnPublishers()
    this.readLabelsAndSeries()
    this.wrapped = this.isHardWrapped()
    this.readHeader()
    this.readLeadImage()
    this.guessTypeFromShape()
    this.readSentenceSummary()
    this.readBody()
    this.placeAds()
    this.warnAboutTruncation()
    const lines: LineReport[] = this.lines.map((line, i) => {
      const rule = this.rules[i] ?? 'unclaimed'
      return { line: i + 1, text: line.text, rule, used: this.used[i] ?? false, reason: reasonOf(rule) }
    })
    this.article.body = this.blocks.map((b) => b.block)
    this.article.credits = [...this.credits].sort((a, b) => a.index - b.index).map((c) => c.credit)
    const confidence = this.confidence()
    const lowConfidence = CONFIDENCE_FIELDS.filter((f) => confidence[f] < LOW_CONFIDENCE)
    const warnings = [...this.generalWarnings(), ...this.lineWarnings]
    return { article: this.article, report: { lines, warnings, confidence, lowConfidence } }
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

  private addCredits(credits: ParsedCredit[], index: number): void {
    for (const credit of credits) {
      const key = `${credit.name.toLowerCase()}\u0000${credit.role}`
      if (this.creditKeys.has(key)) continue
      this.creditKeys.add(key)
      this.credits.push({ credit, index })
      if (credit.kind === 'person') this.people.add(credit.name)
    }
  }

  private nextNonBlank(i: number, step: 1 | -1): number {
    for (let k = i + step; k >= 0 && k < this.lines.length; k += step) {
      if (this.line(k).cls.kind !== 'blank') return k
    }
    return -1
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

  /**
   * The page names its publisher in several places: its URL, a "Source:" line, a trust box, a
   * "for X" or "via X" byline, a syndication line, the print-edition line. A line that is only
   * one of these names is chrome (the masthead, a logo's text).
   */
  private learnPublishers(): void {
    const learn = (name: string | null | undefined): void => {
      const key = name ? publisherKey(name) : ''
      if (key.length >= 3) this.publishers.add(key)
    }
    this.lines.forEach((line, i) => {
      const { cls, text } = line
      const rule = this.rules[i]
      if (rule === 'chrome:url') learn(hostName(text))
      else if (rule === 'chrome:source') learn(text.slice(text.search(/[:：]/) + 1))
      else if (rule === 'chrome:trust' && /^why you can trust /i.test(text)) learn(text.slice('why you can trust '.length))
      else if (rule === 'chrome:via-link') learn(text.replace(/^read the (?:full|original) (?:story )?at /i, ''))
      else if (cls.kind === 'byline') learn(cls.publisher)
      else if (cls.kind === 'print') learn(cls.publication)
      else if (cls.kind === 'credit' || cls.kind === 'syndication') for (const c of cls.credits) if (c.kind === 'organisation') learn(c.name)
    })
    if (this.publishers.size === 0) return
    this.lines.forEach((line, i) => {
      if (line.cls.kind !== 'text' || !this.isFree(i) || line.text.length > 60) return
      if (this.publishers.has(publisherKey(line.text))) this.claim(i, 'chrome:publisher-name', false)
    })
  }

  /** Breadcrumbs (a type label among them sets the type), and "Series:" lines. */
  private readLabelsAndSeries(): void {
    this.lines.forEach((line, i) => {
      const { cls } = line
      if (cls.kind === 'series') {
        if (this.article.series === null) this.article.series = cls.name
        this.claim(i, 'series')
      } else if (cls.kind === 'breadcrumbs') {
        const type = cls.parts.map((p) => TYPE_LABELS.get(phraseKey(p))).find((t) => t !== undefined)
        if (type !== undefined && !this.typeFromLabel) {
          this.article.type = type
          this.typeFromLabel = true
          this.claim(i, 'type-label')
          // "Magazine / Long Reads": the last part names the series.
          const last = cls.parts[cls.parts.length - 1] ?? ''
          if (this.article.series === null && TYPE_LABELS.get(phraseKey(cls.parts[0] ?? '')) !== undefined) this.article.series = last
        } else this.claim(i, 'chrome:breadcrumbs', false)
      } else if (cls.kind === 'byline' && cls.series !== null && this.article.series === null) {
        this.article.series = cls.series
      }
    })
  }

  /**
   * Bylines that have no "By": a name over a role line ("Tom Hale" / "Environment correspondent",
   * "Mei Lin" / "in Beijing"), "Karin Holm in Velden", a list of names ("A, B and C"), an agency on
   * its own line, or a full name on its own line beside a date stamp. Only under the headline.
   */
  /** The shape of a byline without "By" that needs no position to be sure of (see readHeaderByline). */
  private bylineShape(i: number): 'role' | 'agency' | 'place' | 'list' | null {
    const { text } = this.line(i)
    const next = this.nextNonBlank(i, 1)
    const nextLine = next >= 0 ? this.line(next) : undefined
    if (looksLikeName(text) && countWords(text, 5) <= 5 && nextLine?.cls.kind === 'text' && this.isFree(next) && isRoleLine(nextLine.text)) return 'role'
    if (isAgency(text)) return 'agency'
    const inPlace = IN_PLACE.exec(text)
    if (inPlace && looksLikeName(inPlace[1] ?? '') && countWords(inPlace[1] ?? '', 4) >= 2) return 'place'
    if (/,| and | & | y | und /.test(text)) {
      const names = splitNames(text, true)
      if (names !== null && names.length >= 2 && names.every((n) => countWords(n, 5) >= 2)) return 'list'
    }
    return null
  }

  private readHeaderByline(i: number): boolean {
    const { text } = this.line(i)
    const person = (name: string): ParsedCredit => ({ name, kind: kindOf(name), role: 'byline' })
    const take = (credits: ParsedCredit[]): true => {
      this.addCredits(credits, i)
      this.claim(i, 'byline')
      this.headerCreditsByShape++
      return true
    }
    const next = this.nextNonBlank(i, 1)
    const shape = this.bylineShape(i)
    if (shape === 'role') {
      this.claim(next, 'byline-role')
      return take([person(text)])
    }
    if (shape === 'agency') return take([{ name: text, kind: 'agency', role: 'byline' }])
    if (shape === 'place') return take([person(IN_PLACE.exec(text)?.[1] ?? text)])
    if (shape === 'list') return take((splitNames(text, true) ?? []).map(person))
    const prev = this.nextNonBlank(i, -1)
    const besideMeta = [prev, next].some((k) => k > this.headlineIndex && (this.line(k).cls.kind === 'stamp' || this.line(k).cls.kind === 'byline'))
    const words = countWords(text, 5)
    if (besideMeta && words >= 2 && words <= 4 && looksLikeName(text) && text.split(/\s+/).every((w) => /^\p{Lu}/u.test(w))) {
      return take([person(text)])
    }
    return false
  }

  /** Type labels, topic label, headline and a standfirst without a full stop. */
  private readHeader(): void {
    let end = this.lines.length
    for (let i = 0; i < this.lines.length; i++) {
      const { cls, text } = this.line(i)
      // The first sentence, the first entry time of a live page, or (after a first line) a
      // hard-wrapped paragraph ends the header.
      const runsOn = i > 0 && this.isFree(i) && this.runsOn(i)
      if ((cls.kind === 'text' && (endsWithFullStop(text) || isLong(text) || runsOn)) || cls.kind === 'timestamp') {
        end = i
        break
      }
    }

    const candidates: number[] = []
    let roleLine = -1
    for (let i = 0; i < end; i++) {
      const { cls, text } = this.line(i)
      if (cls.kind !== 'text' || !this.isFree(i) || i === roleLine) continue
      const type = text.length <= 40 ? TYPE_LABELS.get(phraseKey(text)) : undefined
      if (type === undefined) {
        // A byline without "By" under a first line ("Tom Hale" / "Environment correspondent") is
        // no headline candidate, however short the headline above it is.
        const shape = candidates.length > 0 ? this.bylineShape(i) : null
        if (shape === 'role') roleLine = this.nextNonBlank(i, 1)
        if (shape === null) candidates.push(i)
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
    const firstFull = candidates.find((i) => !isLabel(i))
    // All short: the last one is the headline, a fair guess when it is the only one.
    this.headlineFallback = firstFull === undefined && candidates.length > 1
    const headline = firstFull ?? candidates[candidates.length - 1] ?? -1
    this.headlineIndex = headline
    this.article.headline = this.line(headline).text
    this.claim(headline, 'headline')

    // Every candidate above the headline is label-short; the closest one is the topic label.
    const above = candidates.filter((i) => i < headline)
    const label = above[above.length - 1]
    if (label !== undefined) this.setTopicLabel(label)
    if (label !== undefined && this.article.series !== null && phraseKey(this.line(label).text) === phraseKey(this.article.series)) {
      this.article.topicLabel = null
      this.claim(label, 'series') // the column's name, as the byline says ("By A | The Harbour View")
    }
    for (const i of above) {
      if (i === label) continue
      if (this.line(i).text === this.article.topicLabel) this.claim(i, 'chrome:duplicate-label', false)
      else {
        this.claim(i, 'chrome:navigation', false)
        this.warnAt(i, `dropped short line above the headline: "${excerpt(this.line(i).text)}"`)
      }
    }

    let metaSeen = false
    for (let i = headline + 1; i < end; i++) {
      const kind = this.line(i).cls.kind
      if (kind === 'stamp' || kind === 'byline') metaSeen = true
      if (kind !== 'text' || !this.isFree(i)) continue
      const { text } = this.line(i)
      if (text === this.article.topicLabel) this.claim(i, 'chrome:duplicate-label', false)
      else if (this.readHeaderByline(i)) metaSeen = true
      else if (metaSeen && isLabel(i)) this.claim(i, 'chrome:header-widget', false)
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
    let last = ''
    for (let i = 0; i < this.lines.length; i++) {
      const { cls, text } = this.line(i)
      if (!this.isFree(i)) continue
      if (cls.kind === 'timestamp') timestamps++
      else if (cls.kind === 'credit' || cls.kind === 'print') break
      else if (cls.kind === 'text' && i > this.headlineIndex) {
        paragraphs++
        words += countWords(text, 200)
        last = text
      }
    }
    // A page cut off mid-sentence (a paywall) is short because it is cut, not because it is a brief.
    const cut = last !== '' && !endsWithTerminal(last)
    if (timestamps >= 2) this.article.type = 'live'
    else if (this.headlineIndex >= 0 && paragraphs >= 1 && paragraphs <= 2 && words <= 120 && !cut && this.article.summary === null) {
      this.article.type = 'brief' // a standfirst says it is not a brief
    }
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
      if (kind === 'byline' || kind === 'stamp' || kind === 'credit' || kind === 'print' || kind === 'syndication') return
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

    const wrapped = this.wrapped

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
          this.addCredits(cls.credits, i)
          this.claim(i, 'byline')
          if (cls.date !== null && this.article.publishedAt === null) this.article.publishedAt = cls.date
          break
        case 'credit':
          this.addCredits(cls.credits, i)
          this.claim(i, 'credit')
          break
        case 'syndication':
          this.addCredits(cls.credits, i)
          this.claim(i, 'syndication')
          break
        case 'print':
          if (this.article.print === null) {
            this.article.print = { publication: cls.publication, headline: cls.headline }
            this.claim(i, 'print-edition')
          } else this.claim(i, 'chrome:duplicate-print', false)
          break
        case 'stamp':
          this.readStamp(i, cls.field, cls.iso)
          if (cls.also !== undefined && cls.also.iso !== null && this.article[cls.also.field] === null) this.article[cls.also.field] = cls.also.iso
          break
        case 'text':
          if (endOfArticle >= 0 && i > endOfArticle) this.readTrailingText(i)
          else {
            const last = wrapped ? this.joinWrappedLines(i) : i
            this.readText(i, !ledeSeen, last >= lastText, last > i ? this.joined(i, last) : text)
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

  /** "Rachel Kim covers city hall for the Lakeshore Tribune.": a credited author's bio (a set lookup, not a scan of every credit). */
  private isAuthorBio(text: string): boolean {
    const words = text.slice(0, 120).split(/\s+/, 6)
    for (let n = 2; n <= 4 && n < words.length; n++) {
      if (this.people.has(words.slice(0, n).join(' ')) && BIO_VERBS.has(words[n] ?? '')) return true
    }
    return false
  }

  /**
   * The last line of the paragraph that starts at `i` on a hard-wrapped page: while a line has no
   * closing punctuation and the next line follows at once and is text, the paragraph goes on when
   * that line starts in lower case or this one is long (more than eight words: not a heading).
   * The lines taken are claimed as 'paragraph-continued'.
   */
  private joinWrappedLines(i: number): number {
    let last = i
    while (this.runsOn(last)) {
      this.claim(last + 1, 'paragraph-continued')
      last++
    }
    return last
  }

  private runsOn(i: number): boolean {
    const next = this.lines[i + 1]
    const { text } = this.line(i)
    if (!this.wrapped || next === undefined || next.cls.kind !== 'text' || !this.isFree(i + 1) || endsWithTerminal(text)) return false
    return /^\p{Ll}/u.test(next.text) || countWords(text, 9) > 8
  }

  /**
   * Hard-wrapped: paragraphs separated by blank lines, no text line longer than a terminal's
   * 100 columns, and several lines filled to near the column (55 characters or more).
   */
  private isHardWrapped(): boolean {
    let blankAfterText = false
    let full = 0
    for (let i = 0; i < this.lines.length; i++) {
      const { cls, text } = this.line(i)
      if (cls.kind === 'blank') blankAfterText ||= i > 0 && this.line(i - 1).cls.kind === 'text'
      else if (cls.kind === 'text') {
        if (text.length > 100) return false
        if (text.length >= 55) full++
      }
    }
    return blankAfterText && full >= 3
  }

  /** Lines first..last as one paragraph, joined by single spaces. */
  private joined(first: number, last: number): string {
    const parts: string[] = []
    for (let k = first; k <= last; k++) parts.push(this.line(k).text)
    return parts.join(' ')
  }

  private readText(i: number, isLede: boolean, isLast: boolean, text: string = this.line(i).text): void {
    if (this.isAuthorBio(text)) {
      this.claim(i, 'chrome:author-bio', false)
      return
    }

    const dateline = isLede ? parseDateline(text) : null
    if (dateline !== null) {
      this.article.dateline = dateline.place
      const agency = dateline.agency
      // "(AFP)" is the "Agence France-Presse" of the byline, "(NPA)" the "Northwind Press Agency".
      if (agency !== null && !this.credits.some((c) => c.credit.name === agency || (c.credit.kind === 'agency' && initials(c.credit.name) === agency))) {
        this.addCredits([{ name: agency, kind: 'agency', role: 'byline' }], i)
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
        this.addCredits([{ name, kind: kindOf(name), role: 'byline' }], i)
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

  /**
   * How sure the parse is of each field. Fixed scores for the way a field was found: a clear signal
   * (a "By" line, a "Published:" stamp, a type label) scores high, a guess from position or shape
   * lower, a field missing where pages usually have one lowest. See LOW_CONFIDENCE.
   */
  private confidence(): FieldConfidence {
    const a = this.article
    const ruleCount = (rule: string): number => this.rules.filter((r) => r === rule).length
    const warned = (what: string): boolean => this.lineWarnings.some((w) => w.includes(what))
    const textBlocks = this.blocks.filter((b) => b.block.type === 'paragraph' || b.block.type === 'heading' || b.block.type === 'quote').length
    const images = this.blocks.filter((b) => b.block.type === 'image').length

    let headline = a.headline === null ? 0 : this.headlineFallback ? 0.55 : 0.9
    if (a.headline !== null && warned('dropped short line above the headline')) headline = Math.min(headline, 0.7)
    if (a.headline !== null && countWords(a.headline, 40) > 30) headline = 0.4

    const topicRule = this.rules.indexOf('topic-label')
    const topicLabel = a.topicLabel === null ? 0.8 : topicRule >= 0 && topicRule < this.headlineIndex ? 0.85 : 0.6

    const noSummaryExpected = a.type === 'letter' || a.type === 'brief' || a.type === 'live'
    const summaryRule = this.rules.indexOf('summary')
    const summary = a.summary !== null
      ? (summaryRule >= 0 && !endsWithFullStop(a.summary) ? 0.85 : 0.7)
      : noSummaryExpected ? 0.9 : 0.65

    let body = textBlocks === 0 ? (images > 0 ? 0.6 : 0) : 0.9
    if (warned('may be truncated')) body = Math.min(body, 0.5)
    if (warned('text after the end of the article')) body = Math.min(body, 0.55)

    const byShape = this.headerCreditsByShape > 0
    const credits = a.credits.length === 0 ? (a.type === 'brief' || a.type === 'live' ? 0.7 : 0.5) : byShape ? 0.7 : 0.9

    const unreadable = this.rules.includes('dropped:stamp')
    const publishedAt = unreadable ? 0.3 : a.publishedAt !== null ? 0.95 : 0.7
    const updatedAt = unreadable ? 0.3 : 0.9

    const type = this.typeFromLabel ? 0.95 : a.type === 'news' ? 0.8 : 0.65
    const leadImage = a.leadImage === null ? 0.9 : a.leadImage.credit === null ? 0.6 : 0.9
    const print = a.print === null ? 0.9 : ruleCount('chrome:duplicate-print') > 0 ? 0.7 : 0.95
    return { headline, topicLabel, summary, leadImage, body, credits, dateline: 0.9, publishedAt, updatedAt, print, type, series: 0.9 }
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
