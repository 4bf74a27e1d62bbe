import t from 'tap'
import { testApp, testEngine } from '../helpers.js'
import type { ArticleFilter, ArticleSort } from '../../src/db/index.js'
import { openDatabase } from '../../src/db/sqlite/client.js'
import { createRenderings } from '../../src/db/repositories/renderings.js'

// Lists (from the read model, article_renderings) and searches must be answered from indexes: SQLite's plan may SEARCH a table through an
// index, but never SCAN one of ours from end to end. (bench/queries.ts shows the same on 100,000 articles.)
const fullScan = /^SCAN (articles|article_renderings|article_topics|article_credits|sections|topics|contributors)\b(?! USING (COVERING )?INDEX)/

// SQLite's plans: PostgreSQL's are checked by test/db/pg/articles.test.ts (EXPLAIN, sequential scans priced out).
const sqliteOnly = { skip: testEngine !== 'sqlite' && "SQLite's query plans (PostgreSQL's: test/db/pg/articles.test.ts)" }

t.test('lists with filters and searches use indexes, never a full table scan', sqliteOnly, async (t) => {
  const h = await testApp(t)
  const now = new Date().toISOString()
  const cases: [ArticleFilter, ArticleSort][] = [
    [{}, 'newest'],
    [{ section: 'news', topicsAny: ['harbour'], types: ['news'] }, 'newest'],
    [{ section: 'news/world', topicsAll: ['a', 'b'], contributors: ['lena-marsh'] }, 'oldest'],
    [{ topicsNone: ['x'], languages: ['en'], publishedFrom: now }, 'updated'],
    [{ search: 'harbour tunnel', section: 'news', topicsAny: ['transport'] }, 'relevance'],
    [{ search: '"harbour tunnel"', types: ['news', 'brief'] }, 'newest'],
  ]
  for (const [filter, sort] of cases) {
    for (const publicOnly of [true, false]) {
      const plan = await h.data.repos.articles.explainList({ visibility: { publicOnly, now }, filter, sort, limit: 21, after: null })
      t.notOk(plan.some((line) => fullScan.test(line)), `${JSON.stringify(filter)} ${sort} public=${publicOnly}:\n  ${plan.join('\n  ')}`)
      t.ok(plan.some((line) => /^(SEARCH|SCAN) (articles|article_renderings) USING (COVERING )?INDEX|^SCAN articles_fts VIRTUAL TABLE/.test(line)), 'driven by an index or the search index')
    }
  }
})

t.test('a search is driven by its matches, whatever the sort: a rare word sorted by date never walks the date index', sqliteOnly, async (t) => {
  const h = await testApp(t)
  const now = new Date().toISOString()
  for (const sort of ['newest', 'oldest', 'updated', 'relevance'] as const) {
    for (const publicOnly of [true, false]) {
      const plan = await h.data.repos.articles.explainList({ visibility: { publicOnly, now }, filter: { search: 'zeppelin' }, sort, limit: 21, after: null })
      t.match(plan[0], /^SCAN articles_fts VIRTUAL TABLE/, `${sort} public=${publicOnly}: the full-text matches are the outer loop\n  ${plan.join('\n  ')}`)
    }
  }
})

t.test('a search with a date filter finds each match’s article by its search row, never by a range of dates', sqliteOnly, async (t) => {
  const h = await testApp(t)
  const now = new Date().toISOString()
  const from = '2020-01-01T00:00:00.000Z'
  for (const filter of [{ updatedFrom: from }, { publishedFrom: from }, { publishedFrom: from, publishedTo: now, updatedTo: now }]) {
    for (const sort of ['relevance', 'newest'] as const) {
      const plan = await h.data.repos.articles.explainList({ visibility: { publicOnly: true, now }, filter: { search: 'zeppelin', ...filter }, sort, limit: 21, after: null })
      t.match(plan[0], /^SCAN articles_fts VIRTUAL TABLE/, `${JSON.stringify(filter)} ${sort}\n  ${plan.join('\n  ')}`)
      t.match(plan[1], /^SEARCH articles USING (COVERING )?INDEX articles_search_(cover|rowid_unique) \(search_rowid=\?/, `${JSON.stringify(filter)} ${sort}: one lookup per match\n  ${plan.join('\n  ')}`)
    }
  }
})

t.test('the check at start for stale renderings reads indexes only, never the articles’ rows', sqliteOnly, async (t) => {
  const handle = openDatabase(':memory:')
  t.teardown(() => handle.close())
  const plan = createRenderings(handle.db, () => {
    throw new Error('nothing to render')
  }).explainStale()
  t.ok(plan.some((step) => /^SCAN articles USING COVERING INDEX articles_id_version\b/.test(step)), `articles walked by articles_id_version: ${plan.join(' | ')}`)
  t.notOk(plan.some((step) => fullScan.test(step)), 'no full table scan')
})
