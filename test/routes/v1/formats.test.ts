import t from 'tap'
import { testApp } from '../../helpers.js'
import { newsroom, ninjsValidators, post, skipUnlessStandards } from '../../syndication.js'
import { samplePages } from '../../samples.js'

const h = await testApp(t, { publicUrl: 'https://news.example/', articleUrlTemplate: '{base}/{section}/{yyyy}/{mm}/{dd}/{slug}' })
const room = await newsroom(h)
const validate = ninjsValidators()
type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const NINJS = 'application/vnd.iptc.ninjs+json'
const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ url, headers })
const published = [room.full, ...room.samples]
const day = String(room.full.firstPublishedAt).slice(0, 10).replace(/-/g, '/')

t.test('every published article, the sample stories among them, validates as ninjs 2.2 and 3.1 against the official schemas', { skip: skipUnlessStandards() }, async (t) => {
  t.ok(room.samples.length >= 1, 'the sample pages were imported')
  for (const article of published) {
    for (const [accept, version] of [[NINJS, '2'], [`${NINJS}; version=3`, '3']] as const) {
      const res = await get(`/v1/articles/${article.id}`, { accept })
      t.equal(res.statusCode, 200)
      t.match(res.headers['content-type'], new RegExp(`^${NINJS.replace(/[.+]/g, '\\$&')}; version="?${version === '2' ? '2.2' : '3.1'}`))
      const doc = res.json()
      const ok = validate[version](doc)
      t.ok(ok, `${String(article.slug)} as ninjs ${version}: ${JSON.stringify(validate[version].errors?.slice(0, 3))}`)
    }
  }
})

t.test('ninjs carries headlines by role, bodies, typed topics, by, infosources, associations and the publication state', async (t) => {
  const doc = (await get(`/v1/articles/${room.full.id}?format=ninjs`)).json()
  t.equal(doc.uri, `https://news.example/v1/articles/${room.full.id}`)
  t.same(doc.standard, { name: 'ninjs', version: '2.2', schema: 'http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json#' })
  t.same(doc.headlines.map((x: Json) => x.role), ['basic', 'print', 'seo', 'social'])
  t.same(doc.bodies.map((x: Json) => x.contenttype), ['text/html', 'text/plain'])
  t.match(doc.bodies[0].value, /<p>The agreement was signed on <b>Monday<\/b> &amp; takes effect in spring\.<\/p>/)
  t.notMatch(doc.bodies[0].value, /mid-1/, 'ad slots are left out')
  t.match(doc.bodies[1].value, /^The agreement was signed on Monday & takes effect in spring\.\nWhat changes/)
  t.equal(doc.descriptions[0].value, 'The two towns will pool their boats from next spring.')
  t.same(doc.people.map((x: Json) => [x.name, x.rel]), [['Ines Calloway', 'primary']])
  t.same(doc.places.map((x: Json) => x.name), ['Port Avery'])
  t.same(doc.organisations.map((x: Json) => x.name), ['Harbour Board'])
  t.same(doc.subjects.map((x: Json) => x.name), ['Transport'])
  t.same(doc.events.map((x: Json) => x.name), ['Harbour Festival'])
  t.equal(doc.by, 'Lena Marsh')
  t.same(doc.infosources, [{ name: 'Associated Press', role: 'additional-reporting', uri: 'https://news.example/v1/contributors/associated-press', literal: 'associated-press' }])
  t.match(doc, { pubstatus: 'usable', version: String(room.full.version), firstcreated: room.full.createdAt, contentcreated: room.full.firstPublishedAt })
  t.same(doc.associations.map((x: Json) => [x.name, x.type]), [['lead', 'picture'], ['image-1', 'picture'], ['video-1', 'video'], ['video-2', 'video']])
  t.match(doc.associations[0], { descriptions: [{ role: 'caption', value: 'The east pier at dawn.' }], by: 'AP', copyrightnotice: '© AP' })
  t.same(doc.associations[0].renditions.map((r: Json) => [r.name, r.href]), [['original', 'https://cdn.example/lead.jpg'], ['thumb', 'https://cdn.example/lead-300.jpg']])
  t.same(doc.altids, [{ role: 'webpage', value: `https://news.example/news/world/${day}/harbour-ferry-deal` }])

  const v3 = (await get(`/v1/articles/${room.full.id}?format=ninjs3`)).json()
  t.match(v3, { pubStatus: 'usable', firstCreated: room.full.createdAt, infoSources: [{ name: 'Associated Press' }] })
  t.notOk('pubstatus' in v3)
  t.equal(v3.associations[0].rel, 'lead')
  const embargoed = (await get(`/v1/articles/${room.embargoed.id}?format=ninjs3`, h.as.write)).json()
  t.ok(validate['3'](embargoed))
  t.equal(embargoed.embargoedUntil, room.embargoed.embargoUntil, 'an editor sees the embargo')
})

t.test('a ninjs 3 profile is asked for by version or by the schema URI; an unknown version is a 406', async (t) => {
  for (const accept of [`${NINJS}; version=3`, `${NINJS}; version="3.1"`, `${NINJS}; profile="http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"`]) {
    t.equal((await get(`/v1/articles/${room.full.slug}`, { accept })).json().standard.version, '3.1', accept)
  }
  t.equal((await get(`/v1/articles/${room.full.slug}`, { accept: NINJS })).json().standard.version, '2.2', 'ninjs 2 by default')
  t.equal((await get(`/v1/articles/${room.full.slug}`, { accept: `${NINJS}; version=1` })).statusCode, 406)
})

t.test('JSON-LD is a NewsArticle with everything Google recommends', async (t) => {
  const res = await get(`/v1/articles/${room.full.slug}`, { accept: 'application/ld+json' })
  t.equal(res.statusCode, 200)
  const profiled = await get(`/v1/articles/${room.full.slug}`, { accept: 'application/ld+json; profile="https://schema.org"' })
  t.equal(profiled.body, res.body, 'a JSON-LD profile in Accept gets the same document, not a 406')
  t.match(res.headers['content-type'], /^application\/ld\+json/)
  const doc = res.json()
  const page = `https://news.example/news/world/${day}/harbour-ferry-deal`
  t.match(doc, {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    url: page,
    mainEntityOfPage: { '@id': page },
    headline: 'Towns agree to share one ferry fleet',
    datePublished: room.full.firstPublishedAt,
    dateModified: room.full.updatedAt,
    author: [{ '@type': 'Person', name: 'Lena Marsh', url: 'https://news.example/v1/contributors/lena-marsh' }],
    contributor: [{ '@type': 'Organization', name: 'Associated Press' }],
    publisher: { '@type': 'Organization', name: 'Newsdesk', url: 'https://news.example' },
    articleSection: 'World',
    keywords: ['Ines Calloway', 'Port Avery', 'Harbour Board', 'Transport', 'Harbour Festival'],
    printEdition: 'Port Avery Courier, 2024-05-02',
    printSection: 'Front',
    printPage: 'A1',
    correction: [{ '@type': 'CorrectionComment', text: 'An earlier version named the wrong pier.' }],
    isAccessibleForFree: true,
    inLanguage: 'en',
  })
  t.same(doc.image.map((i: Json) => i.url), ['https://cdn.example/lead.jpg', 'https://cdn.example/body.jpg'], 'images, lead first')
  t.match(doc.video, [
    { '@type': 'VideoObject', name: 'A morning crossing', contentUrl: 'https://cdn.example/crossing.mp4', thumbnailUrl: ['https://cdn.example/crossing.jpg'], duration: 'PT1M35S' },
    { '@type': 'VideoObject', name: 'The harbour from above', embedUrl: 'https://www.youtube.com/watch?v=abc' },
  ])
  const pages = samplePages.filter((p) => p.text !== null)
  for (const [i, sample] of room.samples.entries()) {
    const want = pages[i]!.expect
    const ld = (await get(`/v1/articles/${sample.id}?format=jsonld`)).json()
    t.match(ld, {
      '@type': 'NewsArticle',
      headline: want.headline,
      description: want.summary,
      datePublished: sample.firstPublishedAt,
      dateModified: sample.updatedAt,
      publisher: { name: 'Newsdesk' },
      keywords: [want.label],
      printEdition: want.publication,
      isAccessibleForFree: true,
      video: [{ '@type': 'VideoObject', name: want.videoTitle }],
    })
    t.same(ld.image.map((img: Json) => img.creditText), [want.leadCredit, ...want.imageCredits], `${pages[i]!.origin} sample: every photo, lead first`)
    t.ok(ld.author.length >= 1, 'an author: the byline, else the agency, else the publisher')
    t.ok([...ld.author, ...(ld.contributor ?? [])].some((c: Json) => c['@type'] === 'Organization' && c.name === want.agency), 'the wire agency is an Organization')
  }
})

t.test('each format has its own ETag, answers 304 without a body, and says Vary: Accept', async (t) => {
  const tags = new Set<string>()
  for (const accept of ['application/json', 'application/ld+json', NINJS, `${NINJS}; version=3`]) {
    const res = await get(`/v1/articles/${room.full.id}`, { accept })
    t.match(res.headers.vary, /\bAccept\b/)
    t.match(res.headers.etag, new RegExp(`^"${String(room.full.version)}-[0-9a-f]{16}"$`))
    tags.add(String(res.headers.etag))
    const again = await get(`/v1/articles/${room.full.id}`, { accept, 'if-none-match': String(res.headers.etag) })
    t.equal(again.statusCode, 304, accept)
    t.equal(again.body, '')
    t.equal(again.headers.etag, res.headers.etag)
  }
  t.equal(tags.size, 4)
  const json = await get(`/v1/articles/${room.full.id}`)
  t.equal((await get(`/v1/articles/${room.full.id}?format=jsonld`, { 'if-none-match': String(json.headers.etag) })).statusCode, 200, "the JSON tag does not match another format's")
  t.equal((await get(`/v1/articles/${room.full.slug}?format=jsonld`)).headers.etag, (await get(`/v1/articles/${room.full.id}`, { accept: 'application/ld+json' })).headers.etag, 'by slug or id, by query or Accept: one tag')
})

t.test('what we cannot produce is a 406 problem listing what we can; a browser gets JSON; a bad format is a 400', async (t) => {
  const res = await get(`/v1/articles/${room.full.id}`, { accept: 'application/xml' })
  t.equal(res.statusCode, 406)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.match(res.json(), { type: '/problems/not-acceptable', status: 406, accepted: ['application/json', 'application/ld+json', `${NINJS}; version=2`, `${NINJS}; version=3`] })
  t.equal((await get('/v1/articles', { accept: 'text/csv' })).statusCode, 406)
  const browser = await get(`/v1/articles/${room.full.id}`, { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' })
  t.equal(browser.statusCode, 200)
  t.match(browser.headers['content-type'], /^application\/json/)
  t.equal((await get(`/v1/articles/${room.full.id}`, { accept: 'application/json; charset=utf-8' })).statusCode, 200)
  t.equal((await get(`/v1/articles/${room.full.id}?format=xml`)).statusCode, 400)
  t.equal((await get(`/v1/articles/${room.full.id}?format=jsonld`, { accept: 'application/xml' })).statusCode, 200, '?format= wins over Accept')
})

t.test('lists come as a JSON-LD ItemList and as ninjs packages that validate', { skip: skipUnlessStandards() }, async (t) => {
  const ld = (await get('/v1/articles?limit=50', { accept: 'application/ld+json' })).json()
  t.equal(ld['@type'], 'ItemList')
  t.same(ld.itemListElement.map((e: Json) => e.item.identifier).sort(), published.map((a) => a.id).sort())
  for (const [format, version] of [['ninjs', '2'], ['ninjs3', '3']] as const) {
    const res = await get(`/v1/articles?limit=50&format=${format}`)
    t.match(res.headers.vary, /\bAccept\b/)
    const doc = res.json()
    t.ok(validate[version](doc), `${format} package: ${JSON.stringify(validate[version].errors?.slice(0, 3))}`)
    t.equal(doc.type, 'composite')
    t.equal(doc.associations.length, published.length)
    const again = await get(`/v1/articles?limit=50&format=${format}`, { 'if-none-match': String(res.headers.etag) })
    t.equal(again.statusCode, 304)
  }
})

t.test('drafts, scheduled and embargoed articles never appear in any format to readers', async (t) => {
  for (const hidden of [room.draft, room.scheduled, room.embargoed]) {
    for (const format of ['json', 'jsonld', 'ninjs', 'ninjs3']) {
      for (const headers of [{}, h.as.read]) {
        t.equal((await get(`/v1/articles/${hidden.id}?format=${format}`, headers)).statusCode, 404, `${String(hidden.slug)} as ${format}`)
        t.equal((await get(`/v1/articles/${hidden.slug}?format=${format}`, { ...headers, 'if-none-match': '*' })).statusCode, 404)
      }
    }
  }
  for (const format of ['json', 'jsonld', 'ninjs', 'ninjs3']) {
    const body = (await get(`/v1/articles?limit=100&format=${format}`)).body
    t.notMatch(body, /SECRET/, `the ${format} list`)
  }
  t.equal((await get(`/v1/articles/${room.draft.id}?format=ninjs`, h.as.write)).json().pubstatus, 'withheld', 'an editor sees a draft as withheld')
})

t.test('JSON-LD and ninjs escape every < so that a headline holding </script> cannot end the script a site embeds them in', async (t) => {
  const draft = await post(h, '/v1/articles', { headlines: { basic: 'Why </script><script>alert(1)</script> is news' }, body: [] })
  const res = await h.app.inject({ method: 'POST', url: `/v1/articles/${String(draft.id)}/publish`, headers: { ...h.as.write, 'if-match': String(draft.version) } })
  t.equal(res.statusCode, 200)
  for (const format of ['jsonld', 'ninjs', 'ninjs3']) {
    const doc = await get(`/v1/articles/${String(draft.id)}?format=${format}`)
    t.notMatch(doc.body, /</, `${format}: no < in the bytes`)
    t.match(JSON.stringify(doc.json()), /Why <\/script><script>alert\(1\)<\/script> is news/, `${format}: the same headline to a JSON parser`)
  }
})

t.test('a list in any format names its next page in a Link header; fields, include and total are a 400 outside JSON, not dropped', async (t) => {
  const first = await get('/v1/articles?limit=1&format=jsonld')
  t.equal(first.statusCode, 200)
  const link = /^<([^>]+)>; rel="next"$/.exec(String(first.headers.link))
  t.ok(link, `Link: ${String(first.headers.link)}`)
  t.match(link![1], /^\/v1\/articles\?limit=1&format=jsonld&cursor=/, 'the same request with its cursor')
  const second = await get(link![1]!)
  t.equal(second.statusCode, 200)
  t.not(second.json().itemListElement[0].item.url, first.json().itemListElement[0].item.url, 'the next page holds the next article')
  const json = await get('/v1/articles?limit=1')
  t.equal(new URLSearchParams(/<([^>]+)>/.exec(String(json.headers.link))![1]!.split('?')[1]).get('cursor'), json.json().next, 'JSON lists carry it too, with the body\'s next cursor')
  const last = await get('/v1/articles?limit=100&format=ninjs')
  t.equal(last.headers.link, undefined, 'no Link on the last page')
  for (const query of ['fields=headlines', 'include=sections', 'total=true']) {
    const res = await get(`/v1/articles?format=ninjs&${query}`)
    t.equal(res.statusCode, 400, `${query} with format=ninjs`)
    t.equal(res.json().errors[0].path, `/query/${query.split('=')[0]}`)
  }
  t.equal((await get('/v1/articles?format=jsonld&total=false')).statusCode, 200, 'total=false asks for nothing')
})
