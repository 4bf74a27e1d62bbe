// The line classifier: each trimmed line is claimed by the first named rule that matches it.
// Rules look at one line only; everything that depends on position (headline, topic label,
// summary, lead image, headings, datelines, trailing fragments) is decided by the assembler
// in parse.ts. Regexes here are anchored and have no nested quantifiers, so they stay linear.

import type { CreditRole, ParsedCredit } from './types.js'
import { isMonthName, parseDateStamp } from './dates.js'
import { countWords, endsWithTerminal, isAgency, kindOf, looksLikeName, phraseKey, splitNames } from './text.js'

export type LineClass =
  | { kind: 'blank' }
  | { kind: 'drop'; rule: string }
  | { kind: 'ad' }
  | { kind: 'caption'; caption: string; credit: string | null }
  | { kind: 'video'; title: string }
  | { kind: 'byline'; credits: ParsedCredit[] }
  | { kind: 'credit'; credits: ParsedCredit[] }
  | { kind: 'print'; publication: string; headline: string }
  | { kind: 'stamp'; field: 'publishedAt' | 'updatedAt' | 'date'; iso: string | null }
  | { kind: 'timestamp' }
  | { kind: 'text' }

interface Rule {
  name: string
  match: (text: string) => LineClass | null
}

// ---------------------------------------------------------------------------------------------
// Page chrome: exact phrases (case- and whitespace-insensitive) and a few shapes.

/** Shared results for the rules that only drop a line (there can be millions of such lines). */
const DROPS = new Map<string, LineClass>()
function drop(rule: string): LineClass {
  let found = DROPS.get(rule)
  if (found === undefined) {
    found = { kind: 'drop', rule }
    DROPS.set(rule, found)
  }
  return found
}
const BLANK: LineClass = { kind: 'blank' }
const AD: LineClass = { kind: 'ad' }
const TIMESTAMP_LINE: LineClass = { kind: 'timestamp' }
const TEXT: LineClass = { kind: 'text' }

const CHROME_PHRASES = new Map<string, string>()
function chrome(rule: string, phrases: string[]): void {
  for (const phrase of phrases) CHROME_PHRASES.set(phrase, rule)
}
chrome('chrome:promo', [
  'get more with mynews', 'a personalised news feed of stories that matter to you',
  'a personalized news feed of stories that matter to you', 'learn more', 'subscribe',
  'subscribe now', 'sign in', 'sign up', 'log in', 'register', 'already a subscriber? log in',
  'sign up for our newsletter', 'sign up to our newsletter', 'support our journalism', 'read more',
  'continue reading', 'follow', 'unfollow',
])
chrome('chrome:share', [
  'share', 'share this', 'share this article', 'share this story', 'share article', 'facebook',
  'twitter', 'x', 'whatsapp', 'linkedin', 'email', 'e-mail', 'copy link', 'link copied', 'print',
  'reddit', 'telegram', 'pinterest', 'share on facebook', 'share on twitter', 'share on x',
  'share on whatsapp', 'share on linkedin', 'share via email',
])
chrome('chrome:audio', [
  'listen to this article', 'listen to article', 'listen', 'play', 'pause', 'play audio', '1x',
])
chrome('chrome:navigation', [
  'skip to content', 'skip to main content', 'menu', 'search', 'home', 'back to top', 'most read',
  'recommended', 'related', 'related articles', 'more on this story', 'comments', 'view comments',
])

const READING_TIME = /^\d{1,3}\s?(?:min|mins|minute|minutes)\.?\s(?:read|reading)$/i
const LISTENING_TIME = /^\d{1,3}\s?(?:min|mins|minute|minutes)\.?\s(?:listen|audio)$/i
const PLAYER_CLOCK = /^\d{1,2}:\d{2}\s?\/\s?\d{1,2}:\d{2}$/

function pageChrome(text: string): LineClass | null {
  if (text.length > 80) return null
  const rule = CHROME_PHRASES.get(phraseKey(text))
  if (rule !== undefined) return drop(rule)
  if (READING_TIME.test(text) || text.toLowerCase().startsWith('reading time:')) {
    return drop('chrome:reading-time')
  }
  if (PLAYER_CLOCK.test(text) || LISTENING_TIME.test(text)) return drop('chrome:audio')
  return null
}

// NUL and other control characters (tab, vertical tab and form feed are whitespace), DEL, C1
// controls and U+FFFD (what invalid UTF-8 decodes to) mark binary garbage.
const GARBAGE = /[\u0000-\u0008\u000E-\u001F\u007F-\u009F\uFFFD]/

function garbage(text: string): LineClass | null {
  return GARBAGE.test(text) ? drop('dropped:garbage') : null
}

function advertisement(text: string): LineClass | null {
  if (text.length > 40) return null
  const key = phraseKey(text)
  return key === 'advertisement' || key === 'story continues below advertisement' ? AD : null
}

// ---------------------------------------------------------------------------------------------
// "This article appeared in the South China Morning Post print edition as: <headline>"

const PRINT_MARKER = ' print edition as:'

function printEdition(text: string): LineClass | null {
  const at = text.indexOf(PRINT_MARKER)
  if (at < 0) return null
  const lead = text.slice(0, at)
  const inAt = lead.indexOf('appeared in ')
  if (inAt < 0) return null
  let publication = lead.slice(inAt + 'appeared in '.length).trim()
  if (publication.slice(0, 4).toLowerCase() === 'the ') publication = publication.slice(4).trim()
  const headline = text.slice(at + PRINT_MARKER.length).trim()
  return publication !== '' && headline !== '' ? { kind: 'print', publication, headline } : null
}

// ---------------------------------------------------------------------------------------------
// "Published: 10:02am, 3 May, 2017", "Updated 4:12 PM EDT, April 9, 2024", or a bare date line.

const STAMP_PREFIXES: Array<[string, 'publishedAt' | 'updatedAt']> = [
  ['first published', 'publishedAt'],
  ['last updated', 'updatedAt'],
  ['last modified', 'updatedAt'],
  ['published', 'publishedAt'],
  ['updated', 'updatedAt'],
]

function stamp(text: string): LineClass | null {
  if (text.length > 120) return null
  const lower = text.toLowerCase()
  for (const [prefix, field] of STAMP_PREFIXES) {
    if (!lower.startsWith(prefix)) continue
    let rest = text.slice(prefix.length)
    if (rest !== '' && rest[0] !== ' ' && rest[0] !== ':') return null // "Publishers ..."
    rest = rest.trim()
    const hasColon = rest.startsWith(':')
    if (hasColon) rest = rest.slice(1).trim()
    if (/^(?:on|at)\s/i.test(rest)) rest = rest.slice(3).trim()
    const iso = parseDateStamp(rest)
    if (iso !== null) return { kind: 'stamp', field, iso }
    // "Published: <something we cannot read>" is still a stamp; "Published in 1902, ..." is prose.
    return hasColon ? { kind: 'stamp', field, iso: null } : null
  }
  return null
}

function bareDate(text: string): LineClass | null {
  if (text.length > 60) return null
  const iso = parseDateStamp(text)
  return iso === null ? null : { kind: 'stamp', field: 'date', iso }
}

// ---------------------------------------------------------------------------------------------
// "Watch: <video title>"

function videoTeaser(text: string): LineClass | null {
  if (text.slice(0, 6).toLowerCase() !== 'watch:') return null
  const title = text.slice(6).trim()
  return title === '' ? null : { kind: 'video', title }
}

// ---------------------------------------------------------------------------------------------
// Credits: "By A and B", "With additional reporting by ...", "(Reporting by X; Editing by Y)",
// "Associated Press writer X in Y contributed to this report."

/** Credits for a list of names; null when `strict` and some part is not a name. */
function toCredits(list: string, role: CreditRole, strict: boolean): ParsedCredit[] | null {
  const trimmed = list.trim()
  const names = splitNames(trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed, strict)
  return names === null ? null : names.map((name) => ({ name, kind: kindOf(name), role }))
}

const SEGMENT_ROLES: Array<[string, CreditRole]> = [
  ['with additional reporting by ', 'additional-reporting'],
  ['additional reporting by ', 'additional-reporting'],
  ['with reporting by ', 'additional-reporting'],
  ['reporting by ', 'byline'],
  ['writing by ', 'byline'],
  ['compiled by ', 'byline'],
  ['editing by ', 'editing'],
  ['edited by ', 'editing'],
  ['photography by ', 'photo'],
  ['photos by ', 'photo'],
  ['video by ', 'video'],
]

const CONTRIBUTED = [' contributed to this report', ' contributed reporting']
const CONTRIBUTOR_TITLES = [' writers ', ' writer ', ' reporters ', ' reporter ', ' correspondents ', ' correspondent ']

function creditLine(text: string): LineClass | null {
  if (text.length > 400) return null
  const inner = text.startsWith('(') && text.endsWith(')') ? text.slice(1, -1) : text
  const innerLower = inner.toLowerCase()
  if (SEGMENT_ROLES.some(([prefix]) => innerLower.startsWith(prefix))) {
    const credits: ParsedCredit[] = []
    for (const segment of inner.split(';')) {
      const lower = segment.trim().toLowerCase()
      const found = SEGMENT_ROLES.find(([prefix]) => lower.startsWith(prefix))
      if (found === undefined) continue // e.g. "Writing and editing by ..." variants we do not know
      const segmentCredits = toCredits(segment.trim().slice(found[0].length), found[1], true)
      if (segmentCredits === null) return null
      credits.push(...segmentCredits)
    }
    return credits.length > 0 ? { kind: 'credit', credits } : null
  }
  const lower = text.toLowerCase()
  const end = CONTRIBUTED.map((phrase) => lower.indexOf(phrase)).find((at) => at > 0)
  if (end === undefined) return null
  let list = text.slice(0, end)
  const listLower = list.toLowerCase()
  for (const title of CONTRIBUTOR_TITLES) {
    const at = listLower.indexOf(title)
    if (at >= 0) {
      list = list.slice(at + title.length)
      break
    }
  }
  const credits = toCredits(list, 'additional-reporting', true)
  return credits !== null && credits.length > 0 ? { kind: 'credit', credits } : null
}

function byline(text: string): LineClass | null {
  if (!(text.startsWith('By ') || text.startsWith('BY ')) || text.length > 150) return null
  const rest = text.slice(3)
  if (endsWithTerminal(rest) || countWords(rest, 14) > 14) return null
  const first = rest.split(/,|;| and | & /)[0] ?? ''
  if (!looksLikeName(first.trim())) return null
  const credits = toCredits(rest, 'byline', false) ?? []
  return credits.length > 0 ? { kind: 'byline', credits } : null
}

// ---------------------------------------------------------------------------------------------
// Photo captions: "<caption> Photo: AP", "<caption> Photograph: Name/Agency",
// "<caption> (Picture: Reuters)", "<caption> (Name/AP)", "<caption> (AP Photo/Name)".

const CREDIT_MARKERS = [
  'Photograph:', 'Photographs:', 'Photo:', 'Photos:', 'Picture:', 'Pictures:', 'Image:', 'Illustration:', 'Credit:',
]

function lastCreditMarker(text: string): { at: number; marker: string } | null {
  let best: { at: number; marker: string } | null = null
  for (const marker of CREDIT_MARKERS) {
    const at = text.lastIndexOf(marker)
    if (at < 0 || (at > 0 && !/\s/.test(text.charAt(at - 1)))) continue
    if (best === null || at > best.at) best = { at, marker }
  }
  return best
}

function isSlashCredit(inner: string): boolean {
  const parts = inner.split('/')
  if (parts.length !== 2) return false
  const [a, b] = parts.map((part) => part.trim()) as [string, string]
  if (a === '' || b === '' || countWords(a, 5) > 5 || countWords(b, 5) > 5) return false
  const agencyLike = (s: string): boolean => isAgency(s) || s.endsWith(' Photo') || s.endsWith(' Images')
  return agencyLike(a) || agencyLike(b)
}

function captionClass(caption: string, credit: string): LineClass | null {
  if (caption === '' && credit === '') return null
  return { kind: 'caption', caption, credit: credit === '' ? null : credit }
}

function photoCaption(text: string): LineClass | null {
  if (text.length > 1000) return null
  if (text.endsWith(')')) {
    const open = text.lastIndexOf('(')
    if (open >= 0) {
      const inner = text.slice(open + 1, -1).trim()
      const before = text.slice(0, open).trim()
      const marker = CREDIT_MARKERS.find((m) => inner.startsWith(m))
      if (marker !== undefined) return captionClass(before, inner.slice(marker.length).trim())
      if (isSlashCredit(inner)) return captionClass(before, inner)
    }
  }
  const found = lastCreditMarker(text)
  if (found === null) return null
  const credit = text.slice(found.at + found.marker.length).trim()
  if (credit.length > 100 || countWords(credit, 10) > 10) return null
  return captionClass(text.slice(0, found.at).trim(), credit)
}

// ---------------------------------------------------------------------------------------------
// "14:32", "9.05am", "14:05 BST": the entry times of a live page.

const TIMESTAMP = /^\d{1,2}[:.]\d{2}(?:\s?[ap]\.?m\.?)?(?:\s[a-z]{2,5})?$/i

function timestamp(text: string): LineClass | null {
  return text.length <= 16 && TIMESTAMP.test(text) ? TIMESTAMP_LINE : null
}

// ---------------------------------------------------------------------------------------------

export const RULES: readonly Rule[] = [
  { name: 'garbage', match: garbage },
  { name: 'advertisement', match: advertisement },
  { name: 'page-chrome', match: pageChrome },
  { name: 'print-edition', match: printEdition },
  { name: 'stamp', match: stamp },
  { name: 'video-teaser', match: videoTeaser },
  { name: 'credit-line', match: creditLine },
  { name: 'byline', match: byline },
  { name: 'photo-caption', match: photoCaption },
  { name: 'timestamp', match: timestamp },
  { name: 'bare-date', match: bareDate },
]

/** Classifies one whitespace-trimmed line. */
export function classifyLine(text: string): LineClass {
  if (text === '') return BLANK
  for (const rule of RULES) {
    const found = rule.match(text)
    if (found !== null) return found
  }
  return TEXT
}

// ---------------------------------------------------------------------------------------------
// Datelines, checked by the assembler on the first body paragraph only:
// "WASHINGTON (Reuters) - ...", "STOCKHOLM, March 4 (Reuters) - ...", "KYIV, Ukraine (AP) — ...",
// "LONDON — ...". The place before the first comma must be in capitals.

export interface Dateline {
  place: string
  agency: string | null
  rest: string
}

const DASHES = [' — ', ' – ', ' - ', ' -- ']

function isCapitals(text: string): boolean {
  return text.length >= 2 && text === text.toUpperCase() && text !== text.toLowerCase()
}

export function parseDateline(text: string): Dateline | null {
  const head = text.slice(0, 100)
  let at = -1
  let dashLength = 0
  for (const dash of DASHES) {
    const found = head.indexOf(dash)
    if (found > 0 && (at < 0 || found < at)) {
      at = found
      dashLength = dash.length
    }
  }
  if (at < 0) return null
  let place = text.slice(0, at).trim()
  let agency: string | null = null
  if (place.endsWith(')')) {
    const open = place.lastIndexOf('(')
    if (open <= 0) return null
    agency = place.slice(open + 1, -1).trim()
    place = place.slice(0, open).trim()
    if (agency === '' || countWords(agency, 4) > 4) return null
  }
  const comma = place.indexOf(',')
  if (comma > 0) {
    const afterComma = place.slice(comma + 1).trim().split(' ')[0] ?? ''
    if (isMonthName(afterComma)) place = place.slice(0, comma).trim() // "STOCKHOLM, March 4"
  }
  const city = place.split(',')[0] ?? ''
  if (!isCapitals(city.trim()) || countWords(place, 6) > 6) return null
  const rest = text.slice(at + dashLength).trim()
  return rest === '' ? null : { place, agency, rest }
}
