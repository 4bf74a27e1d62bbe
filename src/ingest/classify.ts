// The line classifier: each trimmed line is claimed by the first named rule that matches it.
// Rules look at one line only; everything that depends on position (headline, topic label,
// summary, lead image, headings, datelines, trailing fragments) is decided by the assembler
// in parse.ts. Regexes here are anchored and have no nested quantifiers, so they stay linear.

import type { CreditRole, ParsedCredit } from './types.js'
import { isMonthName, parseDateStamp } from './dates.js'
import { countWords, endsWithTerminal, isAgency, kindOf, looksLikeName, phraseKey, splitNames, stripThe } from './text.js'
import { appealKind, breadcrumbs, isAgeBanner, isCallToAction, isCounter, isRelativeTime, isUrlLine, KNOWN_LINES, KNOWN_OPENINGS } from './boilerplate.js'

export type LineClass =
  | { kind: 'blank' }
  | { kind: 'drop'; rule: string }
  | { kind: 'ad' }
  | { kind: 'caption'; caption: string; credit: string | null }
  | { kind: 'video'; title: string }
  | { kind: 'byline'; credits: ParsedCredit[]; series: string | null; publisher: string | null; date: string | null }
  | { kind: 'credit'; credits: ParsedCredit[] }
  | { kind: 'print'; publication: string; headline: string }
  | { kind: 'stamp'; field: 'publishedAt' | 'updatedAt' | 'date'; iso: string | null; also?: { field: 'publishedAt' | 'updatedAt'; iso: string | null } }
  | { kind: 'breadcrumbs'; parts: string[] }
  | { kind: 'series'; name: string }
  | { kind: 'syndication'; credits: ParsedCredit[] }
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
for (const [rule, phrases] of Object.entries(KNOWN_LINES)) for (const phrase of phrases) CHROME_PHRASES.set(phrase, rule)
const CHROME_OPENINGS = Object.entries(KNOWN_OPENINGS).flatMap(([rule, openings]) => openings.map((o): [string, string] => [o, rule]))

const READING_TIME = /^\d{1,3}\s?(?:min|mins|minute|minutes)\.?\s(?:read|reading)$/i
const LISTENING_TIME = /^\d{1,3}\s?(?:min|mins|minute|minutes)\.?\s(?:listen|audio)$/i
const PLAYER_CLOCK = /^\d{1,2}:\d{2}\s?\/\s?\d{1,2}:\d{2}$/

function pageChrome(text: string): LineClass | null {
  if (isUrlLine(text)) return drop('chrome:url')
  if (text.length > 160) return null
  const key = phraseKey(text)
  const rule = CHROME_PHRASES.get(key)
  if (rule !== undefined) return drop(rule)
  const opening = CHROME_OPENINGS.find(([o]) => key.startsWith(o))
  if (opening !== undefined) return drop(opening[1])
  if (isCounter(text)) return drop('chrome:counter')
  if (isAgeBanner(text)) return drop('chrome:age-banner')
  if (isRelativeTime(text)) return drop('chrome:relative-time')
  if (text.length > 80) return null
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
  ['posted', 'publishedAt'],
  ['publicado', 'publishedAt'],
  ['actualizado', 'updatedAt'],
  ['veröffentlicht', 'publishedAt'],
  ['aktualisiert', 'updatedAt'],
  ['publié', 'publishedAt'],
  ['mis à jour', 'updatedAt'],
  ['опубликовано', 'publishedAt'],
  ['обновлено', 'updatedAt'],
  ['发布时间', 'publishedAt'],
  ['更新时间', 'updatedAt'],
]

function oneStamp(text: string): { field: 'publishedAt' | 'updatedAt'; iso: string | null } | null {
  const lower = text.toLowerCase()
  for (const [prefix, field] of STAMP_PREFIXES) {
    if (!lower.startsWith(prefix)) continue
    let rest = text.slice(prefix.length)
    if (rest !== '' && rest[0] !== ' ' && rest[0] !== ':' && rest[0] !== '：') return null // "Publishers ..."
    rest = rest.trim()
    const hasColon = rest.startsWith(':') || rest.startsWith('：')
    if (hasColon) rest = rest.slice(1).trim()
    if (/^(?:on|at|el|le|am)\s/i.test(rest)) rest = rest.slice(3).trim()
    const iso = parseDateStamp(rest)
    if (iso !== null) return { field, iso }
    // "Published: <something we cannot read>" is still a stamp; "Published in 1902, ..." is prose.
    return hasColon ? { field, iso: null } : null
  }
  return null
}

function stamp(text: string): LineClass | null {
  if (text.length > 160) return null
  // "Published: 09:12 BST, 22 August 2024 | Updated: 11:40 BST, 22 August 2024"
  const bar = text.indexOf(' | ')
  if (bar > 0) {
    const first = oneStamp(text.slice(0, bar).trim())
    const second = oneStamp(text.slice(bar + 3).trim())
    if (first !== null && second !== null) return { kind: 'stamp', ...first, also: second }
  }
  if (text.length > 120) return null
  const found = oneStamp(text)
  return found === null ? null : { kind: 'stamp', ...found }
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

const BYLINE_PREFIXES = ['By ', 'BY ', 'by ', 'Por ', 'POR ', 'Von ', 'VON ', 'Par ', 'PAR ', 'Di ', '记者 ', '记者：', '文／', '文/', 'Автор: ', 'Автор ']

/**
 * "By A and B", "By A, B and C, Agency", "by Clara Voss", "Por A y B", "By DEAN HOLT FOR THE DAILY CLARION"
 * (the publisher the piece was written for is not a credit), "By Elias Wren | The Harbour View" (a column).
 */
function byline(text: string): LineClass | null {
  if (text.length > 150) return null
  const prefix = BYLINE_PREFIXES.find((p) => text.startsWith(p))
  if (prefix === undefined) return null
  let rest = text.slice(prefix.length).trim()
  if (endsWithTerminal(rest) || countWords(rest, 14) > 14) return null
  let series: string | null = null
  const bar = rest.indexOf(' | ')
  if (bar > 0) {
    series = rest.slice(bar + 3).trim() || null
    rest = rest.slice(0, bar).trim()
  }
  let publisher: string | null = null
  const forAt = rest.search(/ for /i)
  if (forAt > 0) {
    publisher = stripThe(rest.slice(forAt + 5).trim()) || null
    rest = rest.slice(0, forAt).trim()
  }
  const first = rest.split(/,|;| and | & | y | und | et | e |、/)[0] ?? ''
  if (!looksLikeName(first.trim())) return null
  const credits = toCredits(rest, 'byline', false) ?? []
  return credits.length > 0 ? { kind: 'byline', credits, series, publisher, date: null } : null
}

/** "Lena Park via Bergland Rundschau · 3. März 2024": an aggregator's header naming the original publisher. */
function viaHeader(text: string): LineClass | null {
  if (text.length > 150) return null
  const via = text.indexOf(' via ')
  if (via <= 0) return null
  const names = text.slice(0, via).trim()
  let rest = text.slice(via + 5).trim()
  let date: string | null = null
  for (const sep of [' · ', ' • ', ' | ', ' - ', ' — ', ', ']) {
    const at = rest.indexOf(sep)
    if (at <= 0) continue
    const iso = parseDateStamp(rest.slice(at + sep.length).trim())
    if (iso === null) continue
    date = iso
    rest = rest.slice(0, at).trim()
    break
  }
  const publisher = stripThe(rest)
  if (!looksLikeName(publisher) || countWords(publisher, 6) > 6) return null
  const people = splitNames(names, true)
  if (people === null || people.length === 0) return null
  const credits: ParsedCredit[] = people.map((name) => ({ name, kind: kindOf(name), role: 'byline' }))
  credits.push({ name: publisher, kind: isAgency(publisher) ? 'agency' : 'organisation', role: 'byline' })
  return { kind: 'byline', credits, series: null, publisher, date }
}

/**
 * "This story was originally published by The Valley Courier and is republished here with permission."
 * "This article first appeared in Harbour Weekly." "This story was produced in partnership with X."
 */
const SYNDICATION = /^this (?:story|article|report|piece) (?:was |is |has been )?(?:originally |first )?(?:published|appeared|ran) (?:by|in|on) (.+)$/i
const PARTNERSHIP = /^this (?:story|article|report|piece) (?:was |is )?(?:produced|reported|published) in (?:partnership|collaboration) with (.+)$/i

function syndication(text: string): LineClass | null {
  if (text.length > 300) return null
  for (const [re, role] of [[SYNDICATION, 'byline'], [PARTNERSHIP, 'additional-reporting']] as const) {
    const m = re.exec(text)
    if (!m) continue
    let name = (m[1] ?? '').split(/,| and | which | where |\. /)[0]?.trim() ?? ''
    if (name.endsWith('.')) name = name.slice(0, -1).trim()
    name = stripThe(name)
    if (!looksLikeName(name)) return null
    return { kind: 'syndication', credits: [{ name, kind: isAgency(name) ? 'agency' : 'organisation', role }] }
  }
  return null
}

/** "Series: Coastlines (part 2 of 4)" -> "Coastlines". */
function seriesLine(text: string): LineClass | null {
  const m = /^(?:series|part of the series|from the series|column):\s*(.+)$/i.exec(text)
  if (!m || text.length > 120) return null
  const name = (m[1] ?? '').replace(/\s*\((?:part|episode|chapter)[^)]*\)$/i, '').trim()
  return name === '' ? null : { kind: 'series', name }
}

function breadcrumbLine(text: string): LineClass | null {
  const parts = breadcrumbs(text)
  return parts === null ? null : { kind: 'breadcrumbs', parts }
}

function callToAction(text: string): LineClass | null {
  if (isCallToAction(text)) return drop('chrome:promo')
  const appeal = appealKind(text)
  return appeal === null ? null : drop(appeal)
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
  { name: 'syndication', match: syndication },
  { name: 'series', match: seriesLine },
  { name: 'byline', match: byline },
  { name: 'via-header', match: viaHeader },
  { name: 'breadcrumbs', match: breadcrumbLine },
  { name: 'call-to-action', match: callToAction },
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
