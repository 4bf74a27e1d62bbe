import t from 'tap'
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith'
import { testApp } from '../../helpers.js'
import { newsroom, post } from '../../syndication.js'

const h = await testApp(t, { publicUrl: 'https://news.example' })
const room = await newsroom(h)
// A story in the world section's parent, and one elsewhere: a section feed takes its subsections, never its siblings.
const inNews = await post(h, '/v1/articles', { slug: 'in-news', sectionId: room.news.id, headlines: { basic: 'A story in news' }, body: [] })
await h.app.inject({ method: 'POST', url: `/v1/articles/${String(inNews.id)}/publish`, headers: { ...h.as.write, 'if-match': '1' } })
const inCulture = await post(h, '/v1/articles', { slug: 'in-culture', sectionId: room.culture.id, headlines: { basic: 'A story in culture' }, body: [] })
await h.app.inject({ method: 'POST', url: `/v1/articles/${String(inCulture.id)}/publish`, headers: { ...h.as.write, 'if-match': '1' } })

const FULL = 'Towns agree to share one ferry fleet'
const kinds = {
  latest: { url: '/v1/feeds/latest', titles: [FULL, 'A story in news', 'A story in culture'] },
  section: { url: `/v1/feeds/sections/${String(room.news.id)}`, titles: [FULL, 'A story in news'] },
  topic: { url: `/v1/feeds/topics/${String(room.person.slug)}`, titles: [FULL] },
  contributor: { url: `/v1/feeds/contributors/${String(room.reporter.slug)}`, titles: [FULL] },
}
const formats = {
  rss: { type: 'application/rss+xml', parse: (body: string) => parseRssFeed(body).items?.map((i) => i.title) },
  atom: { type: 'application/atom+xml', parse: (body: string) => parseAtomFeed(body).entries?.map((e) => (typeof e.title === 'string' ? e.title : e.title?.value)) },
  json: { type: 'application/feed+json', parse: (body: string) => parseJsonFeed(JSON.parse(body)).items?.map((i) => i.title) },
} as const

for (const [kind, feed] of Object.entries(kinds)) {
  t.test(`the ${kind} feed parses back in RSS, Atom and JSON Feed with its published articles only`, async (t) => {
    for (const [format, { type, parse }] of Object.entries(formats)) {
      for (const headers of [{ accept: type }, h.as.write]) {
        const res = await h.app.inject({ url: `${feed.url}${'accept' in headers ? '' : `?format=${format}`}`, headers })
        t.equal(res.statusCode, 200, `${kind} ${format}`)
        t.match(res.headers['content-type'], new RegExp(`^${type.replace(/[+]/g, '\\+')}`))
        t.match(res.headers.vary, /\bAccept\b/)
        t.match(res.headers['surrogate-key'], /\barticles\b/)
        t.notMatch(res.body, /SECRET/, 'no draft, scheduled or embargoed article, even for a write key')
        const titles = parse(res.body)
        for (const title of feed.titles) t.ok(titles?.includes(title), `${kind} ${format} lists "${title}"`)
        if (kind !== 'latest') t.equal(titles?.length, feed.titles.length, `${kind} ${format}: only its own articles`)
      }
    }
  })
}

t.test('items carry the page link, the lead photo as an enclosure, and the whole body with full=true', async (t) => {
  const rss = parseRssFeed((await h.app.inject({ url: `${kinds.topic.url}?format=rss&full=true` })).body)
  const item = rss.items![0]!
  t.equal(item.link, `https://news.example/v1/articles/harbour-ferry-deal`)
  t.match(item.enclosures?.[0], { url: 'https://cdn.example/lead.jpg', type: 'image/jpeg', length: 123456 })
  t.match(item.content?.encoded, /<p>The agreement was signed on <b>Monday<\/b>/)
  t.match(item.description, /pool their boats/)
  const short = parseRssFeed((await h.app.inject({ url: `${kinds.topic.url}?format=rss` })).body)
  t.notOk(short.items![0]!.content?.encoded, 'without full=true: the standfirst only')

  const atom = parseAtomFeed((await h.app.inject({ url: `${kinds.topic.url}?format=atom&full=true` })).body)
  t.ok(atom.entries![0]!.links?.some((l) => l.rel === 'enclosure' && l.href === 'https://cdn.example/lead.jpg'))
  t.match(atom.entries![0]!.content, { type: 'html', value: /What changes/ })

  const json = JSON.parse((await h.app.inject({ url: `${kinds.topic.url}?format=json&full=true` })).body)
  t.equal(json.version, 'https://jsonfeed.org/version/1.1')
  t.match(json.items[0], { image: 'https://cdn.example/lead.jpg', authors: [{ name: 'Lena Marsh' }], summary: String, content_html: /What changes/, language: 'en' })
})

t.test('a feed answers 304 to its ETag, and changes when an article in it does', async (t) => {
  const first = await h.app.inject({ url: `${kinds.section.url}?format=atom` })
  const again = await h.app.inject({ url: `${kinds.section.url}?format=atom`, headers: { 'if-none-match': String(first.headers.etag) } })
  t.equal(again.statusCode, 304)
  t.equal(again.body, '')
  t.not((await h.app.inject({ url: `${kinds.section.url}?format=rss` })).headers.etag, first.headers.etag, 'each format has its own tag')
  const current = (await h.app.inject({ url: `/v1/articles/in-news`, headers: h.as.write })).json()
  await h.app.inject({ method: 'PATCH', url: '/v1/articles/in-news', headers: { ...h.as.write, 'if-match': String(current.version) }, payload: { summary: 'Now with a standfirst.' } })
  const changed = await h.app.inject({ url: `${kinds.section.url}?format=atom`, headers: { 'if-none-match': String(first.headers.etag) } })
  t.equal(changed.statusCode, 200)
  t.match(changed.body, /Now with a standfirst/)
  const repeat = await h.app.inject({ url: `${kinds.section.url}?format=atom` })
  t.equal(repeat.body, changed.body, 'an unchanged feed is the same document (served again, not rebuilt)')
  t.equal(repeat.headers.etag, changed.headers.etag)
  const renamed = (await h.app.inject({ url: `/v1/articles/in-news`, headers: h.as.write })).json()
  await h.app.inject({ method: 'PATCH', url: '/v1/articles/in-news', headers: { ...h.as.write, 'if-match': String(renamed.version) }, payload: { summary: 'A second standfirst.' } })
  t.match((await h.app.inject({ url: `${kinds.section.url}?format=atom` })).body, /A second standfirst/, 'and a change is never hidden by a feed built before it')
})

t.test('an unknown section, topic or contributor is a 404; an unknown format a 406 or a 400', async (t) => {
  for (const url of ['/v1/feeds/sections/nope', '/v1/feeds/topics/nope', '/v1/feeds/contributors/nope']) {
    const res = await h.app.inject({ url })
    t.equal(res.statusCode, 404, url)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
  }
  const res = await h.app.inject({ url: '/v1/feeds/latest', headers: { accept: 'text/html' } })
  t.equal(res.statusCode, 406)
  t.match(res.json(), { accepted: ['application/rss+xml', 'application/atom+xml', 'application/feed+json'] })
  t.equal((await h.app.inject({ url: '/v1/feeds/latest?format=csv' })).statusCode, 400)
  t.equal((await h.app.inject({ url: '/v1/feeds/latest?limit=0' })).statusCode, 400)
  t.equal((await h.app.inject({ url: '/v1/feeds/latest?limit=1' })).statusCode, 200)
  t.match((await h.app.inject({ url: '/v1/feeds/latest', headers: { accept: '*/*' } })).headers['content-type'], /^application\/rss\+xml/, 'RSS when anything goes')
  t.match((await h.app.inject({ url: '/v1/feeds/latest', headers: { accept: 'application/json' } })).headers['content-type'], /^application\/feed\+json/, 'JSON Feed for a JSON client')
  for (const accept of ['application/xml', 'text/xml']) {
    t.match((await h.app.inject({ url: '/v1/feeds/latest', headers: { accept } })).headers['content-type'], /^application\/rss\+xml/, `RSS for a reader that accepts only ${accept}`)
  }
})
