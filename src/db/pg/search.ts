import { sql, type SQL } from 'drizzle-orm'
import { SearchQueryError } from '../errors.js'
import { articles } from './schema.js'

/**
 * Full-text search on PostgreSQL: the API's search syntax is SQLite FTS5's
 * (words, "phrases", prefix*, AND / OR / NOT, parentheses, column:term), and
 * `toTsquery` translates it into the text of a tsquery for
 * to_tsquery('newsdesk', ...), which folds each word as the documents' vector
 * was folded (unaccent + lower case, no stemming: like FTS5's unicode61
 * remove_diacritics 2). What FTS5 would refuse, this refuses too, with
 * SearchQueryError (a 400 naming q): stray punctuation, an unterminated
 * string, an unknown column; NEAR(), ^ and + are not supported here.
 *
 * Precedence as FTS5's: NOT binds tightest, then AND (or two terms side by
 * side), then OR. `a NOT b` is a AND NOT b; NOT is binary, as in FTS5.
 */

/** FTS5 columns, as the weights the generated vector gives them (articles.search). */
const COLUMN_WEIGHTS: Record<string, string> = { headline: 'A', summary: 'B', body_text: 'C' }

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'phrase'; text: string }
  | { kind: '(' | ')' | '*' | ':' }
  | { kind: 'AND' | 'OR' | 'NOT' }

/** A bareword, as FTS5 defines one: ASCII letters and digits, underscore, and any non-ASCII character. */
const BAREWORD = /^[A-Za-z0-9_\u001a\u0080-\u{10ffff}]+/u

function tokenize(query: string): Token[] {
  const tokens: Token[] = []
  let rest = query
  while (rest.length > 0) {
    const space = /^\s+/.exec(rest)
    if (space) {
      rest = rest.slice(space[0].length)
      continue
    }
    const c = rest[0]!
    if (c === '"') {
      let text = ''
      let i = 1
      for (;;) {
        if (i >= rest.length) throw new SearchQueryError('unterminated string')
        if (rest[i] === '"') {
          if (rest[i + 1] === '"') {
            text += '"'
            i += 2
            continue
          }
          break
        }
        text += rest[i]
        i++
      }
      tokens.push({ kind: 'phrase', text })
      rest = rest.slice(i + 1)
      continue
    }
    if (c === '(' || c === ')' || c === '*' || c === ':') {
      tokens.push({ kind: c })
      rest = rest.slice(1)
      continue
    }
    const word = BAREWORD.exec(rest)
    if (!word) throw new SearchQueryError(`syntax error near "${String.fromCodePoint(rest.codePointAt(0)!)}"`)
    const text = word[0]
    tokens.push(text === 'AND' || text === 'OR' || text === 'NOT' ? { kind: text } : { kind: 'word', text })
    rest = rest.slice(text.length)
  }
  return tokens
}

/** A word or phrase as a tsquery lexeme: quoted, so that to_tsquery folds it and splits a phrase into `a <-> b`. */
function lexeme(text: string, prefix: boolean, weight: string): string {
  if (!/[\p{L}\p{N}]/u.test(text)) throw new SearchQueryError(`syntax error near "${text}": no words to search for`)
  const quoted = `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`
  return prefix || weight ? `${quoted}:${prefix ? '*' : ''}${weight}` : quoted
}

/** The text of a tsquery for an FTS5-syntax search query; throws SearchQueryError for what FTS5 would refuse. */
export function toTsquery(query: string): string {
  const tokens = tokenize(query)
  let at = 0
  const peek = () => tokens[at]
  const near = () => {
    const t = peek()
    if (!t) return 'syntax error near end of query'
    return `syntax error near "${'text' in t ? t.text : t.kind}"`
  }

  function primary(): string {
    const t = peek()
    if (!t) throw new SearchQueryError(near())
    if (t.kind === '(') {
      at++
      const inner = or()
      if (peek()?.kind !== ')') throw new SearchQueryError(near())
      at++
      return `( ${inner} )`
    }
    let weight = ''
    if (t.kind === 'word' && tokens[at + 1]?.kind === ':') {
      const column = COLUMN_WEIGHTS[t.text]
      if (column === undefined) throw new SearchQueryError(`no such column: ${t.text}`)
      weight = column
      at += 2
    }
    const term = peek()
    if (!term || (term.kind !== 'word' && term.kind !== 'phrase')) throw new SearchQueryError(near())
    at++
    const prefix = peek()?.kind === '*'
    if (prefix) at++
    return lexeme(term.text, prefix, weight)
  }

  function not(): string {
    let left = primary()
    while (peek()?.kind === 'NOT') {
      at++
      left = `( ${left} & !( ${primary()} ) )`
    }
    return left
  }

  const startsPrimary = (t: Token | undefined) => t !== undefined && (t.kind === 'word' || t.kind === 'phrase' || t.kind === '(')

  function and(): string {
    const parts = [not()]
    for (;;) {
      if (peek()?.kind === 'AND') at++
      else if (!startsPrimary(peek())) break
      parts.push(not())
    }
    return parts.length === 1 ? parts[0]! : `( ${parts.join(' & ')} )`
  }

  function or(): string {
    const parts = [and()]
    while (peek()?.kind === 'OR') {
      at++
      parts.push(and())
    }
    return parts.length === 1 ? parts[0]! : `( ${parts.join(' | ')} )`
  }

  if (tokens.length === 0) throw new SearchQueryError('empty search query')
  const result = or()
  if (at < tokens.length) throw new SearchQueryError(near())
  return result
}

/** The tsquery of a search parameter (its value the text toTsquery made). */
export const tsquery = (text: SQL | unknown): SQL => sql`to_tsquery('newsdesk', ${text})`

/** The articles matching a search (a tsquery). */
export const matches = (query: SQL): SQL => sql`${articles.search} @@ ${query}`

/**
 * Relevance as SQLite's bm25 gives it: lower is better, so the same sort and
 * cursors serve both. Weights {D, C, B, A}: body 0.1, standfirst 0.4,
 * headline 1 (as bm25's 1/4/10). Normalization 1 divides by 1 + log(length),
 * so that a long body does not outrank a short headline for one word.
 */
export const relevance = (query: SQL): SQL<number> => sql<number>`(-ts_rank('{0, 0.1, 0.4, 1.0}', ${articles.search}, ${query}, 1))::float8`

/** A highlight of the best-matching passage of the headline, standfirst and body, marked with \u0002 … \u0003 like SQLite's snippet. */
export const snippet = (query: SQL): SQL<string> =>
  sql<string>`ts_headline('newsdesk', concat_ws(' … ', ${articles.headline}, ${articles.summary}, ${articles.bodyText}), ${query}, ${'StartSel=\u0002, StopSel=\u0003, MaxWords=16, MinWords=6, MaxFragments=1, FragmentDelimiter=" … "'})`
