import t from 'tap'
import { toTsquery } from '../../../src/db/pg/search.js'
import { SearchQueryError } from '../../../src/db/index.js'

t.test('toTsquery translates words, phrases, prefixes and implicit AND', async (t) => {
  t.equal(toTsquery('tunnel'), "'tunnel'")
  t.equal(toTsquery('harbour tunnel'), "( 'harbour' & 'tunnel' )")
  t.equal(toTsquery('"extra ferries"'), "'extra ferries'")
  t.equal(toTsquery('harb*'), "'harb':*")
  t.equal(toTsquery('"harbour tun"*'), "'harbour tun':*")
  t.equal(toTsquery('são'), "'são'", 'folding is left to the text search configuration')
  t.equal(toTsquery('"say ""when"" it\'s done"'), "'say \"when\" it''s done'", 'doubled quotes inside a phrase, and a single quote escaped')
  t.equal(toTsquery('and or not'), "( 'and' & 'or' & 'not' )", 'operators are upper case only')
})

t.test('toTsquery gives AND, OR and NOT the precedence FTS5 does: NOT, then AND, then OR', async (t) => {
  t.equal(toTsquery('harbour NOT tunnel'), "( 'harbour' & !( 'tunnel' ) )")
  t.equal(toTsquery('a OR b c'), "( 'a' | ( 'b' & 'c' ) )")
  t.equal(toTsquery('a AND b OR c'), "( ( 'a' & 'b' ) | 'c' )")
  t.equal(toTsquery('a NOT b NOT c'), "( ( 'a' & !( 'b' ) ) & !( 'c' ) )")
  t.equal(toTsquery('(a OR b) NOT c'), "( ( ( 'a' | 'b' ) ) & !( 'c' ) )")
  t.equal(toTsquery('a b OR c NOT d'), "( ( 'a' & 'b' ) | ( 'c' & !( 'd' ) ) )")
})

t.test('toTsquery keeps a column filter as the weight of that column', async (t) => {
  t.equal(toTsquery('headline:harbour'), "'harbour':A")
  t.equal(toTsquery('summary:"polling cards"'), "'polling cards':B")
  t.equal(toTsquery('body_text:vot*'), "'vot':*C")
})

t.test('toTsquery refuses what FTS5 refuses, with SearchQueryError', async (t) => {
  const cases: [string, RegExp][] = [
    ['covid-19', /syntax error near "-"/],
    ['"unterminated', /unterminated string/],
    ['author:smith', /no such column: author/],
    ['harbour AND', /syntax error near end of query/],
    ['OR harbour', /syntax error near "OR"/],
    ['NOT harbour', /syntax error near "NOT"/],
    ['(harbour', /syntax error near end of query/],
    ['harbour)', /syntax error near "\)"/],
    ['*', /syntax error near "\*"/],
    ['', /empty search query/],
    ['   ', /empty search query/],
    ['"..."', /no words/],
    ["it's", /syntax error near "'"/],
  ]
  for (const [query, problem] of cases) {
    let thrown: unknown
    try {
      toTsquery(query)
    } catch (err) {
      thrown = err
    }
    t.type(thrown, SearchQueryError, query)
    t.match((thrown as SearchQueryError | undefined)?.problem, problem, query)
  }
})
