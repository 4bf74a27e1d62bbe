// Small text helpers shared by the classifier and the assembler.
// Every function here is linear in its input and never builds new text:
// anything it returns is a slice of what it was given.

import type { ContributorKind } from './types.js'

/** Counts whitespace-separated words, but stops counting once past `limit`. */
export function countWords(text: string, limit = Number.MAX_SAFE_INTEGER): number {
  let words = 0
  let inWord = false
  for (let i = 0; i < text.length; i++) {
    const space = isSpace(text.charCodeAt(i))
    if (!space && !inWord) {
      words++
      if (words > limit) return words
    }
    inWord = !space
  }
  return words
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 11 || code === 12 || code === 13 ||
    code === 0xa0 || code === 0x2009 || code === 0x202f || code === 0x3000
}

const CLOSERS = '"\'”’»)]'

/** The last character that is not a closing quote or bracket ('' if none). */
export function lastSignificantChar(text: string): string {
  let end = text.length
  while (end > 0 && CLOSERS.includes(text.charAt(end - 1))) end--
  return text.charAt(end - 1)
}

/** Ends like a finished sentence: . ! ? or … (closing quotes and brackets allowed after it). */
export function endsWithTerminal(text: string): boolean {
  const last = lastSignificantChar(text)
  return last !== '' && '.!?…。！？'.includes(last)
}

/** Ends with a full stop or an ellipsis: a sentence, not a (question) headline. */
export function endsWithFullStop(text: string): boolean {
  const last = lastSignificantChar(text)
  return last === '.' || last === '…' || last === '。'
}

/** Too long to be a headline, label or heading. */
export function isLong(text: string): boolean {
  return text.length > 200 || countWords(text, 30) > 30
}

/** A short label such as a topic ("Donald Trump") or a section kicker. */
export function isLabelLike(text: string): boolean {
  // Chinese, Japanese and Korean write without spaces: a label is a few characters.
  if (CJK.test(text)) return text.length <= 6 && !endsWithTerminal(text)
  return text.length <= 40 && countWords(text, 4) <= 4 && !endsWithTerminal(text)
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u
const CJK_NAME = /^[\p{Script=Han}\p{Script=Hangul}]{2,4}$/u

/** "The Valley Courier" -> "Valley Courier". */
export function stripThe(text: string): string {
  return text.slice(0, 4).toLowerCase() === 'the ' && /^\p{Lu}/u.test(text.slice(4)) ? text.slice(4).trim() : text
}

/** Collapses whitespace and lower-cases, for comparing short lines with phrase lists. */
export function phraseKey(text: string): string {
  const lower = text.toLowerCase()
  return MESSY_SPACE.test(lower) ? lower.split(/\s+/).join(' ') : lower
}

/** Whitespace other than single spaces: most lines have none, and need no splitting. */
const MESSY_SPACE = /\s\s|[^\S ]/

const PARTICLES = new Set([
  'al', 'bin', 'da', 'das', 'de', 'del', 'della', 'den', 'der', 'di', 'do', 'dos', 'du',
  'el', 'la', 'le', 'ten', 'ter', 'van', 'von', 'y',
])

const AGENCIES = new Set([
  'afp', 'agence france-presse', 'agence france presse', 'anadolu', 'anadolu agency', 'ansa', 'ap',
  'associated press', 'the associated press', 'bernama', 'bloomberg', 'bloomberg news', 'dpa', 'efe',
  'kyodo', 'kyodo news', 'pa', 'pa media', 'press association', 'reuters', 'ria novosti', 'tass',
  'upi', 'xinhua', 'yonhap',
])

const ORGANISATION_WORDS = new Set([
  'board', 'bureau', 'correspondents', 'desk', 'editors', 'newsroom', 'reporters', 'staff', 'team',
  // publications and collectives: "Valley Courier", "Open Ledger", "Delta Data Collective"
  'chronicle', 'clarion', 'collective', 'courier', 'daily', 'gazette', 'herald', 'journal', 'ledger',
  'magazine', 'media', 'network', 'observer', 'post', 'rundschau', 'times', 'tribune', 'weekly',
  'zeitung', 'project', 'institute', 'foundation', 'centre', 'center', 'council', 'police',
])

/** Job titles that follow a name in a byline ("Ann Lee, Showbiz Reporter"); never names themselves. */
const ROLE_WORDS = new Set([
  'reporter', 'correspondent', 'editor', 'writer', 'columnist', 'critic', 'producer', 'journalist',
  'contributor', 'photographer', 'analyst', 'commentator',
])

/** "Environment correspondent", "Showbiz Reporter", "Columnist", "in Beijing": a role line under a name. */
export function isRoleLine(text: string): boolean {
  if (text.length > 60) return false
  if (/^in \p{Lu}[\p{L}'’-]*(?: \p{Lu}[\p{L}'’-]*){0,2}$/u.test(text)) return true
  const words = phraseKey(text).split(' ')
  return words.length <= 4 && ROLE_WORDS.has(words[words.length - 1] ?? '')
}

export function isAgency(name: string): boolean {
  const key = phraseKey(name)
  // "Valley Press Association" and "Riverside Wire" are agencies by their names, like "Press Association" itself.
  return AGENCIES.has(key) || /\s(news agency|press agency|press association|wire|news service)$/.test(key)
}

export function kindOf(name: string): ContributorKind {
  if (isAgency(name)) return 'agency'
  const words = phraseKey(name).split(' ')
  return words.some((w) => ORGANISATION_WORDS.has(w)) ? 'organisation' : 'person'
}

/** "Jane Doe", "Ana de la Cruz", "Associated Press"; not "City reporter" or "the end of May". */
export function looksLikeName(text: string): boolean {
  if (text === '' || text.length > 60) return false
  if (isAgency(text)) return true
  if (CJK_NAME.test(text)) return true
  if (ROLE_WORDS.has(phraseKey(text).split(' ').pop() ?? '')) return false
  const words = text.split(/\s+/)
  if (words.length > 6) return false
  let capitalised = 0
  for (const word of words) {
    if (/^\p{Lu}/u.test(word)) capitalised++
    else if (!PARTICLES.has(word.toLowerCase()) && !word.startsWith('al-') && !word.startsWith('el-')) return false
  }
  return capitalised > 0
}

/**
 * "Jane Doe in London, John Roe and the Associated Press" -> ["Jane Doe", "John Roe", "Associated Press"].
 * Parts that do not look like a name (job titles such as "City reporter") are left out, or, when
 * `strict`, make the whole list null (so that prose starting "Reporting by the ..." stays prose).
 */
export function splitNames(list: string, strict = false): string[] | null {
  const names: string[] = []
  for (const rawPart of list.split(/,|;| and | & | y | und | et | e |、/)) {
    let part = rawPart.trim()
    if (part === '') continue
    part = stripThe(part)
    const inAt = part.indexOf(' in ')
    if (inAt > 0) part = part.slice(0, inAt).trim()
    if (looksLikeName(part)) names.push(part)
    else if (strict) return null
  }
  return names
}
