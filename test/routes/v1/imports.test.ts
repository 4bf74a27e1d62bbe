import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { testApp, type TestApp } from '../../helpers.js'
import { samplePages, skipUnlessPresent, textOf } from '../../samples.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const fixturesDir = join(root, 'test/fixtures/ingest')

/** A short story written for these tests. */
const story = [
  'Harbour ferry adds two early sailings from Monday',
  '',
  'The operator will run boats at 5.40am and 6.10am on weekdays, the port authority said on Friday.',
  '',
  'By Lena Marsh',
  '',
  'Commuters had asked for earlier sailings for years, and the council backed the change in March.',
  '',
  'A ferry leaves the east pier at dawn. Photo: Port Authority',
  '',
  'Tickets for the new sailings cost the same as for the others.',
  '',
].join('\n')

interface Block {
  type: string
  html?: string
  text?: string
  title?: string
  slot?: string
  caption?: string
  credit?: string
  mediaId?: string
  media?: { kind: string; caption: string | null; credit: string | null }
}

function post(h: TestApp, payload: string | Buffer | object, options: { query?: string; headers?: Record<string, string>; contentType?: string } = {}) {
  const contentType = options.contentType ?? (typeof payload === 'object' && !Buffer.isBuffer(payload) ? 'application/json' : 'text/plain; charset=utf-8')
  return h.app.inject({
    method: 'POST',
    url: `/v1/imports${options.query ?? ''}`,
    headers: { ...h.as.write, 'content-type': contentType, ...options.headers },
    payload: payload as string,
  })
}

/** How many media items, topics, contributors and articles the catalogue holds. */
async function counts(h: TestApp) {
  const count = async (url: string) => (await h.app.inject({ url: `${url}?limit=100`, headers: h.as.write })).json().data.length as number
  return { media: await count('/v1/media'), topics: await count('/v1/topics'), contributors: await count('/v1/contributors'), articles: await count('/v1/articles') }
}

// Whole sample pages (test/samples.ts): ours, and the shared third-party page when it is beside the repository.
for (const page of samplePages) {
  t.test(`the ${page.origin} sample page imports to a draft with every part in its own field`, { skip: skipUnlessPresent(page) }, async (t) => {
    const sample = textOf(page)
    const want = page.expect
    const h = await testApp(t)
    const res = await post(h, sample)
    t.equal(res.statusCode, 201)
    const result = res.json()
    const a = result.article
    t.equal(result.created, true)
    t.equal(res.headers.location, `/v1/articles/${a.id}`)
    t.match(a, { status: 'draft', type: 'news', version: 1 })

    t.equal(a.headlines.basic, want.headline)
    t.equal(a.headlines.print, want.printHeadline, 'the print-edition headline')
    t.same(a.printEdition, { publication: want.publication })
    t.same(
      a.topics.map((x: { name: string; primary: boolean }) => [x.name, x.primary]),
      [[want.label, true]],
      'the topic label is the primary topic',
    )
    t.equal(a.summary, want.summary)

    t.match(a.leadMedia, {
      caption: want.leadCaption,
      credit: want.leadCredit,
      media: { kind: 'image', credit: want.leadCredit },
    })
    const body: Block[] = a.body
    const paragraphs = body.filter((b) => b.type === 'paragraph')
    t.equal(paragraphs.length, want.paragraphs)
    t.match(paragraphs[0]!.html, want.firstParagraph)
    t.match(paragraphs.at(-1)!.html, want.lastParagraph)
    const images = body.filter((b) => b.type === 'image')
    t.same(
      images.map((b) => b.credit),
      want.imageCredits,
      'the body photos with their credits',
    )
    t.ok(images.every((b) => b.caption && !/Photo:/.test(b.caption) && b.media?.kind === 'image'), 'captions without the credit, each a media item')
    t.not(images[0]!.mediaId, a.leadMedia.mediaId, 'the lead photo is not repeated in the body')
    t.match(
      body.filter((b) => b.type === 'video'),
      [{ title: want.videoTitle, media: { kind: 'video' } }],
      'the video teaser',
    )
    t.same(body.filter((b) => b.type === 'ad').map((b) => b.slot), ['ad-1', 'ad-2'], 'the ad slots')
    t.same(
      a.credits.map((c: { role: string; contributor: { name: string; kind: string } }) => [c.contributor.name, c.role, c.contributor.kind]),
      [[want.agency, 'additional-reporting', 'agency']],
      'the wire credit',
    )

    const json = JSON.stringify(a)
    for (const chrome of ['myNEWS', 'Learn more', 'A personalised news feed', 'Advertisement', 'Watch:', 'Photo:', 'With additional reporting', 'This article appeared']) {
      t.notOk(json.includes(chrome), `no "${chrome}" in the article`)
    }
    t.notOk(
      body.some((b) => [b.html, b.text, b.title, b.caption].some((s) => s?.trim() === want.trailingFragment)),
      `the trailing "${want.trailingFragment}" fragment is dropped`,
    )
    t.notOk(paragraphs.at(-1)!.html!.endsWith(want.trailingFragment))

    const read = await h.app.inject({ url: `/v1/articles/${a.id}`, headers: h.as.write })
    t.same(read.json(), a, 'the article reads back as the import returned it')
    t.equal(result.parse.headline, a.headlines.basic)
    t.equal(result.report.lines.length, sample.replace(/\r\n?/g, '\n').split('\n').length, 'a report line for every line')
    t.match(result.suggestions, [{ name: want.label, count: want.labelMentions }])
  })

  t.test(`importing the ${page.origin} sample page again returns the first article and creates nothing`, { skip: skipUnlessPresent(page) }, async (t) => {
    const sample = textOf(page)
    const want = page.expect
    const h = await testApp(t)
    const first = await post(h, sample)
    const before = await counts(h)
    const photos = want.imageCredits.length + 1
    t.same(before, { media: photos + 1, topics: 1, contributors: 1, articles: 1 }, `${photos} photos and a video, one topic, one agency`)

    const again = await post(h, { text: sample.replace(/\n/g, '\r\n') })
    t.equal(again.statusCode, 200)
    t.equal(again.json().created, false)
    t.equal(again.headers.location, undefined)
    t.same(again.json().article, first.json().article, 'the earlier article')
    t.same(await counts(h), before, 'no duplicate media, topics, contributors or articles')
  })
}

t.test('text/plain and JSON bodies import the same way', async (t) => {
  const h = await testApp(t)
  const asJson = await post(h, { text: story })
  t.equal(asJson.statusCode, 201)
  t.equal(asJson.json().article.headlines.basic, 'Harbour ferry adds two early sailings from Monday')
  t.match(asJson.json().article.credits, [{ role: 'byline', contributor: { name: 'Lena Marsh', kind: 'person' } }])
  const asText = await post(h, story, { contentType: 'text/plain' })
  t.equal(asText.statusCode, 200, 'the same text, now as text/plain, was imported before')
  t.equal(asText.json().article.id, asJson.json().article.id)
})

t.test('a dry run returns the parse and the report and saves nothing', async (t) => {
  const h = await testApp(t)
  const dry = await post(h, story, { query: '?dryRun=true' })
  t.equal(dry.statusCode, 200)
  const result = dry.json()
  t.match(result, { created: false, article: null, parse: { headline: 'Harbour ferry adds two early sailings from Monday', credits: [{ name: 'Lena Marsh' }] } })
  t.ok(result.report.lines.some((l: { rule: string; used: boolean }) => l.used), 'the report says which lines were used')
  t.same(await counts(h), { media: 0, topics: 0, contributors: 0, articles: 0 })
  const real = await post(h, story)
  t.equal(real.statusCode, 201, 'a dry run does not count as an import')
  const dryAgain = await post(h, { text: story }, { query: '?dryRun=true' })
  t.equal(dryAgain.statusCode, 200)
  t.equal(dryAgain.json().article, null)
})

t.test('a dry run of text without a headline shows why instead of failing', async (t) => {
  const h = await testApp(t)
  const res = await post(h, readFileSync(join(fixturesDir, 'only-chrome.txt')), { query: '?dryRun=true' })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { parse: { headline: null }, report: { warnings: ['input contains only page chrome'] } })
})

t.test('bad text gives clear problems and saves nothing', async (t) => {
  const h = await testApp(t)
  const cases: [string, string | Buffer | object, string | undefined, number, string][] = [
    ['an empty body', '', 'text/plain', 422, '/problems/empty-text'],
    ['no body at all', '', 'application/json', 400, '/problems/malformed-json'],
    ['whitespace only', ' \n\t\r\n  \n', 'text/plain', 422, '/problems/empty-text'],
    ['an empty JSON text', { text: '' }, undefined, 422, '/problems/empty-text'],
    ['NUL bytes (binary)', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]), 'text/plain', 415, '/problems/not-text'],
    ['a NUL in JSON text', { text: 'Headline\u0000here' }, undefined, 415, '/problems/not-text'],
    ['bytes that are not UTF-8', Buffer.from('Caf\xe9 owners protest\n\nThey met on Monday.', 'latin1'), 'text/plain', 415, '/problems/not-text'],
    ['another charset', 'Headline', 'text/plain; charset=iso-8859-1', 415, '/problems/not-text'],
    ['XML', '<h1>Headline</h1>', 'application/xml', 415, '/problems/unsupported-media-type'],
    ['HTML in another charset', '<h1>Headline</h1>', 'text/html; charset=iso-8859-1', 415, '/problems/not-text'],
    ['HTML without text', '<html><head><title>Only a title</title></head><body><script>x()</script></body></html>', 'text/html', 422, '/problems/empty-text'],
    ['merge-patch JSON', '{"text":"Headline"}', 'application/merge-patch+json', 415, '/problems/unsupported-media-type'],
    ['a JSON body without text', { body: 'x' }, undefined, 400, '/problems/validation'],
    ['a JSON text that is not a string', { text: 42 }, undefined, 400, '/problems/validation'],
    ['only page chrome', readFileSync(join(fixturesDir, 'only-chrome.txt')), 'text/plain', 422, '/problems/unusable-text'],
  ]
  for (const [name, payload, contentType, status, type] of cases) {
    const res = await post(h, payload, contentType ? { contentType } : {})
    t.equal(res.statusCode, status, name)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', name)
    t.equal(res.json().type, type, name)
    t.ok(res.json().detail, `${name}: says why`)
  }
  const chrome = await post(h, readFileSync(join(fixturesDir, 'only-chrome.txt')))
  t.same(chrome.json().warnings, ['input contains only page chrome'], 'the 422 carries the parser warnings')
  const query = await post(h, story, { query: '?dryRun=perhaps' })
  t.equal(query.statusCode, 400)
  t.same(query.json().errors, [{ path: '/query/dryRun', message: 'must be boolean' }])
  t.same(await counts(h), { media: 0, topics: 0, contributors: 0, articles: 0 })
})

t.test('a body over the limit is a 413 problem', async (t) => {
  const h = await testApp(t, { bodyLimitBytes: 4096 })
  const big = `${story}\n${'More words to go over the limit. '.repeat(200)}`
  for (const payload of [big, { text: big }]) {
    const res = await post(h, payload)
    t.equal(res.statusCode, 413)
    t.equal(res.json().type, '/problems/body-too-large')
  }
})

t.test('only /v1/imports takes text/plain; other routes still answer 415', async (t) => {
  const h = await testApp(t)
  const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: { ...h.as.write, 'content-type': 'text/plain' }, payload: story })
  t.equal(res.statusCode, 415)
})

t.test('importing needs a write key: 401 without one, 403 with a read key', async (t) => {
  const h = await testApp(t)
  const anon = await h.app.inject({ method: 'POST', url: '/v1/imports', headers: { 'content-type': 'text/plain' }, payload: story })
  t.equal(anon.statusCode, 401)
  t.equal(anon.json().type, '/problems/unauthorized')
  const read = await post(h, story, { headers: h.as.read })
  t.equal(read.statusCode, 403)
  t.equal(read.json().type, '/problems/forbidden')
  const dry = await post(h, story, { headers: h.as.read, query: '?dryRun=true' })
  t.equal(dry.statusCode, 403, 'a dry run needs a write key too')
  t.same(await counts(h), { media: 0, topics: 0, contributors: 0, articles: 0 })
})

t.test('an Idempotency-Key replays the first answer; reused with other text it is a 422', async (t) => {
  const h = await testApp(t)
  const headers = { 'idempotency-key': 'import-1' }
  const first = await post(h, story, { headers })
  const retry = await post(h, story, { headers })
  t.equal(first.statusCode, 201)
  t.equal(retry.statusCode, 201)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.equal(retry.headers.location, first.headers.location)
  t.same(retry.json(), first.json())
  const other = await post(h, `${story}\nOne more sentence at the end.\n`, { headers })
  t.equal(other.statusCode, 422)
  t.equal(other.json().type, '/problems/idempotency-key-reused')
})

t.test('every ingest fixture imports, except the page of only chrome (422)', async (t) => {
  const h = await testApp(t)
  const agencies: Record<string, string> = { AP: 'Associated Press', AFP: 'Agence France-Presse' }
  const files = readdirSync(fixturesDir).filter((f) => f.endsWith('.txt'))
  t.ok(files.length >= 10)
  for (const file of files) {
    const expected = JSON.parse(readFileSync(join(fixturesDir, file.replace(/\.txt$/, '.expected.json')), 'utf8'))
    const res = await post(h, readFileSync(join(fixturesDir, file)))
    if (expected.headline === null) {
      t.equal(res.statusCode, 422, file)
      t.equal(res.json().type, '/problems/unusable-text', file)
      continue
    }
    t.equal(res.statusCode, 201, file)
    const a = res.json().article
    t.equal(a.headlines.basic, expected.headline, `${file}: headline`)
    t.equal(a.type, expected.type, `${file}: type`)
    t.equal(a.summary, expected.summary, `${file}: summary`)
    t.same(a.topics.map((x: { name: string }) => x.name), expected.topicLabel ? [expected.topicLabel] : [], `${file}: topic`)
    t.same(
      a.credits.map((c: { role: string; contributor: { name: string; kind: string } }) => [c.contributor.name, c.role, c.contributor.kind]),
      expected.credits.map((c: { name: string; role: string; kind: string }) => [agencies[c.name] ?? c.name, c.role, c.kind]),
      `${file}: credits, with the contributor's kind`,
    )
    t.same(
      a.body.map((b: Block) => b.type),
      expected.body.map((b: { type: string }) => b.type),
      `${file}: body blocks`,
    )
    t.equal(a.headlines.print, expected.print?.headline, `${file}: print headline`)
    t.equal(a.printEdition?.publication, expected.print?.publication, `${file}: print publication`)
  }
})

/** A saved page, as a browser writes it: markup, a script, navigation, a promo and the story. */
const savedPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Quay market stays | Harbourside Herald</title>
<script>window.dataLayer = [{"page": "<p>not text</p>"}]</script><style>p { margin: 0 }</style></head>
<body>
<nav><a href="/">Home</a> &gt; <a href="/news">News</a> &gt; <a href="/news/local">Local</a></nav>
<article>
<h1>Night market may stay on the quay for ten more years</h1>
<p class="byline">By <a href="/authors/ann-lee">Ann Lee</a> and Omar Haddad</p>
<p><time datetime="2024-05-18">Published: 7:30am, 18 May, 2024</time></p>
<ul class="share"><li>Share</li><li>Facebook</li><li>142 comments</li></ul>
<p>The council will offer the night market&#8217;s traders a ten-year lease on the quay, it said on Friday.</p>
<aside><p>Sign up to the Harbourside Herald newsletter</p></aside>
<p>Traders had feared a move to the retail park &amp; said the lease would let them invest.</p>
<p>The lease goes to a vote in June.</p>
</article>
<footer><p>Why you can trust the Harbourside Herald</p></footer>
</body></html>`

t.test('a saved page imports as text/html: its visible text, with chrome dropped and reported', async (t) => {
  const h = await testApp(t)
  const res = await post(h, savedPage, { contentType: 'text/html; charset=utf-8', query: '?dryRun=true' })
  t.equal(res.statusCode, 200)
  const { parse, report } = res.json()
  t.equal(parse.headline, 'Night market may stay on the quay for ten more years')
  t.same(parse.credits.map((c: { name: string }) => c.name), ['Ann Lee', 'Omar Haddad'])
  t.equal(parse.publishedAt, '2024-05-18T07:30:00')
  t.same(parse.body.map((b: { text: string }) => b.text), [
    'The council will offer the night market’s traders a ten-year lease on the quay, it said on Friday.',
    'Traders had feared a move to the retail park & said the lease would let them invest.',
    'The lease goes to a vote in June.',
  ], 'entities decoded, no markup, no script or style text')
  const dropped = report.lines.filter((l: { used: boolean; rule: string }) => !l.used && l.rule !== 'blank')
  t.same(dropped.map((l: { text: string; rule: string }) => [l.text, l.rule]), [
    ['Home > News > Local', 'chrome:breadcrumbs'],
    ['Share', 'chrome:share'],
    ['Facebook', 'chrome:share'],
    ['142 comments', 'chrome:counter'],
    ['Sign up to the Harbourside Herald newsletter', 'chrome:promo'],
    ['Why you can trust the Harbourside Herald', 'chrome:trust'],
  ])
  t.ok(dropped.every((l: { reason: string | null }) => typeof l.reason === 'string' && l.reason.length > 0), 'every dropped line says why')
  const saved = await post(h, savedPage, { contentType: 'text/html' })
  t.equal(saved.statusCode, 201)
  t.equal(saved.json().article.headlines.basic, parse.headline)
})

t.test('a request without a Content-Type is a 415 that lists the accepted types', async (t) => {
  const h = await testApp(t)
  for (const payload of [story, '']) {
    const res = await h.app.inject({ method: 'POST', url: '/v1/imports', headers: h.as.write, payload })
    t.equal(res.statusCode, 415)
    t.equal(res.json().type, '/problems/unsupported-media-type')
    t.same(res.json().accepted, ['text/plain', 'text/html', 'application/json'])
    t.match(res.json().detail, /text\/plain, text\/html, application\/json/)
  }
  const other = await post(h, 'x', { contentType: 'application/xml' })
  t.equal(other.statusCode, 415)
  t.same(await counts(h), { media: 0, topics: 0, contributors: 0, articles: 0 })
})

t.test('the dry run gives a confidence per field and flags a low-confidence parse', async (t) => {
  const h = await testApp(t)
  const sound = (await post(h, story, { query: '?dryRun=true' })).json().report
  t.same(sound.lowConfidence, [])
  t.ok(Object.values(sound.confidence).every((c) => typeof c === 'number' && c >= 0.6 && c <= 1))
  const cut = (await post(h, readFileSync(join(fixturesDir, 'truncated-cut-mid-word.txt')), { query: '?dryRun=true' })).json().report
  t.same(cut.lowConfidence, ['body'], 'a page cut off mid-word')
  t.ok(cut.confidence.body < 0.6)
  const headless = (await post(h, 'The quay reopened on Monday.\nTraders returned at dawn.', { query: '?dryRun=true' })).json().report
  t.equal(headless.confidence.headline, 0)
  t.ok(headless.lowConfidence.includes('headline'))
})

t.test('a topic label naming a known person, place or organisation uses that topic and its kind', async (t) => {
  const h = await testApp(t)
  const topic = async (body: object) => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/topics', headers: { ...h.as.write, 'content-type': 'application/json' }, payload: body })
    t.equal(res.statusCode, 201)
    return res.json()
  }
  const person = await topic({ name: 'Ines Calloway', kind: 'person', aliases: ['Mayor Calloway'] })
  const place = await topic({ name: 'São Vicente', kind: 'place' })
  const page = (label: string, headline: string) => `${label}\n${headline}\nThe mayor opened the new quay on Monday.\nTraders returned at dawn.\nThe market runs until noon.\n`
  for (const [label, want] of [['Mayor Calloway', person], ['Sao  Vicente', place]] as const) {
    const res = await post(h, page(label, `Quay opens in ${label} after repairs`))
    t.equal(res.statusCode, 201, label)
    t.match(res.json().article.topics, [{ id: want.id, name: want.name, kind: want.kind, primary: true }], `${label} is ${want.name} (${want.kind})`)
  }
  const fresh = await post(h, page('Harbour works', 'Harbour works finish early'))
  t.match(fresh.json().article.topics, [{ name: 'Harbour works', kind: 'subject' }], 'an unknown label is a new subject')
  t.equal((await counts(h)).topics, 3)
})
