import t from 'tap'
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith'
import { testApp } from '../../../helpers.js'
import { post } from '../../../syndication.js'

// Links go to the site's article pages (ARTICLE_URL_TEMPLATE) under PUBLIC_URL, whatever address the request came to.
const h = await testApp(t, { publicUrl: 'https://news.example', articleUrlTemplate: 'https://www.news.example/{section}/{slug}' })

const world = await post(h, '/v1/sections', { name: 'World', slug: 'world' })
const port = await post(h, '/v1/topics', { kind: 'place', name: 'Port Avery' })
const lena = await post(h, '/v1/contributors', { kind: 'person', name: 'Lena Marsh' })
const photo = await post(h, '/v1/media', { kind: 'image', url: 'https://cdn.example/lead.jpg', mimeType: 'image/jpeg', width: 1200, height: 800, sizeBytes: 123456, caption: 'The east pier.' })
const publish = async (article: Record<string, unknown>) => {
  const res = await h.app.inject({ method: 'POST', url: `/v1/articles/${String(article.id)}/publish`, headers: { ...h.as.write, 'if-match': '*' } })
  if (res.statusCode !== 200) throw new Error(`publish: ${res.statusCode} ${res.body}`)
}
const ferry = await post(h, '/v1/articles', {
  slug: 'ferry-deal',
  sectionId: world.id,
  headlines: { basic: 'Towns agree to share one ferry fleet' },
  summary: 'The two towns will pool their boats.',
  leadMedia: { mediaId: photo.id },
  topics: [{ topicId: port.id }],
  credits: [{ contributorId: lena.id, role: 'byline' }],
  body: [{ type: 'paragraph', html: 'Signed on Monday.' }],
})
await publish(ferry)
const pier = await post(h, '/v1/articles', {
  slug: 'pier-reopens',
  headlines: { basic: 'The pier reopens' },
  canonicalUrl: 'https://partner.example/stories/pier',
  topics: [{ topicId: port.id }],
  body: [{ type: 'paragraph', html: 'Open again.' }],
})
await publish(pier)

const reader = await post(h, '/v1/readers', {})
const auth = { authorization: `Bearer ${String(reader.token)}` }
for (const [kind, target] of [['topic', port.slug], ['contributor', lena.slug]]) {
  const res = await h.app.inject({ method: 'POST', url: '/v1/me/follows', headers: auth, payload: { kind, target } })
  if (res.statusCode !== 201) throw new Error(`follow: ${res.statusCode} ${res.body}`)
}
const urls = (await h.app.inject({ method: 'PUT', url: '/v1/me/feed-token', headers: auth })).json() as { token: string; rss: string; atom: string; json: string }
const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ url, headers })

const FORMATS = { rss: 'application/rss+xml', atom: 'application/atom+xml', json: 'application/feed+json' } as const
type Format = keyof typeof FORMATS
/** Each format parsed back (feedsmith) to its items, with the item's id, link and category names picked out. */
const parse: Record<Format, (body: string) => { id: string; link: string | undefined; categories: string[]; item: Record<string, unknown> }[]> = {
  rss: (body) => (parseRssFeed(body).items ?? []).map((i) => ({ id: String(i.guid?.value), link: i.link, categories: (i.categories ?? []).map((c) => String(c.name)), item: i as Record<string, unknown> })),
  atom: (body) =>
    (parseAtomFeed(body).entries ?? []).map((e) => ({ id: String(e.id), link: e.links?.find((l) => l.rel === undefined || l.rel === 'alternate')?.href, categories: (e.categories ?? []).map((c) => String(c.label)), item: e as Record<string, unknown> })),
  json: (body) => (parseJsonFeed(JSON.parse(body)).items ?? []).map((i) => ({ id: String(i.id), link: i.url, categories: i.tags ?? [], item: i as Record<string, unknown> })),
}
const withoutCategories = ({ categories, tags, ...rest }: Record<string, unknown>) => (void categories, void tags, rest)
const byId = <T extends { id: string }>(items: T[]) => new Map(items.map((i) => [i.id, i]))
const urn = (article: Record<string, unknown>) => `urn:uuid:${String(article.id)}`

t.test('the private feed parses back in RSS, Atom and JSON Feed, its items rendered as the public feeds render them', async (t) => {
  t.match(urls, { rss: /\/rss$/, atom: /\/atom$/, json: /\/json$/ }, 'the token answer names a URL for each format')
  for (const format of Object.keys(FORMATS) as Format[]) {
    const res = await get(urls[format])
    t.equal(res.statusCode, 200, format)
    t.match(res.headers['content-type'], new RegExp(`^${FORMATS[format].replace('+', '\\+')}`))
    const items = parse[format](res.body)
    t.same(items.map((i) => i.id), [urn(pier), urn(ferry)], `${format}: the followed stories, newest first`)
    const published = byId(parse[format]((await get(`/v1/feeds/topics/${String(port.slug)}?format=${format}`)).body))
    for (const item of items) t.same(withoutCategories(item.item), withoutCategories(published.get(item.id)!.item), `${format}: ${item.id} is the public feed's item but for its categories`)
  }
  const rss = parseRssFeed((await get(urls.rss)).body).items!.find((i) => i.guid?.value === urn(ferry))!
  t.match(rss, { description: 'The two towns will pool their boats.', authors: [{ name: 'Lena Marsh' }], enclosures: [{ url: 'https://cdn.example/lead.jpg', type: 'image/jpeg', length: 123456 }] })
  t.equal(JSON.parse((await get(urls.json)).body).version, 'https://jsonfeed.org/version/1.1')
})

t.test('items link to the article page from ARTICLE_URL_TEMPLATE, or to the canonicalUrl an article has', async (t) => {
  for (const format of Object.keys(FORMATS) as Format[]) {
    const items = byId(parse[format]((await get(urls[format])).body))
    t.equal(items.get(urn(ferry))?.link, 'https://www.news.example/world/ferry-deal', `${format}: the template`)
    t.equal(items.get(urn(pier))?.link, 'https://partner.example/stories/pier', `${format}: the canonicalUrl`)
  }
})

t.test('links use PUBLIC_URL and ignore a forged Host header', async (t) => {
  const forged = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' }
  for (const format of Object.keys(FORMATS) as Format[]) {
    const honest = await get(urls[format])
    const res = await get(urls[format], forged)
    t.equal(res.statusCode, 200)
    t.notMatch(res.body, /evil\.example/, `${format}: no link names the forged host`)
    t.match(res.body, `https://news.example/v1/me/private-feed/${urls.token}/${format}`, `${format}: its own address is under PUBLIC_URL`)
    t.equal(res.body, honest.body, `${format}: the same document whatever the Host`)
    t.equal(res.headers.etag, honest.headers.etag)
  }
})

t.test('the follows each item matched are its categories, in every format', async (t) => {
  for (const format of Object.keys(FORMATS) as Format[]) {
    const items = byId(parse[format]((await get(urls[format])).body))
    t.same(items.get(urn(ferry))?.categories, ['Port Avery', 'Lena Marsh'], `${format}: the topic and the byline it matched`)
    t.same(items.get(urn(pier))?.categories, ['Port Avery'], `${format}: only the topic`)
  }
  const before = await get(urls.atom)
  const follows = (await h.app.inject({ url: '/v1/me/follows', headers: auth })).json() as { data: { id: string; kind: string }[] }
  const contributor = follows.data.find((f) => f.kind === 'contributor')!
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/me/follows/${contributor.id}`, headers: auth })).statusCode, 204)
  const after = await get(urls.atom, { 'if-none-match': String(before.headers.etag) })
  t.equal(after.statusCode, 200, 'an unfollow changes the feed: no 304 for the old tag')
  t.same(byId(parse.atom(after.body)).get(urn(ferry))?.categories, ['Port Avery'])
  await h.app.inject({ method: 'POST', url: '/v1/me/follows', headers: auth, payload: { kind: 'contributor', target: lena.slug } })
})

t.test('every format stays private: Cache-Control private, an ETag and 304, and a revoked token is 404', async (t) => {
  for (const format of Object.keys(FORMATS) as Format[]) {
    const res = await get(urls[format])
    t.equal(res.headers['cache-control'], 'private, no-cache', format)
    t.match(res.headers.etag, /^"/)
    t.equal((await get(urls[format], { 'if-none-match': String(res.headers.etag) })).statusCode, 304, `${format}: 304 while unchanged`)
  }
  t.equal((await get(urls.atom.replace(urls.token, `${urls.token}x`))).statusCode, 404, 'another token opens nothing')
  t.equal((await h.app.inject({ method: 'DELETE', url: '/v1/me/feed-token', headers: auth })).statusCode, 204)
  for (const format of Object.keys(FORMATS) as Format[]) t.equal((await get(urls[format])).statusCode, 404, `${format}: revoked`)
})
