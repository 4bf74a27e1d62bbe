// suggestTopics: which known topics a text mentions, by name or alias.
//
// Matching is case- and diacritic-insensitive ("Zélensky" finds "Zelensky", "Sao Paulo" finds
// "São Paulo"), treats any run of whitespace as one space, and takes whole words only, with
// Unicode letters and digits as word characters: "Iran" matches "Iran" and "Iran's" but not
// "Iranian". Positions are UTF-16 offsets into the original text (what String#slice uses) of the
// first character of each mention. A mention is counted once per topic even when several of its
// terms match it ("Vladimir Putin" is one mention of the topic, not one for the name and one for
// the alias "Putin"). Linear in the text length per term; no regexes are built from input.

export interface TaggableTopic {
  id: string
  name: string
  aliases: string[]
}

export interface TopicSuggestion {
  topicId: string
  name: string
  count: number
  /** UTF-16 offsets into the text where each mention starts, ascending. */
  positions: number[]
}

const COMBINING_MARKS = /\p{M}/gu
const WORD_CHAR = /[\p{L}\p{N}]/u

/** Folds one non-ASCII code point: strip diacritics, lower-case. May return '' (a combining mark). */
function foldCodePoint(char: string): string {
  return char.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase()
}

interface Folded {
  text: string
  /** For each UTF-16 unit of `text`, the offset in the original of the code point it came from. */
  origin: Int32Array
}

/**
 * Lower-cases, strips diacritics and turns each run of whitespace into one space, remembering
 * where every folded unit came from. Works on UTF-16 code units in typed arrays, so that ASCII
 * (most news text) costs a few operations per character.
 */
function fold(input: string): Folded {
  let units = new Uint16Array(input.length + 16)
  let origin = new Int32Array(input.length + 16)
  let length = 0
  let lastWasSpace = false
  const push = (unit: number, from: number): void => {
    if (length === units.length) {
      const grownUnits = new Uint16Array(units.length * 2)
      grownUnits.set(units)
      units = grownUnits
      const grownOrigin = new Int32Array(origin.length * 2)
      grownOrigin.set(origin)
      origin = grownOrigin
    }
    units[length] = unit
    origin[length] = from
    length++
  }

  for (let i = 0; i < input.length;) {
    const code = input.charCodeAt(i)
    if (code < 128) {
      const isSpace = code === 32 || (code >= 9 && code <= 13)
      if (!isSpace) push(code >= 65 && code <= 90 ? code + 32 : code, i)
      else if (!lastWasSpace) push(32, i)
      lastWasSpace = isSpace
      i++
      continue
    }
    const char = String.fromCodePoint(input.codePointAt(i) ?? code)
    if (/\s/u.test(char)) {
      if (!lastWasSpace) push(32, i)
      lastWasSpace = true
    } else {
      const folded = foldCodePoint(char)
      for (let k = 0; k < folded.length; k++) push(folded.charCodeAt(k), i)
      if (folded !== '') lastWasSpace = false
    }
    i += char.length
  }
  let text = ''
  for (let k = 0; k < length; k += 8192) text += String.fromCharCode(...units.subarray(k, Math.min(length, k + 8192)))
  return { text, origin: origin.subarray(0, length) }
}

function foldTerm(term: string): string {
  return fold(term.trim()).text
}

/** The known topic a label names exactly, by name or alias, ignoring case, accents and spacing ("Zelensky" = "Zélensky"). */
export function topicNamed(label: string, topics: TaggableTopic[]): TaggableTopic | null {
  const key = foldTerm(label)
  if (key === '') return null
  return topics.find((topic) => [topic.name, ...(topic.aliases ?? [])].some((term) => foldTerm(term) === key)) ?? null
}

function isWordCharBefore(text: string, index: number): boolean {
  if (index <= 0) return false
  const low = text.charCodeAt(index - 1)
  const start = low >= 0xdc00 && low <= 0xdfff && index >= 2 ? index - 2 : index - 1
  return WORD_CHAR.test(String.fromCodePoint(text.codePointAt(start) ?? 0))
}

function isWordCharAt(text: string, index: number): boolean {
  if (index >= text.length) return false
  return WORD_CHAR.test(String.fromCodePoint(text.codePointAt(index) ?? 0))
}

export function suggestTopics(text: string, topics: TaggableTopic[]): TopicSuggestion[] {
  const source = typeof text === 'string' ? text : ''
  const folded = fold(source)
  const suggestions: TopicSuggestion[] = []

  for (const topic of topics) {
    const terms = [...new Set([topic.name, ...(topic.aliases ?? [])].map(foldTerm))]
      .filter((term) => term !== '')
    // Every whole-word occurrence of every term, then a left-to-right sweep that keeps the
    // leftmost (and, at the same start, longest) match and skips matches overlapping it.
    const matches: Array<[number, number]> = []
    for (const term of terms) {
      for (let at = folded.text.indexOf(term); at >= 0; at = folded.text.indexOf(term, at + 1)) {
        const end = at + term.length
        if (!isWordCharBefore(folded.text, at) && !isWordCharAt(folded.text, end)) matches.push([at, end])
      }
    }
    matches.sort((a, b) => a[0] - b[0] || b[1] - a[1])
    const taken: number[] = []
    let coveredUntil = 0
    for (const [start, end] of matches) {
      if (start < coveredUntil) continue
      taken.push(start)
      coveredUntil = end
    }
    if (taken.length === 0) continue
    const positions = taken.map((start) => folded.origin[start] ?? 0)
    suggestions.push({ topicId: topic.id, name: topic.name, count: positions.length, positions })
  }

  return suggestions.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}
