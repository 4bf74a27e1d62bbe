import t from 'tap'
import { ANY_VERSION } from '../../src/services/preconditions.js'
import { createServices } from '../../src/services/index.js'
import { anonymous, type Actor } from '../../src/services/actor.js'
import { testDataLayer } from '../helpers.js'

/*
 * A search by relevance with words alone is ranked by the engine's full-text
 * index before it looks at the articles (on SQLite, FTS5 ranks on its own and
 * only its best few are checked for visibility); with any other filter the
 * matches are joined to the articles first. Both must give the same pages.
 */

const admin: Actor = { keyId: null, scope: 'admin' }
const data = await testDataLayer(t)
// Ids that sort against the order of creation (and so of the search index's rows), so that ties are not broken by accident.
let made = 0
const services = createServices(data.repos, { now: () => new Date(), newId: () => `id-${String(9999 - made++).padStart(4, '0')}` })
const a = services.articles

const make = async (headline: string, text: string, publish = true) => {
  const created = await a.create({ headlines: { basic: headline }, body: [{ type: 'paragraph', html: text }] }, admin)
  if (publish) await a.act(created.article.id, ANY_VERSION, 'publish', admin)
  return created.article.id
}

// The best-ranked matches are drafts (the word three times in the headline), more than the index's first few, so those are
// all hidden from a reader; and all rank the same, so for an editor the few are cut in the middle of a tie.
const drafts: string[] = []
for (let i = 0; i < 30; i++) drafts.push(await make(`Lantern lantern lantern draft ${i}`, 'A lantern.', false))
// Identical texts rank the same: the order among them is by id.
const twins: string[] = []
for (let i = 0; i < 9; i++) twins.push(await make('Lantern festival', 'The lantern festival in the harbour.'))
const others: string[] = []
for (let i = 0; i < 14; i++) others.push(await make(`Harbour news ${i}`, `The lantern ${'and the harbour '.repeat(i)}at night.`))

/** Every page of a search, following `next`. */
async function pages(query: Record<string, string | number>, actor: Actor) {
  const out: { ids: string[]; ranks: number[] }[] = []
  let cursor: string | undefined
  do {
    const page = await a.list({ ...query, ...(cursor ? { cursor } : {}) }, actor)
    out.push({ ids: page.items.map((i) => i.articleId), ranks: page.items.map((i) => i.rank!) })
    cursor = page.next ?? undefined
  } while (cursor !== undefined && out.length < 100)
  return out
}

t.test('a search by words alone pages exactly like the same search joined to a filter that keeps every article', async (t) => {
  for (const limit of [1, 2, 4, 7, 50]) {
    for (const [who, actor] of [['anonymous', anonymous], ['admin', admin]] as const) {
      const alone = await pages({ q: 'lantern', limit }, actor)
      const joined = await pages({ q: 'lantern', limit, type: 'news' }, actor)
      t.same(alone, joined, `limit ${limit}, ${who}`)
      const ids = alone.flatMap((p) => p.ids)
      t.equal(ids.length, who === 'admin' ? 53 : 23, `every match once, limit ${limit}, ${who}`)
      t.equal(new Set(ids).size, ids.length)
      if (who === 'anonymous') t.notOk(ids.some((id) => drafts.includes(id)), 'no draft reaches a reader')
    }
  }
})

t.test('matches that rank the same come in id order, across page boundaries', async (t) => {
  const ids = (await pages({ q: 'festival', limit: 2 }, anonymous)).flatMap((p) => p.ids)
  t.same(ids, [...twins].sort(), 'the nine identical articles by id')
})
