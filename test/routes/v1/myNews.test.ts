import t from 'tap'
import { manualClock, testApp, testEngine, type TestApp } from '../../helpers.js'
import { MAX_FOLLOWS } from '../../../src/services/readers.js'

// One app for the file, on a clock the tests move: articles are published an hour apart.
const HOUR = 3_600_000
const clock = manualClock(Date.parse('2026-11-20T08:00:00.000Z'))
const h: TestApp = await testApp(t, {}, clock)

const call = async (method: string, url: string, headers: Record<string, string>, payload?: object) => {
  const res = await h.app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) })
  return { status: res.statusCode, body: res.body ? (res.json() as any) : null, headers: res.headers } // eslint-disable-line @typescript-eslint/no-explicit-any
}
const post = async (url: string, payload: object) => {
  const res = await call('POST', url, h.as.write, payload)
  if (res.status !== 201) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body as { id: string }
}
const publish = async (id: string) => {
  const res = await call('POST', `/v1/articles/${id}/publish`, { ...h.as.write, 'if-match': '*' })
  if (res.status !== 200) throw new Error(`publish: ${res.status} ${JSON.stringify(res.body)}`)
  clock.advance(HOUR)
}
const paragraph = [{ type: 'paragraph', html: 'Text.' }]
async function newReader(): Promise<{ id: string; auth: Record<string, string>; token: string }> {
  const res = await call('POST', '/v1/readers', h.as.read)
  if (res.status !== 201) throw new Error(`create reader: ${res.status} ${JSON.stringify(res.body)}`)
  return { id: res.body.id, token: res.body.token, auth: { authorization: `Bearer ${res.body.token}` } }
}

// The newsroom: topics, a contributor, a section tree, and stories published an hour apart.
const topic = async (name: string) => (await post('/v1/topics', { kind: 'subject', name })).id
const topics = { trump: await topic('Donald Trump'), korea: await topic('North Korea'), syria: await topic('Syria'), economy: await topic('Economy') }
const lena = (await post('/v1/contributors', { kind: 'person', name: 'Lena Marsh' })).id
const news = await post('/v1/sections', { name: 'News' })
const world = await post('/v1/sections', { name: 'World', parentId: news.id })
const asia = await post('/v1/sections', { name: 'Asia', parentId: world.id })
const sport = await post('/v1/sections', { name: 'Sport' })
const story = async (headline: string, topicIds: string[], extra: object = {}) =>
  (await post('/v1/articles', { headlines: { basic: headline }, body: paragraph, topics: topicIds.map((topicId) => ({ topicId })), ...extra })).id
const ids: Record<string, string> = {}
ids.call = await story('Trump speaks to Putin by phone', [topics.trump], { sectionId: world.id })
await publish(ids.call)
ids.summit = await story('Trump and Kim to meet again', [topics.trump, topics.korea])
await publish(ids.summit)
ids.strikes = await story('Trump orders strikes in Syria', [topics.trump, topics.syria])
await publish(ids.strikes)
ids.growth = await story('Economy grows 2 per cent', [topics.economy], { sectionId: asia.id, credits: [{ contributorId: lena, role: 'byline' }] })
await publish(ids.growth)
ids.missile = await story('North Korea tests a missile', [topics.korea])
await publish(ids.missile)
ids.draft = await story('Trump draft never published', [topics.trump])
ids.embargoed = await story('Trump interview, embargoed', [topics.trump], { embargoUntil: new Date(clock.now().getTime() + 48 * HOUR).toISOString() })
await publish(ids.embargoed)

const alice = await newReader()
const bob = await newReader()
const follow = (who: { auth: Record<string, string> }, kind: string, target: string) => call('POST', '/v1/me/follows', who.auth, { kind, target })
const feedOf = async (who: { auth: Record<string, string> }, query = '') => {
  const res = await call('GET', `/v1/me/feed${query}`, who.auth)
  if (res.status !== 200) throw new Error(`feed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body as { data: { article: { id: string }; reasons: { kind: string; target: { name: string } }[]; score?: number }[]; next: string | null; suggestions?: { name: string; followers: number }[] }
}
const articleIds = (page: { data: { article: { id: string } }[] }) => page.data.map((i) => i.article.id)

t.test('a reader who follows Donald Trump and North Korea and mutes Syria sees the right stories, newest first, with reasons', async (t) => {
  t.equal((await follow(alice, 'topic', 'donald-trump')).status, 201, 'by slug')
  t.equal((await follow(alice, 'topic', topics.korea)).status, 201, 'by id')
  t.equal((await call('POST', '/v1/me/mutes', alice.auth, { kind: 'topic', target: 'syria' })).status, 201)
  const page = await feedOf(alice)
  // Not the Syria story (muted), not Economy (not followed), not the draft, not the embargoed interview; the summit once.
  t.same(articleIds(page), [ids.missile, ids.summit, ids.call])
  t.same(page.data.map((i) => i.reasons.map((r) => r.target.name).sort()), [['North Korea'], ['Donald Trump', 'North Korea'], ['Donald Trump']])
  t.equal(page.next, null)
  t.notOk('suggestions' in page, 'no suggestions on a feed with items')
})

t.test('GET /v1/me/feed?order=relevance ranks by matched follows and freshness (score = matches x 2^(-ageHours/24))', async (t) => {
  const page = await feedOf(alice, '?order=relevance')
  // Now is six hours after the first story: the summit (two follows, 5 h old) 2 x 2^(-5/24) > the missile test 1 x 2^(-2/24) > the call 1 x 2^(-6/24).
  t.same(articleIds(page), [ids.summit, ids.missile, ids.call])
  const scores = page.data.map((i) => i.score!)
  t.ok(scores[0]! > scores[1]! && scores[1]! > scores[2]!, `scores fall: ${scores.join(', ')}`)
  t.ok(Math.abs(scores[0]! - 2 * 2 ** (-5 / 24)) < 1e-6, 'the documented formula')
  const first = await feedOf(alice, '?order=relevance&limit=2')
  const second = await feedOf(alice, `?order=relevance&limit=2&cursor=${first.next}`)
  t.same([...articleIds(first), ...articleIds(second)], [ids.summit, ids.missile, ids.call], 'pages of the ranking')
})

t.test('cursor pages stay stable while new articles arrive; each item is listed once', async (t) => {
  const first = await feedOf(alice, '?limit=2')
  t.same(articleIds(first), [ids.missile, ids.summit])
  ids.late = await story('Trump replies to Kim', [topics.trump, topics.korea])
  await publish(ids.late)
  const second = await feedOf(alice, `?limit=2&cursor=${first.next}`)
  t.same(articleIds(second), [ids.call], 'the next page goes on where the first ended')
  t.equal(second.next, null)
  t.same(articleIds(await feedOf(alice)), [ids.late, ids.missile, ids.summit, ids.call], 'the new story comes first on a fresh read')
  t.equal((await call('GET', '/v1/me/feed?cursor=bm9wZQ', alice.auth)).status, 400, 'a cursor we never gave out')
})

t.test('GET /v1/me/feed answers ETag and Cache-Control: private, and 304 while unchanged; since gives only what is new', async (t) => {
  const res = await call('GET', '/v1/me/feed', alice.auth)
  t.match(res.headers['cache-control'], /^private/)
  t.ok(res.headers.etag)
  t.equal((await call('GET', '/v1/me/feed', { ...alice.auth, 'if-none-match': String(res.headers.etag) })).status, 304)
  const since = new Date(clock.now().getTime() - 90 * 60_000).toISOString()
  t.same(articleIds(await feedOf(alice, `?since=${since}`)), [ids.late])
  t.equal((await call('GET', '/v1/me/feed?since=yesterday', alice.auth)).status, 400)
})

t.test('read marks: ?unread=true leaves out what the reader marked read', async (t) => {
  t.equal((await call('POST', '/v1/me/read', alice.auth, { articleIds: [ids.late, ids.summit] })).status, 204)
  t.equal((await call('POST', '/v1/me/read', alice.auth, { articleIds: [ids.late] })).status, 204, 'idempotent')
  t.same(articleIds(await feedOf(alice, '?unread=true')), [ids.missile, ids.call])
  t.equal((await feedOf(alice)).data.length, 4, 'the full feed still lists them')
  t.equal((await call('DELETE', `/v1/me/read/${ids.summit}`, alice.auth)).status, 204)
  t.same(articleIds(await feedOf(alice, '?unread=true')), [ids.missile, ids.summit, ids.call])
  t.equal((await call('POST', '/v1/me/read', alice.auth, { articleIds: ['no-such-article'] })).status, 404)
  t.equal((await call('POST', '/v1/me/read', alice.auth, { articleIds: [] })).status, 400)
})

t.test('follows: unknown targets are 404, following twice is idempotent, sections include subsections, contributors count', async (t) => {
  const carol = await newReader()
  t.equal((await follow(carol, 'topic', 'no-such-topic')).status, 404)
  t.equal((await follow(carol, 'planet', 'mars')).status, 400)
  const once = await follow(carol, 'section', 'news/world')
  const twice = await follow(carol, 'section', world.id)
  t.equal(once.status, 201)
  t.equal(twice.status, 200)
  t.equal(twice.body.id, once.body.id, 'the same follow')
  t.same(articleIds(await feedOf(carol)), [ids.growth, ids.call], 'World and its subsection Asia')
  const lenaFollow = await follow(carol, 'contributor', 'lena-marsh')
  const page = await feedOf(carol)
  t.same(page.data[0]!.reasons.map((r) => r.kind).sort(), ['contributor', 'section'], 'one item, both reasons')
  t.same(page.data.length, 2)
  t.equal((await call('DELETE', `/v1/me/follows/${lenaFollow.body.id}`, carol.auth)).status, 204)
  const list = await call('GET', '/v1/me/follows', carol.auth)
  t.same(list.body.data.map((f: { target: { slug: string } }) => f.target.slug), ['news/world'])
  t.equal(list.body.limit, MAX_FOLLOWS)
  t.equal((await follow(carol, 'section', sport.id)).status, 201)
  t.equal((await call('POST', '/v1/me/mutes', carol.auth, { kind: 'section', target: sport.id })).status, 400, 'sections cannot be muted')
})

t.test(`a reader follows at most ${MAX_FOLLOWS} things`, async (t) => {
  const dave = await newReader()
  const values = Array.from({ length: MAX_FOLLOWS }, (_, i) => `('limit-topic-${i}', 'subject', 'Limit ${i}', 'limit-${i}', null, '[]', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`)
  await h.sql(`insert into topics (id, kind, name, slug, description, aliases, version, created_at, updated_at) values ${values.join(', ')}`)
  for (let i = 0; i < MAX_FOLLOWS; i++) await h.services.readers.follow(dave.id, 'topic', `limit-topic-${i}`)
  const over = await follow(dave, 'topic', 'donald-trump')
  t.equal(over.status, 409)
  t.match(over.body.detail, `at most ${MAX_FOLLOWS}`)
  t.equal((await follow(dave, 'topic', 'limit-0')).status, 200, 'following one it has is still idempotent')
  await h.sql(`delete from topics where id like 'limit-topic-%'`)
  t.equal((await call('GET', '/v1/me/follows', dave.auth)).body.data.length, 0, "a deleted topic's follows go with it")
})

t.test("a new reader's empty feed is a clear empty answer with the most-followed topics", async (t) => {
  const page = await feedOf(bob)
  t.same(page.data, [])
  t.equal(page.next, null)
  t.equal(page.suggestions![0]!.name, 'Donald Trump', 'followed by one reader, before topics nobody follows')
  t.ok(page.suggestions!.length <= 10)
  t.ok(page.suggestions!.some((s) => s.followers === 0), 'topics nobody follows yet fill the list')
  const frank = await newReader()
  await follow(frank, 'topic', 'north-korea')
  await call('POST', '/v1/me/mutes', frank.auth, { kind: 'topic', target: 'north-korea' })
  const muted = await feedOf(frank)
  t.same(muted.data, [], 'everything it follows is muted')
  t.notOk(muted.suggestions!.some((s) => s.name === 'North Korea'), 'never suggests what the reader follows or mutes')
  t.equal(muted.suggestions![0]!.name, 'Donald Trump')
})

t.test("a second reader cannot see or change the first one's data; tokens reach only what they should", async (t) => {
  const follows = (await call('GET', '/v1/me/follows', alice.auth)).body.data as { id: string }[]
  const mutes = (await call('GET', '/v1/me/mutes', alice.auth)).body.data as { id: string }[]
  t.equal((await call('DELETE', `/v1/me/follows/${follows[0]!.id}`, bob.auth)).status, 404, "another reader's follow is 404, not 403")
  t.equal((await call('DELETE', `/v1/me/mutes/${mutes[0]!.id}`, bob.auth)).status, 404)
  t.equal((await call('DELETE', `/v1/me/read/${ids.late}`, bob.auth)).status, 404)
  t.same((await call('GET', '/v1/me/follows', bob.auth)).body.data, [])
  t.equal((await call('GET', '/v1/me/follows', alice.auth)).body.data.length, 2, "the first reader's follows are untouched")
  t.equal((await call('GET', '/v1/me', bob.auth)).body.id, bob.id)
  // An API key never acts as a reader; a reader token opens nothing but /v1/me.
  t.equal((await call('GET', '/v1/me/feed', h.as.admin)).status, 403)
  t.equal((await call('GET', '/v1/me/feed', {})).status, 401)
  t.equal((await call('GET', '/v1/me/feed', { authorization: 'Bearer rd_not-a-token' })).status, 401)
  t.equal((await call('GET', '/v1/articles', alice.auth)).status, 403)
  t.equal((await call('POST', '/v1/topics', alice.auth, { kind: 'subject', name: 'X' })).status, 403)
  t.equal((await call('POST', '/v1/readers', alice.auth)).status, 403, 'a reader cannot make readers')
  t.equal((await call('POST', '/v1/readers', {})).status, 401, 'nor can anonymous callers')
})

t.test('the private feed URL: RSS and JSON Feed with its own token, stored hashed, rotated and revoked', async (t) => {
  const made = await call('PUT', '/v1/me/feed-token', alice.auth)
  t.equal(made.status, 200)
  t.match(made.headers['cache-control'], 'no-store')
  const { token, rss, json } = made.body as { token: string; rss: string; json: string }
  t.match(token, /^rf_/)
  const stored = JSON.stringify(await h.sql(`select * from readers where id = '${alice.id}'`))
  t.notOk(stored.includes(token), 'only a hash of the token is stored')
  t.equal((await call('GET', '/v1/me', alice.auth)).body.hasFeedToken, true)

  const asRss = await h.app.inject({ url: rss })
  t.equal(asRss.statusCode, 200)
  t.match(asRss.headers['content-type'], /^application\/rss\+xml/)
  t.match(asRss.headers['cache-control'], /^private/)
  t.match(asRss.body, '<title><![CDATA[Trump replies to Kim]]></title>')
  t.match(asRss.body, /<category>(<!\[CDATA\[)?North Korea/)
  t.notOk(asRss.body.includes('Syria'), 'the muted story is not in it')
  const asJson = await h.app.inject({ url: json })
  t.match(asJson.headers['content-type'], /^application\/feed\+json/)
  const parsed = asJson.json() as { version: string; items: { id: string; title: string }[] }
  t.match(parsed.version, /jsonfeed/)
  t.same(parsed.items.map((i) => i.id), articleIds(await feedOf(alice)).map((id) => `urn:uuid:${id}`), 'the same items as the feed, in order (ids as the public feeds give them)')
  t.equal((await h.app.inject({ url: json, headers: { 'if-none-match': String(asJson.headers.etag) } })).statusCode, 304)

  const rotated = await call('PUT', '/v1/me/feed-token', alice.auth)
  t.equal((await h.app.inject({ url: rss })).statusCode, 404, 'the old URL stops working')
  t.equal((await h.app.inject({ url: rotated.body.rss })).statusCode, 200)
  t.equal((await h.app.inject({ url: rotated.body.rss.replace('rf_', 'rd_') })).statusCode, 404, 'a reader token is not a feed token')
  t.equal((await call('DELETE', '/v1/me/feed-token', alice.auth)).status, 204)
  t.equal((await h.app.inject({ url: rotated.body.json })).statusCode, 404, 'revoked')
  t.equal((await h.app.inject({ url: `/v1/me/private-feed/${alice.token}/rss` })).statusCode, 404, 'the reader token does not open it either')
})

t.test('deleting a reader leaves no row of it behind, in any table', async (t) => {
  const erin = await newReader()
  await follow(erin, 'topic', 'donald-trump')
  await follow(erin, 'section', 'news')
  await call('POST', '/v1/me/mutes', erin.auth, { kind: 'contributor', target: 'lena-marsh' })
  await call('POST', '/v1/me/read', erin.auth, { articleIds: [ids.call] })
  const feedToken = await call('PUT', '/v1/me/feed-token', erin.auth)
  t.equal(feedToken.status, 200)
  const secrets = [erin.id, ...((await call('GET', '/v1/me/follows', erin.auth)).body.data as { id: string }[]).map((f) => f.id)]
  const tables =
    testEngine === 'sqlite'
      ? (await h.sql<{ name: string }>(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'articles_fts%'`)).map((r) => r.name)
      : (await h.sql<{ name: string }>(`select table_name as name from information_schema.tables where table_schema = 'public'`)).map((r) => r.name)
  const holding = async () => {
    const found: string[] = []
    for (const table of tables) {
      const text = JSON.stringify(await h.sql(`select * from ${table}`))
      for (const s of secrets) if (text.includes(s)) found.push(`${table} holds ${s}`)
    }
    return found
  }
  t.ok((await holding()).length >= 4, 'the reader, its follows, mute and read mark are stored')
  t.equal((await call('DELETE', '/v1/me', erin.auth)).status, 204)
  t.same(await holding(), [], `no table of ${tables.length} holds the reader's id or its follows' ids`)
  const counted = await h.sql<{ n: number }>(`select cast(count(*) as integer) as n from readers where id = '${erin.id}'`)
  t.equal(Number(counted[0]!.n), 0)
  t.equal((await call('GET', '/v1/me', erin.auth)).status, 401, 'its token no longer works')
  t.equal((await call('GET', feedToken.body.rss, {})).status, 404, 'nor does its private feed')
})
