import t from 'tap'
import { manualClock, minimalArticle, testApp, type TestApp } from '../../helpers.js'

async function create(h: TestApp, body: object = minimalArticle(), headers: Record<string, string> = {}) {
  const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: { ...h.as.write, ...headers }, payload: body })
  return { res, json: res.json() }
}

async function seedCatalog(h: TestApp) {
  const post = async (url: string, payload: object) => (await h.app.inject({ method: 'POST', url, headers: h.as.write, payload })).json()
  const photo = await post('/v1/media', { kind: 'image', url: 'https://img.example/1.jpg', mimeType: 'image/jpeg', caption: 'Library caption', credit: 'AP' })
  const video = await post('/v1/media', { kind: 'video', caption: 'How the bridge will look' })
  const person = await post('/v1/contributors', { kind: 'person', name: 'Lena Marsh' })
  const agency = await post('/v1/contributors', { kind: 'agency', name: 'Associated Press', aliases: ['AP'] })
  const topic = await post('/v1/topics', { kind: 'place', name: 'Eastgate' })
  const topic2 = await post('/v1/topics', { kind: 'subject', name: 'Transport' })
  return { photo, video, person, agency, topic, topic2 }
}

t.test('POST /v1/articles creates a draft with server-set id, version and timestamps', async (t) => {
  const h = await testApp(t)
  const { res, json } = await create(h)
  t.equal(res.statusCode, 201)
  t.equal(res.headers.location, `/v1/articles/${json.id}`)
  t.match(res.headers.etag, /^"1-[0-9a-f]{16}"$/)
  t.match(json, { status: 'draft', version: 1, type: 'news', language: 'en', slug: 'council-approves-new-harbour-bridge', wordCount: 8 })
  t.equal(json.firstPublishedAt, null)
  t.equal(json.createdAt, json.updatedAt)
})

t.test('POST /v1/articles rejects ids, versions, status and timestamps in the body', async (t) => {
  const h = await testApp(t)
  for (const field of ['id', 'version', 'status', 'createdAt', 'publishedAt', 'wordCount', 'corrections']) {
    const { res, json } = await create(h, { ...minimalArticle(), [field]: field === 'version' ? 7 : 'x' })
    t.equal(res.statusCode, 400, field)
    t.same(json.errors, [{ path: `/body/${field}`, message: 'is not a known property' }], field)
  }
})

t.test('POST /v1/articles answers 400 problems that name the wrong field', async (t) => {
  const h = await testApp(t)
  const cases: [object, string][] = [
    [{ body: [] }, '/body/headlines'],
    [{ ...minimalArticle(), headlines: { basic: null } }, '/body/headlines/basic'],
    [{ ...minimalArticle(), headlines: { basic: '' } }, '/body/headlines/basic'],
    [{ ...minimalArticle(), headlines: { basic: 'x'.repeat(301) } }, '/body/headlines/basic'],
    [{ ...minimalArticle(), type: 'gossip' }, '/body/type'],
    [{ ...minimalArticle(), body: [{ type: 'marquee', text: 'hi' }] }, '/body/body/0/type'],
    [{ ...minimalArticle(), body: [{ type: 'heading', level: '2', text: 'Coerced?' }] }, '/body/body/0/level'],
    [{ ...minimalArticle(), body: [{ type: 'paragraph', html: 'ok', colour: 'red' }] }, '/body/body/0/colour'],
    [{ ...minimalArticle(), body: Array.from({ length: 501 }, () => ({ type: 'ad', slot: 'a' })) }, '/body/body'],
    [{ ...minimalArticle(), canonicalUrl: 'javascript:alert(1)' }, '/body/canonicalUrl'],
  ]
  for (const [body, path] of cases) {
    const { res, json } = await create(h, body)
    t.equal(res.statusCode, 400, path)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.ok(
      json.errors.some((e: { path: string }) => e.path === path),
      `${path} in ${JSON.stringify(json.errors)}`,
    )
  }
})

t.test('POST /v1/articles rejects disallowed paragraph HTML, naming the block', async (t) => {
  const h = await testApp(t)
  const bad = [
    '<script>alert(1)</script>',
    '<a href="javascript:alert(1)">x</a>',
    '<em onclick="steal()">x</em>',
    '<img src=x onerror=alert(1)>',
  ]
  for (const html of bad) {
    const { res, json } = await create(h, { ...minimalArticle(), body: [{ type: 'paragraph', html: 'fine' }, { type: 'paragraph', html }] })
    t.equal(res.statusCode, 400, html)
    t.equal(json.errors[0].path, '/body/body/1/html', html)
  }
  const { json } = await create(h, { ...minimalArticle(), body: [{ type: 'paragraph', html: 'A <a href="https://example.org/x">link</a> &amp; <b>bold</b><br>' }] })
  t.equal(json.body[0].html, 'A <a href="https://example.org/x">link</a> &amp; <b>bold</b><br />')
})

t.test('POST /v1/articles rejects a video block without exactly one of mediaId and url', async (t) => {
  const h = await testApp(t)
  const { res, json } = await create(h, { ...minimalArticle(), body: [{ type: 'video', title: 'x' }] })
  t.equal(res.statusCode, 400)
  t.equal(json.errors[0].path, '/body/body/0')
})

t.test('POST /v1/articles names references to media, contributors and topics that do not exist', async (t) => {
  const h = await testApp(t)
  const { res, json } = await create(h, {
    ...minimalArticle(),
    leadMedia: { mediaId: 'nope1' },
    body: [{ type: 'image', mediaId: 'nope2' }],
    credits: [{ contributorId: 'nope3', role: 'byline' }],
    topics: [{ topicId: 'nope4' }],
  })
  t.equal(res.statusCode, 400)
  t.same(
    json.errors.map((e: { path: string }) => e.path),
    ['/body/leadMedia/mediaId', '/body/body/0/mediaId', '/body/credits/0/contributorId', '/body/topics/0/topicId'],
  )
})

t.test('an article holds credits, topics, lead media and media blocks, embedded on read', async (t) => {
  const h = await testApp(t)
  const c = await seedCatalog(h)
  const { res, json } = await create(h, {
    headlines: { basic: 'Bridge approved', print: 'Bridge gets the nod' },
    summary: 'The council backed the plan.',
    leadMedia: { mediaId: c.photo.id, caption: 'Lead caption here' },
    body: [
      { type: 'paragraph', html: 'First.' },
      { type: 'image', mediaId: c.photo.id },
      { type: 'video', mediaId: c.video.id, title: 'Watch: the bridge' },
      { type: 'ad', slot: 'ad-1' },
      { type: 'quote', text: 'A good day.', attribution: 'The mayor' },
      { type: 'list', ordered: true, items: ['one', 'two'] },
    ],
    credits: [
      { contributorId: c.person.id, role: 'byline' },
      { contributorId: c.agency.id, role: 'additional-reporting' },
    ],
    topics: [{ topicId: c.topic.id, primary: true }, { topicId: c.topic2.id }],
    printEdition: { publication: 'Eastgate Daily Courier', page: 'A4', editionDate: '2026-11-27' },
  })
  t.equal(res.statusCode, 201)
  t.equal(json.leadMedia.caption, 'Lead caption here')
  t.equal(json.leadMedia.credit, 'AP')
  t.equal(json.leadMedia.media.url, 'https://img.example/1.jpg')
  t.match(json.body[1], { type: 'image', caption: 'Library caption', credit: 'AP', media: { id: c.photo.id } })
  t.match(json.body[2], { type: 'video', title: 'Watch: the bridge', media: { kind: 'video' } })
  t.same(json.credits.map((x: { role: string; contributor: { name: string } }) => [x.role, x.contributor.name]), [
    ['byline', 'Lena Marsh'],
    ['additional-reporting', 'Associated Press'],
  ])
  t.same(json.topics.map((x: { name: string; primary: boolean }) => [x.name, x.primary]), [
    ['Eastgate', true],
    ['Transport', false],
  ])
  t.same(json.printEdition, { publication: 'Eastgate Daily Courier', page: 'A4', editionDate: '2026-11-27' })
  const again = await h.app.inject({ method: 'GET', url: `/v1/articles/${json.id}`, headers: h.as.write })
  t.same(again.json(), json, 'read back identical')
})

t.test('POST /v1/articles refuses two primary topics and a duplicated topic', async (t) => {
  const h = await testApp(t)
  const c = await seedCatalog(h)
  let r = await create(h, { ...minimalArticle(), topics: [{ topicId: c.topic.id, primary: true }, { topicId: c.topic2.id, primary: true }] })
  t.equal(r.res.statusCode, 400)
  r = await create(h, { ...minimalArticle(), topics: [{ topicId: c.topic.id }, { topicId: c.topic.id }] })
  t.equal(r.res.statusCode, 400)
  t.equal(r.json.errors[0].path, '/body/topics/1/topicId')
})

t.test('POST /v1/articles gives a taken slug a 409 and a derived slug a unique suffix', async (t) => {
  const h = await testApp(t)
  await create(h)
  const second = await create(h)
  t.equal(second.res.statusCode, 201)
  t.not(second.json.slug, 'council-approves-new-harbour-bridge')
  t.match(second.json.slug, /^council-approves-new-harbour-bridge-[0-9a-f]{8}$/)
  const clash = await create(h, { ...minimalArticle(), slug: 'council-approves-new-harbour-bridge' })
  t.equal(clash.res.statusCode, 409)
  t.equal(clash.json.type, '/problems/conflict')
})

t.test('POST /v1/articles with an Idempotency-Key returns the first answer to a retry', async (t) => {
  const h = await testApp(t)
  const first = await create(h, minimalArticle(), { 'idempotency-key': 'abc-123' })
  const retry = await create(h, minimalArticle(), { 'idempotency-key': 'abc-123' })
  t.equal(retry.res.statusCode, 201)
  t.equal(retry.res.headers['idempotent-replayed'], 'true')
  t.equal(retry.json.id, first.json.id)
  t.equal(retry.res.headers.location, first.res.headers.location)
  const list = await h.app.inject({ url: '/v1/articles', headers: h.as.write })
  t.equal(list.json().data.length, 1, 'created once')
})

t.test('POST /v1/articles reusing an Idempotency-Key with another body is a 422', async (t) => {
  const h = await testApp(t)
  await create(h, minimalArticle('One'), { 'idempotency-key': 'k1' })
  const reuse = await create(h, minimalArticle('Two'), { 'idempotency-key': 'k1' })
  t.equal(reuse.res.statusCode, 422)
  t.equal(reuse.json.type, '/problems/idempotency-key-reused')
  const otherKeyHolder = await h.app.inject({
    method: 'POST',
    url: '/v1/articles',
    headers: { ...h.as.admin, 'idempotency-key': 'k1' },
    payload: minimalArticle('Two'),
  })
  t.equal(otherKeyHolder.statusCode, 201, 'keys are per API key')
})

t.test('POST /v1/articles: 413, 415 and malformed JSON are problems', async (t) => {
  const h = await testApp(t, { bodyLimitBytes: 2048 })
  const big = await create(h, { ...minimalArticle(), summary: 'x'.repeat(3000) })
  t.equal(big.res.statusCode, 413)
  t.equal(big.json.type, '/problems/body-too-large')
  const text = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: { ...h.as.write, 'content-type': 'text/plain' }, payload: 'hello' })
  t.equal(text.statusCode, 415)
  t.equal(text.headers['content-type'], 'application/problem+json; charset=utf-8')
  const broken = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: { ...h.as.write, 'content-type': 'application/json' }, payload: '{"headlines":' })
  t.equal(broken.statusCode, 400)
  t.equal(broken.json().type, '/problems/malformed-json')
  t.notMatch(broken.body, /at .*\.js|stack/i)
})

t.test('POST /v1/articles needs a write key: 401 without one, 403 with a read key', async (t) => {
  const h = await testApp(t)
  const anon = await h.app.inject({ method: 'POST', url: '/v1/articles', payload: minimalArticle() })
  t.equal(anon.statusCode, 401)
  t.equal(anon.headers['www-authenticate'], 'Bearer realm="newsdesk"')
  const read = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.read, payload: minimalArticle() })
  t.equal(read.statusCode, 403)
  t.equal(read.json().type, '/problems/forbidden')
  const bogus = await h.app.inject({ method: 'GET', url: '/v1/articles', headers: { authorization: 'Bearer nd_not-a-key' } })
  t.equal(bogus.statusCode, 401, 'a wrong key is refused even where anonymous reads are allowed')
})

t.test('GET /v1/articles/:idOrSlug finds by id and by slug, and 404s as a problem', async (t) => {
  const h = await testApp(t)
  const { json } = await create(h)
  const byId = await h.app.inject({ url: `/v1/articles/${json.id}`, headers: h.as.write })
  const bySlug = await h.app.inject({ url: `/v1/articles/${json.slug}`, headers: h.as.write })
  t.equal(byId.statusCode, 200)
  t.same(bySlug.json(), byId.json())
  const missing = await h.app.inject({ url: '/v1/articles/no-such-story', headers: h.as.write })
  t.equal(missing.statusCode, 404)
  t.match(missing.json(), { type: '/problems/not-found', status: 404, instance: '/v1/articles/no-such-story' })
})

t.test('drafts are invisible to read keys and anonymous callers, and visible to write keys', async (t) => {
  const h = await testApp(t)
  const { json } = await create(h)
  for (const headers of [h.as.read, {}]) {
    t.equal((await h.app.inject({ url: `/v1/articles/${json.id}`, headers })).statusCode, 404)
    t.equal((await h.app.inject({ url: `/v1/articles/${json.slug}`, headers })).statusCode, 404)
    t.same((await h.app.inject({ url: '/v1/articles', headers })).json().data, [])
  }
  t.equal((await h.app.inject({ url: '/v1/articles', headers: h.as.write })).json().data.length, 1)
})

t.test('anonymous reads can be switched off', async (t) => {
  const h = await testApp(t, { anonymousReads: false })
  t.equal((await h.app.inject({ url: '/v1/articles' })).statusCode, 401)
  t.equal((await h.app.inject({ url: '/v1/articles', headers: h.as.read })).statusCode, 200)
  t.equal((await h.app.inject({ url: '/healthz' })).statusCode, 200, 'health stays public')
  t.equal((await h.app.inject({ url: '/v1/nothing-here' })).statusCode, 404, 'unknown routes stay 404')
})

t.test('publish makes an article public; firstPublishedAt never changes afterwards', async (t) => {
  const clock = manualClock()
  const h = await testApp(t, {}, clock)
  const { res, json } = await create(h)
  const pub = await h.app.inject({ method: 'POST', url: `/v1/articles/${json.id}/publish`, headers: { ...h.as.write, 'if-match': res.headers.etag! } })
  t.equal(pub.statusCode, 200)
  const published = pub.json()
  t.match(published, { status: 'published', version: 2 })
  t.ok(published.firstPublishedAt)
  t.equal(published.publishedAt, published.firstPublishedAt)
  t.equal((await h.app.inject({ url: `/v1/articles/${json.slug}` })).statusCode, 200, 'anonymous sees it now')

  const unpub = await h.app.inject({ method: 'POST', url: `/v1/articles/${json.id}/unpublish`, headers: { ...h.as.write, 'if-match': '2' } })
  t.equal(unpub.json().status, 'draft')
  t.equal((await h.app.inject({ url: `/v1/articles/${json.slug}` })).statusCode, 404)
  clock.advance(60_000)
  const again = await h.app.inject({ method: 'POST', url: `/v1/articles/${json.id}/publish`, headers: { ...h.as.write, 'if-match': '3' } })
  t.equal(again.json().firstPublishedAt, published.firstPublishedAt)
  t.not(again.json().publishedAt, published.publishedAt)
})

t.test('PUT and PATCH /v1/articles/:id need If-Match: 428 without, 412 when stale, 400 when malformed', async (t) => {
  const h = await testApp(t)
  const { json } = await create(h)
  const url = `/v1/articles/${json.id}`
  const missing = await h.app.inject({ method: 'PATCH', url, headers: h.as.write, payload: { summary: 'New' } })
  t.equal(missing.statusCode, 428)
  t.equal(missing.json().type, '/problems/precondition-required')
  const ok = await h.app.inject({ method: 'PATCH', url, headers: { ...h.as.write, 'if-match': '"1-0000000000000000"' }, payload: { summary: 'New' } })
  t.equal(ok.statusCode, 200)
  t.equal(ok.json().version, 2)
  const stale = await h.app.inject({ method: 'PATCH', url, headers: { ...h.as.write, 'if-match': '"1-0000000000000000"' }, payload: { summary: 'Lost?' } })
  t.equal(stale.statusCode, 412)
  t.match(stale.json(), { type: '/problems/precondition-failed', currentVersion: 2 })
  const garbage = await h.app.inject({ method: 'PATCH', url, headers: { ...h.as.write, 'if-match': 'whatever' }, payload: { summary: 'Lost?' } })
  t.equal(garbage.statusCode, 400, 'a malformed If-Match is the client\'s error, not a stale one')
  t.equal(garbage.json().errors[0].path, '/headers/if-match')
  const put = await h.app.inject({ method: 'PUT', url, headers: h.as.write, payload: minimalArticle() })
  t.equal(put.statusCode, 400, 'a PUT must carry every field')
  const after = await h.app.inject({ url, headers: h.as.write })
  t.equal(after.json().summary, 'New', 'the stale write changed nothing')
})

t.test('PUT /v1/articles/:id replaces the editable fields and keeps the server ones', async (t) => {
  const h = await testApp(t)
  const { res, json } = await create(h, { ...minimalArticle(), summary: 'Old standfirst', canonicalUrl: 'https://news.example/a' })
  const put = await h.app.inject({
    method: 'PUT',
    url: `/v1/articles/${json.id}`,
    headers: { ...h.as.write, 'if-match': res.headers.etag! },
    payload: {
      slug: 'renamed',
      type: 'feature',
      language: 'en-GB',
      sectionId: null,
      headlines: { basic: 'Renamed' },
      summary: null,
      leadMedia: null,
      body: [{ type: 'heading', level: 2, text: 'Only a heading' }],
      credits: [],
      topics: [],
      printEdition: null,
      canonicalUrl: null,
      embargoUntil: null,
      message: 'restructure',
    },
  })
  t.equal(put.statusCode, 200)
  t.match(put.json(), { id: json.id, slug: 'renamed', type: 'feature', language: 'en-GB', summary: null, canonicalUrl: null, wordCount: 3, version: 2, createdAt: json.createdAt })
  t.match(put.headers.etag, /^"2-/)
})

t.test('PATCH /v1/articles/:id changes only the given fields; null clears; merge-patch+json works', async (t) => {
  const h = await testApp(t)
  const { json } = await create(h, { ...minimalArticle(), summary: 'Standfirst', canonicalUrl: 'https://news.example/a' })
  const res = await h.app.inject({
    method: 'PATCH',
    url: `/v1/articles/${json.id}`,
    headers: { ...h.as.write, 'if-match': '1', 'content-type': 'application/merge-patch+json' },
    payload: JSON.stringify({ summary: null, headlines: { basic: 'Sharper headline', seo: 'Bridge vote' } }),
  })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { summary: null, canonicalUrl: 'https://news.example/a', headlines: { basic: 'Sharper headline', seo: 'Bridge vote' }, slug: json.slug })
  t.same(res.json().body, json.body)
  const empty = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${json.id}`, headers: { ...h.as.write, 'if-match': '2' }, payload: {} })
  t.equal(empty.statusCode, 400, 'an empty patch is an error')
})

t.test('two clients editing the same version: one wins, the other gets 412 with the current version', async (t) => {
  const h = await testApp(t)
  const { res, json } = await create(h)
  const etag = res.headers.etag!
  const edits = await Promise.all(
    ['Alpha', 'Beta'].map((summary) =>
      h.app.inject({ method: 'PATCH', url: `/v1/articles/${json.id}`, headers: { ...h.as.write, 'if-match': etag }, payload: { summary } }),
    ),
  )
  t.same(edits.map((e) => e.statusCode).sort(), [200, 412])
  const loser = edits.find((e) => e.statusCode === 412)!
  t.equal(loser.json().currentVersion, 2)
})

t.test('DELETE /v1/articles/:id needs If-Match and then removes the article', async (t) => {
  const h = await testApp(t)
  const { json } = await create(h)
  const url = `/v1/articles/${json.id}`
  t.equal((await h.app.inject({ method: 'DELETE', url, headers: h.as.write })).statusCode, 428)
  t.equal((await h.app.inject({ method: 'DELETE', url, headers: { ...h.as.write, 'if-match': '9' } })).statusCode, 412)
  t.equal((await h.app.inject({ method: 'DELETE', url, headers: h.as.read })).statusCode, 403)
  const del = await h.app.inject({ method: 'DELETE', url, headers: { ...h.as.write, 'if-match': '1' } })
  t.equal(del.statusCode, 204)
  t.equal(del.body, '')
  t.equal((await h.app.inject({ url, headers: h.as.write })).statusCode, 404)
  t.equal((await h.app.inject({ method: 'DELETE', url, headers: { ...h.as.write, 'if-match': '*' } })).statusCode, 404)
})

t.test('GET /v1/articles pages newest first with a next cursor and no repeats', async (t) => {
  const h = await testApp(t)
  const ids: string[] = []
  for (let i = 0; i < 7; i++) ids.push((await create(h, minimalArticle(`Story number ${i}`))).json.id)
  const seen: string[] = []
  let url = '/v1/articles?limit=3'
  for (;;) {
    const page = (await h.app.inject({ url, headers: h.as.write })).json()
    seen.push(...page.data.map((a: { id: string }) => a.id))
    if (!page.next) break
    // A story written while paging lands at the top and does not disturb later pages.
    if (seen.length === 3) await create(h, minimalArticle('Breaking while paging'))
    url = `/v1/articles?limit=3&cursor=${page.next}`
  }
  t.same(seen, [...ids].reverse())
})

t.test('GET /v1/articles validates limit and cursor', async (t) => {
  const h = await testApp(t)
  for (const q of ['limit=0', 'limit=101', 'limit=abc', 'cursor=not-ours', 'colour=red']) {
    const res = await h.app.inject({ url: `/v1/articles?${q}` })
    t.equal(res.statusCode, 400, q)
    t.equal(res.json().type, '/problems/validation', q)
  }
  const def = await h.app.inject({ url: '/v1/articles' })
  t.equal(def.statusCode, 200)
})

t.test('GET /v1/articles/:id returns 304 when If-None-Match matches, and a new ETag after a change', async (t) => {
  const h = await testApp(t)
  const { json } = await create(h)
  const url = `/v1/articles/${json.id}`
  const first = await h.app.inject({ url, headers: h.as.write })
  const etag = first.headers.etag!
  t.ok(first.headers['last-modified'])
  t.equal(first.headers['cache-control'], 'private, no-store')
  const cached = await h.app.inject({ url, headers: { ...h.as.write, 'if-none-match': etag } })
  t.equal(cached.statusCode, 304)
  t.equal(cached.body, '')
  t.equal(cached.headers.etag, etag)
  await h.app.inject({ method: 'PATCH', url, headers: { ...h.as.write, 'if-match': etag }, payload: { summary: 'Changed' } })
  const changed = await h.app.inject({ url, headers: { ...h.as.write, 'if-none-match': etag } })
  t.equal(changed.statusCode, 200)
  t.not(changed.headers.etag, etag)
})

t.test('GET /v1/articles carries an ETag and public caching for published content', async (t) => {
  const h = await testApp(t)
  const { json } = await create(h)
  await h.app.inject({ method: 'POST', url: `/v1/articles/${json.id}/publish`, headers: { ...h.as.write, 'if-match': '1' } })
  const list = await h.app.inject({ url: '/v1/articles' })
  t.match(list.headers.etag, /^"[0-9a-f]{27}"$/)
  t.equal(list.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300')
  t.match(list.headers.vary, /Authorization/)
  const again = await h.app.inject({ url: '/v1/articles', headers: { 'if-none-match': `W/${list.headers.etag}, "other"` } })
  t.equal(again.statusCode, 304)
})

// ---- formerly embeds.test.ts ----

/* Issue 11, defect 8: embed HTML is an iframe from a documented provider, sandboxed, or it is refused. */

const embed = (html: string, provider = 'youtube') => ({ ...minimalArticle(), body: [{ type: 'embed', provider, url: 'https://www.youtube.com/watch?v=abc', html }] })

t.test('embed HTML other than a sandboxed iframe from a known provider is a 400 naming the block', async (t) => {
  const h = await testApp(t)
  const bad = [
    '<script>alert(1)</script>',
    '<iframe src="https://evil.example/x"></iframe>',
    '<iframe src="http://www.youtube.com/embed/abc"></iframe>',
    '<iframe src="https://www.youtube.com/embed/abc" onload="alert(1)"></iframe>',
    '<iframe src="https://www.youtube.com/embed/abc" sandbox="allow-scripts allow-top-navigation"></iframe>',
    '<div><iframe src="https://www.youtube.com/embed/abc"></iframe></div>',
    'Some text <iframe src="https://www.youtube.com/embed/abc"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  ]
  for (const html of bad) {
    const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: embed(html) })
    t.equal(res.statusCode, 400, html)
    t.match(res.json().errors, [{ path: '/body/body/0/html' }], html)
  }
})

t.test('an iframe from a known provider is stored sandboxed; an embed without HTML is a link', async (t) => {
  const h = await testApp(t)
  const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: embed('<iframe src="https://www.youtube-nocookie.com/embed/abc" width="560" height="315" title="A clip" allowfullscreen></iframe>') })
  t.equal(res.statusCode, 201)
  const html = res.json().body[0].html as string
  t.match(html, /^<iframe src="https:\/\/www\.youtube-nocookie\.com\/embed\/abc" width="560" height="315" title="A clip" allowfullscreen( ="")? sandbox="allow-scripts allow-same-origin allow-popups allow-presentation"><\/iframe>$/)
  const own = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: embed('<iframe src="https://player.vimeo.com/video/1" sandbox="allow-scripts"></iframe>') })
  t.equal(own.json().body[0].html, '<iframe src="https://player.vimeo.com/video/1" sandbox="allow-scripts"></iframe>', 'a stricter sandbox of its own is kept')
  const link = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle(), body: [{ type: 'embed', provider: 'x', url: 'https://x.example/post/1' }] } })
  t.equal(link.statusCode, 201)
})

// ---- formerly slugs.test.ts ----

/* Issue 11, defect 8: a slug never shadows an article id (ids are UUIDv7, so no slug may look like a UUID). */

t.test('a slug shaped like an article id is a 400 on create and on change', async (t) => {
  const h = await testApp(t)
  const a = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle('First story') })).json()
  t.match(a.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'ids are UUIDv7')
  const taken = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle('Second story'), slug: a.id } })
  t.equal(taken.statusCode, 400)
  t.match(taken.json().errors, [{ path: '/body/slug', message: /looks like an article id/ }])
  const anyUuid = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle('Third story'), slug: '00000000-0000-4000-8000-000000000000' } })
  t.equal(anyUuid.statusCode, 400, 'any UUID shape, not only ids in use')
  const b = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle('Fourth story') })).json()
  const patched = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${b.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { slug: a.id } })
  t.equal(patched.statusCode, 400)
  t.equal((await h.app.inject({ url: `/v1/articles/${a.id}` , headers: h.as.write })).json().id, a.id, 'the first article is still reached by its id')
})

t.test('a slug equal to another article\'s id (ids from an archive need not be UUIDs) is a 409', async (t) => {
  const h = await testApp(t)
  const at = '2024-05-01T10:00:00.000Z'
  const article = {
    id: 'art-imported', slug: 'imported-story', type: 'news', status: 'draft', language: 'en', sectionId: null, headlines: { basic: 'Imported' }, summary: null,
    leadMedia: null, body: [], credits: [], topics: [], printEdition: null, corrections: [], canonicalUrl: null, wordCount: 0, contentHash: null, version: 1,
    createdAt: at, updatedAt: at, listedAt: at, firstPublishedAt: null, publishedAt: null, scheduledAt: null, embargoUntil: null,
  }
  const counts = { sections: 0, topics: 0, contributors: 0, media: 0, articles: 1, revisions: 0 }
  const lines = [{ kind: 'header', format: 'newsdesk-archive', version: 1, exportedAt: at, revisions: false, counts }, { kind: 'article', data: article }, { kind: 'end', records: 1 }]
  t.equal((await h.services.archive.importArchive([`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`])).failed, null)
  const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle(), slug: 'art-imported' } })
  t.equal(res.statusCode, 409)
  t.match(res.json().detail, /art-imported/)
})

// ---- formerly relatedBlocks.test.ts ----

/*
 * Issue 11, defect 6: a related block must name an article that exists, and
 * readers never learn the id of an article they cannot see: for them a related
 * block whose target is not visible is left out of the body.
 */

const related = (articleId: string) => ({ ...minimalArticle('Council approves harbour bridge'), body: [{ type: 'paragraph', html: 'Text.' }, { type: 'related', articleId }] })

async function post(h: TestApp, payload: object) {
  const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json() as { id: string; version: number }
}
const publish = (h: TestApp, id: string, version = 1) => h.app.inject({ method: 'POST', url: `/v1/articles/${id}/publish`, headers: { ...h.as.write, 'if-match': String(version) } })

t.test('a related block naming no article is a 400 naming the block, on create, replace and patch', async (t) => {
  const h = await testApp(t)
  const missing = '0190a2b4-0000-7000-8000-000000000000'
  const created = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: related(missing) })
  t.equal(created.statusCode, 400)
  t.match(created.json().errors, [{ path: '/body/body/1/articleId', message: /no article/ }])
  const a = await post(h, minimalArticle())
  const patched = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${a.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { body: related(missing).body } })
  t.equal(patched.statusCode, 400)
  t.match(patched.json().errors, [{ path: '/body/body/1/articleId' }])
  const replaced = await h.app.inject({ method: 'PUT', url: `/v1/articles/${a.id}`, headers: { ...h.as.write, 'if-match': '1' }, payload: { ...minimalArticle(), slug: 'x', type: 'news', language: 'en', sectionId: null, summary: null, leadMedia: null, body: related(missing).body, credits: [], topics: [], printEdition: null, canonicalUrl: null, embargoUntil: null } })
  t.equal(replaced.statusCode, 400)
})

t.test('readers never see the id of a draft in a related block; editors do; once published, readers do too', async (t) => {
  const h = await testApp(t)
  const draft = await post(h, minimalArticle('Secret draft'))
  const story = await post(h, related(draft.id))
  await publish(h, story.id)
  const ids = (body: string) => body.includes(draft.id)

  const anonymous = await h.app.inject({ url: `/v1/articles/${story.id}` })
  t.equal(anonymous.statusCode, 200)
  t.notOk(ids(anonymous.body), 'get: no trace of the draft')
  t.same(anonymous.json().body.map((b: { type: string }) => b.type), ['paragraph'], 'the block is left out')
  t.notOk(ids((await h.app.inject({ url: `/v1/articles/${story.id}`, headers: h.as.read })).body), 'read keys: the same')
  t.notOk(ids((await h.app.inject({ url: '/v1/articles' })).body), 'lists: the same')
  t.notOk(ids((await h.app.inject({ url: '/v1/articles?q=council' })).body), 'search: the same')
  t.ok(ids((await h.app.inject({ url: `/v1/articles/${story.id}`, headers: h.as.write })).body), 'editors see the block')

  await publish(h, draft.id)
  const after = await h.app.inject({ url: `/v1/articles/${story.id}` })
  t.match(after.json().body, [{ type: 'paragraph' }, { type: 'related', articleId: draft.id }], 'a published target is shown')
  t.not(after.headers.etag, anonymous.headers.etag, 'and the ETag changes with what readers see')
})
