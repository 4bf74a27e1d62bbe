import t from 'tap'
import { testDataLayer, testEngine } from '../helpers.js'
import type { FeedQuery, FollowKind } from '../../src/db/index.js'

// The feed runs one bounded statement per followed target (src/db/repositories/readers.ts): each must walk its target's own
// index newest first, (target, listed_at, article_id), and stop after `limit` rows, so that a reader with 200 follows over
// 100,000 articles costs at most 200 x limit index steps (bench/feed.ts measures it). Mutes, read marks and visibility are
// primary-key probes per row, never a scan.
const INDEX: Record<FollowKind, RegExp> = {
  topic: /article_topics_topic_listed/,
  contributor: /article_credits_contributor_listed/,
  section: /article_renderings_section_listed/,
}
const query: FeedQuery = { readerId: 'r', now: '2026-11-29T00:00:00.000Z', limit: 21, before: { listedAt: '2026-11-28T00:00:00.000Z', id: 'x' }, since: null, asOf: null, unread: true }

t.test("each follow's part of the feed walks that follow's index, never a whole table", async (t) => {
  const data = await testDataLayer(t)
  if (testEngine !== 'sqlite') await data.repos.readers.explainFeed('topic', query) // warm
  for (const kind of ['topic', 'contributor', 'section'] as const) {
    const plan = await data.repos.readers.explainFeed(kind, query)
    const text = plan.join('\n  ')
    if (testEngine === 'sqlite') {
      // The outer loop is the target's index; every other step is a SEARCH (an index probe) or a list of the reader's mutes.
      t.match(plan[0], new RegExp(`^SEARCH \\w+ USING (COVERING )?INDEX ${INDEX[kind].source}`), `${kind}: driven by its index\n  ${text}`)
      t.notOk(plan.some((line) => /^SCAN (?!.*USING (COVERING )?INDEX)/.test(line) && !/^SCAN CONSTANT ROW/.test(line)), `${kind}: no full scan\n  ${text}`)
      t.notOk(plan.some((line) => /USE TEMP B-TREE FOR ORDER BY/.test(line)), `${kind}: no sort: the index gives the order`)
    } else {
      t.ok(plan.some((line) => INDEX[kind].test(line) && /Index (Only )?Scan Backward/.test(line)), `${kind}: the target's index, newest first\n  ${text}`)
      t.ok(plan.some((line) => /^\s*->\s+Limit/.test(line)), `${kind}: limited per target`)
    }
  }
})
