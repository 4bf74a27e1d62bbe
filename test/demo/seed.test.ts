import t from 'tap'
import { seedDemoContent } from '../../src/demo/seed.js'
import { testApp } from '../helpers.js'

interface Item {
  id: string
  slug: string
  section: { path: string } | null
  topics: { slug: string; primary: boolean }[]
  credits: { role: string; contributor: { slug: string; name: string; kind: string } }[]
  publishedAt: string
}

t.test('the demo content has a section tree and right contributor kinds, so every filter in the README shows something', async (t) => {
  const h = await testApp(t)
  const log = { info: () => {}, warn: (obj: object, msg: string) => t.fail(`${msg}: ${JSON.stringify(obj)}`) }
  t.equal(await seedDemoContent(h.services, { samplesDir: t.testdir(), log }), 3)
  t.equal(await seedDemoContent(h.services, { samplesDir: t.testdir(), log }), 0, 'not twice')

  const list = async (query: string, headers: Record<string, string> = {}) => {
    const res = await h.app.inject({ url: `/v1/articles?${query}`, headers })
    t.equal(res.statusCode, 200, query)
    return res.json() as { data: Item[]; total?: number; included?: Record<string, unknown[]> }
  }
  const all = (await list('limit=100')).data
  t.equal(all.length, 3)
  t.same(all.map((a) => a.section?.path).sort(), ['culture', 'news/education', 'news/transport'], 'every demo article has a section')

  const sections = (await h.app.inject({ url: '/v1/sections' })).json().data.map((s: { path: string }) => s.path)
  t.same(sections.sort(), ['culture', 'news', 'news/education', 'news/transport'])

  const contributors = (await h.app.inject({ url: '/v1/contributors?limit=100' })).json().data as { name: string; kind: string }[]
  const kinds = Object.fromEntries(contributors.map((c) => [c.name, c.kind]))
  t.equal(kinds['Valley Press Association'], 'agency')
  t.equal(kinds['Riverside Wire'], 'agency')

  const tunnel = all.find((a) => a.slug.includes('tunnel'))!
  const meals = all.find((a) => a.slug.includes('lunches'))!
  const topicOf = (a: Item) => a.topics.find((x) => x.primary)!.slug
  const agency = meals.credits.find((c) => c.contributor.name === 'Valley Press Association')!.contributor
  const published = all.map((a) => a.publishedAt).sort()
  const before = new Date(Date.parse(published[0]!) - 60_000).toISOString()
  const after = new Date(Date.parse(published[published.length - 1]!) + 60_000).toISOString()

  // Each filter the README names, with a value from the demo: each finds at least one article.
  const filters: [string, number][] = [
    ['section=news', 2],
    ['section=news/transport', 1],
    [`topic=${topicOf(tunnel)}`, 1],
    [`topicAll=${topicOf(meals)}`, 1],
    [`topicNone=${topicOf(tunnel)}`, 2],
    [`contributor=${agency.slug}`, 1],
    ['type=news', 3],
    ['language=en', 3],
    [`publishedFrom=${before}&publishedTo=${after}`, 3],
    [`updatedFrom=${before}&updatedTo=${after}`, 3],
    ['q=tunnel', 1], // the README's examples: section=news, contributor=valley-press-association, q=tunnel
    ['q=lantern*', 1],
    ['sort=oldest', 3],
    ['sort=updated', 3],
  ]
  for (const [query, count] of filters) t.equal((await list(query)).data.length, count, query)
  t.equal((await list('status=published', h.as.write)).data.length, 3, 'status (write keys)')
  t.equal((await list('total=true&limit=1')).total, 3)
  const included = await list('include=contributors,topics,sections')
  for (const kind of ['contributors', 'topics', 'sections']) t.ok(included.included?.[kind]?.length, `include=${kind}`)
  t.equal(agency.kind, 'agency', 'the credit says agency too')
  t.equal(agency.slug, 'valley-press-association', 'the README example')
})
