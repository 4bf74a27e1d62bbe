import t from 'tap'
import { testApp, type TestApp } from '../../helpers.js'

interface Fixture {
  h: TestApp
  ids: Record<string, string>
  topics: Record<string, string>
  sections: Record<string, string>
  people: Record<string, string>
}

async function newsroom(t: Parameters<typeof testApp>[0]): Promise<Fixture> {
  const h = await testApp(t)
  const post = async (url: string, payload: object) => {
    const res = await h.app.inject({ method: 'POST', url, headers: h.as.write, payload })
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.body}`)
    return res.json()
  }
  const news = await post('/v1/sections', { name: 'News' })
  const world = await post('/v1/sections', { name: 'World', parentId: news.id })
  const asia = await post('/v1/sections', { name: 'Asia', parentId: world.id })
  const sport = await post('/v1/sections', { name: 'Sport' })
  const sections = { news: news.id, world: world.id, asia: asia.id, sport: sport.id }
  const topics: Record<string, string> = {}
  for (const [name, kind] of [['Harbour', 'place'], ['Transport', 'subject'], ['Elections', 'event'], ['São Paulo', 'place']]) {
    topics[name!] = (await post('/v1/topics', { kind, name })).id
  }
  const people = { lena: (await post('/v1/contributors', { kind: 'person', name: 'Lena Marsh' })).id, tom: (await post('/v1/contributors', { kind: 'person', name: 'Tom Okafor' })).id }
  const stories: [string, object][] = [
    ['tunnel', { headlines: { basic: 'Harbour tunnel floods after storm' }, summary: 'Both entrances closed.', sectionId: asia.id, topics: [{ topicId: topics.Harbour, primary: true }, { topicId: topics.Transport }], credits: [{ contributorId: people.lena, role: 'byline' }], body: [{ type: 'paragraph', html: 'Pumps worked through the night at the tunnel.' }] }],
    ['ferry', { headlines: { basic: 'Extra ferries for commuters' }, sectionId: world.id, topics: [{ topicId: topics.Transport }], credits: [{ contributorId: people.tom, role: 'byline' }], body: [{ type: 'paragraph', html: 'The operator adds sailings across the harbour.' }] }],
    ['vote', { headlines: { basic: 'Council election date set' }, type: 'brief', sectionId: news.id, topics: [{ topicId: topics.Elections }], body: [{ type: 'paragraph', html: 'Voters go to the polls in May.' }] }],
    ['derby', { headlines: { basic: 'Derby ends in a draw' }, sectionId: sport.id, language: 'pt', topics: [{ topicId: topics['São Paulo'] }], body: [{ type: 'paragraph', html: 'Sao Paulo fans celebrated a late equaliser.' }] }],
  ]
  const ids: Record<string, string> = {}
  for (const [name, body] of stories) {
    const a = await post('/v1/articles', body)
    ids[name] = a.id
    await h.app.inject({ method: 'POST', url: `/v1/articles/${a.id}/publish`, headers: { ...h.as.write, 'if-match': '1' } })
  }
  // A draft that shares every filterable field with "tunnel": it must never show up for readers.
  ids.secret = (await post('/v1/articles', { headlines: { basic: 'Secret harbour tunnel plan' }, summary: 'Embargoed details.', sectionId: asia.id, topics: [{ topicId: topics.Harbour }], credits: [{ contributorId: people.lena, role: 'byline' }], body: [{ type: 'paragraph', html: 'The tunnel plan is confidential.' }] })).id
  return { h, ids, topics, sections, people }
}

const slugsOf = async (h: TestApp, query: string, headers: Record<string, string> = {}) => {
  const res = await h.app.inject({ url: `/v1/articles?${query}`, headers })
  if (res.statusCode !== 200) throw new Error(`${query}: ${res.statusCode} ${res.body}`)
  return res.json().data.map((a: { id: string }) => a.id)
}

t.test('GET /v1/articles filters by section subtree, topics, contributor, type and language, AND-ed', async (t) => {
  const { h, ids, topics, sections, people } = await newsroom(t)
  t.same(await slugsOf(h, 'section=news'), [ids.vote, ids.ferry, ids.tunnel].sort().length ? await slugsOf(h, 'section=news') : [], 'by path')
  t.same((await slugsOf(h, 'section=news')).sort(), [ids.tunnel, ids.ferry, ids.vote].sort(), 'news includes world and asia')
  t.same(await slugsOf(h, `section=${sections.asia}`), [ids.tunnel], 'by id')
  t.same(await slugsOf(h, 'section=news/world'), [ids.ferry, ids.tunnel])
  t.same((await slugsOf(h, `topic=${topics.Harbour},${topics.Elections}`)).sort(), [ids.tunnel, ids.vote].sort(), 'any of')
  t.same(await slugsOf(h, `topicAll=${topics.Harbour},${topics.Transport}`), [ids.tunnel], 'all of')
  t.same(await slugsOf(h, `topic=transport&topicNone=harbour`), [ids.ferry], 'slugs work, none of')
  t.same(await slugsOf(h, `contributor=${people.lena}`), [ids.tunnel])
  t.same(await slugsOf(h, 'contributor=tom-okafor'), [ids.ferry])
  t.same(await slugsOf(h, 'type=brief'), [ids.vote])
  t.same(await slugsOf(h, 'language=pt'), [ids.derby])
  t.same(await slugsOf(h, `section=news&topic=transport&contributor=lena-marsh`), [ids.tunnel], 'three filters')
  t.same(await slugsOf(h, 'topic=no-such-topic'), [], 'unknown keys match nothing')
  const past = new Date(Date.now() - 3600_000).toISOString()
  t.equal((await slugsOf(h, `publishedFrom=${past}`)).length, 4)
  t.same(await slugsOf(h, `publishedTo=${past}`), [])
  t.equal((await slugsOf(h, `updatedFrom=${past}&type=news`)).length, 3)
})

t.test('GET /v1/articles rejects bad filter values with a 400 naming the parameter', async (t) => {
  const { h } = await newsroom(t)
  const cases: [string, string][] = [
    ['type=gossip', '/query/type'],
    ['language=English', '/query/language'],
    ['publishedFrom=yesterday', '/query/publishedFrom'],
    ['topic=a%20b', '/query/topic'],
    ['section=..%2Fetc', '/query/section'],
    ['sort=random', '/query/sort'],
    ['sort=relevance', '/query/sort'],
    ['status=draft', '/query/status'],
    ['fields=headline,password', '/query/fields'],
    ['include=revisions', '/query/include'],
    ['include=topics.articles', '/query/include'],
    [`q=${'x'.repeat(201)}`, '/query/q'],
    ['q=%22unterminated', '/query/q'],
    ['q=AND%20OR', '/query/q'],
    ['q=nosuchcolumn:word', '/query/q'],
  ]
  for (const [query, path] of cases) {
    const res = await h.app.inject({ url: `/v1/articles?${query}` })
    t.equal(res.statusCode, 400, query)
    t.ok(res.json().errors?.some((e: { path: string }) => e.path === path), `${query} names ${path}: ${JSON.stringify(res.json().errors)}`)
  }
})

t.test('GET /v1/articles?q= searches headline, standfirst and body with phrases, prefixes and booleans', async (t) => {
  const { h, ids } = await newsroom(t)
  t.same(await slugsOf(h, 'q=tunnel'), [ids.tunnel])
  t.same(await slugsOf(h, 'q=%22extra%20ferries%22'), [ids.ferry], 'phrase')
  t.same((await slugsOf(h, 'q=harb*')).sort(), [ids.tunnel, ids.ferry].sort(), 'prefix')
  t.same(await slugsOf(h, 'q=harbour%20NOT%20tunnel'), [ids.ferry], 'boolean')
  t.same(await slugsOf(h, 'q=HARBOUR%20AND%20storm'), [ids.tunnel], 'case folded')
  t.same(await slugsOf(h, 'q=s%C3%A3o'), [ids.derby], 'diacritics folded: são finds Sao')
  t.same(await slugsOf(h, 'q=harbour&section=news/world'), [ids.tunnel, ids.ferry], 'combined with filters')
  t.same(await slugsOf(h, 'q=harbour&topic=transport&contributor=tom-okafor'), [ids.ferry], 'and with more filters')
  const res = (await h.app.inject({ url: '/v1/articles?q=harbour' })).json()
  t.equal(res.data[0].id, ids.tunnel, 'a headline match ranks above a body match')
  t.match(res.data[0].snippet, /<mark>Harbour<\/mark>/)
  t.ok(res.data[0].score > res.data[1].score)
})

t.test('GET /v1/articles?q= follows edits and deletes: an edited story is found by its new words only, a deleted one by none', async (t) => {
  const { h, ids } = await newsroom(t)
  const patched = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${ids.vote}`, headers: { ...h.as.write, 'if-match': '2' }, payload: { headlines: { basic: 'Referendum date set' }, summary: 'Polling cards go out.' } })
  t.equal(patched.statusCode, 200)
  t.same(await slugsOf(h, 'q=referendum'), [ids.vote], 'the new headline')
  t.same(await slugsOf(h, 'q=polling'), [ids.vote], 'the new standfirst')
  t.same(await slugsOf(h, 'q=council'), [], 'not the old headline')
  t.same(await slugsOf(h, 'q=voters'), [ids.vote], 'the unchanged body')
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/articles/${ids.derby}`, headers: { ...h.as.write, 'if-match': '*' } })).statusCode, 204)
  t.same(await slugsOf(h, 'q=derby%20OR%20equaliser'), [], 'a deleted story is not found')
  // The index reads its text from articles (external content): FTS5's own check compares the two. (PostgreSQL's vector is a generated column.)
  if (h.data.sqlite) t.doesNotThrow(() => h.data.sqlite!.exec("insert into articles_fts (articles_fts, rank) values ('integrity-check', 1)"), 'the search index matches the articles')
})

t.test('GET /v1/articles sorts, pages with cursors, counts on request and narrows fields', async (t) => {
  const { h, ids } = await newsroom(t)
  const newest = await slugsOf(h, '')
  t.same(await slugsOf(h, 'sort=oldest'), [...newest].reverse())
  await h.app.inject({ method: 'PATCH', url: `/v1/articles/${ids.vote}`, headers: { ...h.as.write, 'if-match': '2' }, payload: { summary: 'Updated.' } })
  t.equal((await slugsOf(h, 'sort=updated'))[0], ids.vote)
  const first = (await h.app.inject({ url: '/v1/articles?limit=2&total=true' })).json()
  t.equal(first.total, 4)
  t.equal(first.data.length, 2)
  const second = (await h.app.inject({ url: `/v1/articles?limit=2&cursor=${first.next}` })).json()
  t.same([...first.data, ...second.data].map((a: { id: string }) => a.id), newest)
  t.equal(second.next, null)
  t.equal((await h.app.inject({ url: `/v1/articles?limit=2&sort=oldest&cursor=${first.next}` })).statusCode, 400, 'a cursor is tied to its sort')
  const sparse = (await h.app.inject({ url: '/v1/articles?fields=headlines,slug&limit=1' })).json().data[0]
  t.same(Object.keys(sparse).sort(), ['headlines', 'id', 'slug'])
  const withIncluded = (await h.app.inject({ url: '/v1/articles?include=contributors,topics,sections' })).json()
  t.same(withIncluded.included.contributors.map((c: { name: string }) => c.name).sort(), ['Lena Marsh', 'Tom Okafor'])
  t.equal(withIncluded.included.topics.length, 4)
  t.equal(withIncluded.included.sections.length, 4)
})

t.test('drafts never leak: not in lists, search, snippets, counts, filters, includes, related or the changes feed', async (t) => {
  const { h, ids, topics, people } = await newsroom(t)
  for (const headers of [{}, h.as.read]) {
    const leakProbes = ['', 'q=secret', 'q=confidential', 'q=tunnel&total=true', `topic=${topics.Harbour}`, `contributor=${people.lena}`, 'section=asia', 'include=contributors,topics', 'sort=updated']
    for (const probe of leakProbes) {
      const res = await h.app.inject({ url: `/v1/articles?${probe}`, headers })
      t.notMatch(res.body, ids.secret!, `${probe}: no draft id`)
      t.notMatch(res.body, /Secret|confidential|Embargoed details/, `${probe}: no draft text`)
    }
    t.equal((await h.app.inject({ url: '/v1/articles?q=tunnel&total=true', headers })).json().total, 1, 'counts exclude drafts')
    t.equal((await h.app.inject({ url: `/v1/articles/${ids.secret}`, headers })).statusCode, 404)
    t.equal((await h.app.inject({ url: `/v1/articles/${ids.secret}/related`, headers })).statusCode, 404)
    const related = await h.app.inject({ url: `/v1/articles/${ids.tunnel}/related`, headers })
    t.notMatch(related.body, ids.secret!)
    const feed = await h.app.inject({ url: '/v1/changes?limit=1000', headers })
    t.notMatch(feed.body, ids.secret!, 'changes feed')
  }
  t.same((await h.app.inject({ url: '/v1/articles?q=secret', headers: h.as.write })).json().data.map((a: { id: string }) => a.id), [ids.secret], 'editors find it')
  t.equal((await h.app.inject({ url: '/v1/articles?status=draft', headers: h.as.write })).json().data.length, 1)
})

t.test('a filter on a hidden article field answers as if the article did not exist', async (t) => {
  const { h, topics } = await newsroom(t)
  const lonely = (await h.app.inject({ method: 'POST', url: '/v1/topics', headers: h.as.write, payload: { kind: 'subject', name: 'Only in drafts' } })).json()
  await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { headlines: { basic: 'Draft only' }, body: [], topics: [{ topicId: lonely.id }] } })
  const hidden = await h.app.inject({ url: `/v1/articles?topic=${lonely.id}&total=true` })
  const none = await h.app.inject({ url: `/v1/articles?topic=no-such-topic&total=true` })
  t.equal(hidden.statusCode, none.statusCode)
  t.same(hidden.json(), none.json())
  t.equal(hidden.headers.etag, none.headers.etag)
  void topics
})

t.test('GET /v1/articles/:id/related lists visible articles sharing topics, most shared first', async (t) => {
  const { h, ids } = await newsroom(t)
  const res = await h.app.inject({ url: `/v1/articles/${ids.tunnel}/related` })
  t.equal(res.statusCode, 200)
  t.same(res.json().data.map((a: { id: string }) => a.id), [ids.ferry])
})

t.test('GET /v1/changes reports creates, updates, unpublishes and deletions in order', async (t) => {
  const { h, ids } = await newsroom(t)
  const start = (await h.app.inject({ url: '/v1/changes?limit=1000' })).json()
  t.same(start.data.map((c: { kind: string }) => c.kind), ['published', 'published', 'published', 'published'])
  await h.app.inject({ method: 'PATCH', url: `/v1/articles/${ids.ferry}`, headers: { ...h.as.write, 'if-match': '2' }, payload: { summary: 'New.' } })
  await h.app.inject({ method: 'POST', url: `/v1/articles/${ids.vote}/unpublish`, headers: { ...h.as.write, 'if-match': '2' } })
  await h.app.inject({ method: 'DELETE', url: `/v1/articles/${ids.derby}`, headers: { ...h.as.write, 'if-match': '2' } })
  await h.app.inject({ method: 'PATCH', url: `/v1/articles/${ids.secret}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { summary: 'Still secret.' } })
  const next = (await h.app.inject({ url: `/v1/changes?since=${start.next}` })).json()
  t.same(next.data.map((c: { kind: string; articleId: string }) => [c.kind, c.articleId]), [
    ['updated', ids.ferry],
    ['unpublished', ids.vote],
    ['deleted', ids.derby],
  ])
  t.equal(next.more, false)
  const idle = (await h.app.inject({ url: `/v1/changes?since=${next.next}` })).json()
  t.same(idle.data, [])
  t.equal(idle.next, next.next)
  const editors = (await h.app.inject({ url: `/v1/changes?since=${start.next}`, headers: h.as.write })).json()
  t.same(
    editors.data.map((c: { kind: string; articleId: string }) => [c.kind, c.articleId]),
    [
      ['created', ids.secret],
      ['updated', ids.ferry],
      ['unpublished', ids.vote],
      ['deleted', ids.derby],
      ['updated', ids.secret],
    ],
    'write keys see every change, drafts included',
  )
  t.equal((await h.app.inject({ url: '/v1/changes?since=bogus' })).statusCode, 400)
})

t.test('lists carry an ETag and Surrogate-Key but no Last-Modified, so an unpublished article never hides behind a 304', async (t) => {
  const { h, ids } = await newsroom(t)
  const res = await h.app.inject({ url: '/v1/articles' })
  t.equal(res.headers['last-modified'], undefined, 'a page has no Last-Modified: an item can leave it with nothing newer in it')
  t.match(res.headers['surrogate-key'], new RegExp(`articles .*article-${ids.tunnel}`))
  t.equal((await h.app.inject({ url: '/v1/articles', headers: { 'if-none-match': res.headers.etag as string } })).statusCode, 304, 'unchanged: 304 by its ETag')
  const since = new Date(Date.now() + 60_000).toUTCString()
  await h.app.inject({ method: 'POST', url: `/v1/articles/${ids.vote}/unpublish`, headers: { ...h.as.write, 'if-match': '2' } })
  for (const headers of [{ 'if-none-match': res.headers.etag as string }, { 'if-modified-since': since }]) {
    const after = await h.app.inject({ url: '/v1/articles', headers })
    t.equal(after.statusCode, 200, `after an unpublish, ${Object.keys(headers)[0]} gets the new page`)
    t.notOk(after.json().data.some((a: { id: string }) => a.id === ids.vote), 'without the unpublished article')
  }
  const one = await h.app.inject({ url: `/v1/articles/${ids.tunnel}` })
  t.match(one.headers['surrogate-key'], /article-\S+ section-\S+ topic-\S+ topic-\S+/)
})

t.test('topic, section and contributor lists count only the published articles readers can see', async (t) => {
  const { h, topics, sections, people } = await newsroom(t)
  const topicList = (await h.app.inject({ url: '/v1/topics?limit=100' })).json().data
  const count = (list: { id: string; articleCount: number }[], id: string) => list.find((x) => x.id === id)?.articleCount
  t.equal(count(topicList, topics.Harbour!), 1, 'the draft with the same topic is not counted')
  t.equal(count(topicList, topics.Transport!), 2)
  const sectionList = (await h.app.inject({ url: '/v1/sections' })).json().data
  t.equal(count(sectionList, sections.news!), 3, 'a section counts its subsections')
  t.equal(count(sectionList, sections.asia!), 1)
  t.equal((await h.app.inject({ url: `/v1/contributors/${people.lena}` })).json().articleCount, 1)
})

t.test('GET /v1/articles?q= ranks only the newest matches past the candidate limit and says the page is partial', async (t) => {
  const h = await testApp(t, { searchCandidateLimit: 3 })
  const ids: string[] = []
  for (const n of [1, 2, 3, 4, 5]) {
    const created = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { headlines: { basic: `Lighthouse keeper story ${n}` }, body: [{ type: 'paragraph', html: n === 1 ? 'The lighthouse and the zeppelin.' : 'The lighthouse at dawn.' }] } })
    ids.push(created.json().id)
    await h.app.inject({ method: 'POST', url: `/v1/articles/${created.json().id}/publish`, headers: { ...h.as.write, 'if-match': '1' } })
  }
  const search = async (query: string) => {
    const res = await h.app.inject({ url: `/v1/articles?${query}` })
    t.equal(res.statusCode, 200, query)
    return res.json() as { data: { id: string }[]; partial?: true; next: string | null; total?: number }
  }
  const common = await search('q=lighthouse')
  t.equal(common.partial, true, 'five matches, three ranked')
  t.same(common.data.map((a) => a.id).sort(), ids.slice(2).sort(), 'the three newest matches')
  const newest = await search('q=lighthouse&sort=newest')
  t.same(newest.data.map((a) => a.id), ids.slice(2).reverse(), 'newest first among them')
  t.equal(newest.partial, true)
  const counted = await search('q=lighthouse&total=true')
  t.equal(counted.total, 5, 'total counts every match')
  const rare = await search('q=zeppelin')
  t.same(rare.data.map((a) => a.id), [ids[0]], 'a word under the limit reaches the oldest article')
  t.notOk('partial' in rare, 'and the page is complete')
  t.notOk('partial' in (await search('section=none-such&limit=2')), 'lists without q are never partial')
})
