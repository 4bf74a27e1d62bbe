/**
 * A newsroom session against the real server (src/server.ts in a child
 * process, fresh database), driven only through the generated client
 * (openapi/client): if the OpenAPI document and the server disagree, or the
 * generated types stop describing what a client has to send and read, this
 * file stops compiling or fails.
 *
 * The steps run in order and share the session's state. The session will be
 * extended as those capabilities land: importing the sample story, search,
 * list filters (section, topic, status), revisions and the rest of the
 * editorial workflow.
 */
import t from 'tap'
import { createNewsdeskClient, type NewsdeskClient, type Schemas } from '../../openapi/client/index.js'
import { ADMIN_KEY, startServer } from './server.js'

interface Assert {
  equal(found: unknown, wanted: unknown, message: string): boolean
}

/** One result of the generated client: data on 2xx, a typed problem otherwise. */
type Result<D, E> = { data: D; error?: never; response: Response } | { data?: never; error: E; response: Response }

/** Asserts the status and returns the typed body of a success. */
async function expectData<D, E>(t: Assert, call: Promise<Result<D, E>>, status: number, what: string): Promise<{ data: NonNullable<D>; response: Response }> {
  const { data, error, response } = await call
  t.equal(response.status, status, what)
  if (data === undefined || data === null) throw new Error(`${what}: expected ${status} with a body, got ${response.status} ${JSON.stringify(error)}`)
  return { data, response }
}

/** Asserts the status and returns the typed problem of a failure. */
async function expectProblem<D, E>(t: Assert, call: Promise<Result<D, E>>, status: number, what: string): Promise<{ problem: NonNullable<E>; response: Response }> {
  const { data, error, response } = await call
  t.equal(response.status, status, what)
  if (error === undefined || error === null) throw new Error(`${what}: expected a ${status} problem, got ${response.status} ${JSON.stringify(data)}`)
  t.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8', `${what} is problem+json`)
  return { problem: error, response }
}

/** The ETag of a response; writes to an existing resource send it back in If-Match. */
function etagOf(response: Response): string {
  const etag = response.headers.get('etag')
  if (etag === null) throw new Error(`no ETag on ${response.url}`)
  return etag
}

function need<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`${name} is missing: an earlier step failed`)
  return value
}

const server = await startServer(t)
const admin = createNewsdeskClient(server.base, ADMIN_KEY)
const anonymous = createNewsdeskClient(server.base)

// The session's state, filled in step by step.
let desk: NewsdeskClient | undefined
let partner: NewsdeskClient | undefined
let catalogue: { reporter: Schemas['Contributor']; agency: Schemas['Contributor']; place: Schemas['Topic']; subject: Schemas['Topic']; photo: Schemas['Media']; video: Schemas['Media'] } | undefined
let story: { article: Schemas['Article']; etag: string } | undefined
let firstEtag: string | undefined

t.test('the admin creates a write key for the desk and a read key for a partner', async (t) => {
  const { data: write, response } = await expectData(t, admin.POST('/v1/api-keys', { body: { name: 'night desk', scope: 'write' } }), 201, 'write key')
  t.match(write.key, /^nd_/)
  t.equal(write.scope, 'write')
  t.equal(response.headers.get('location'), `/v1/api-keys/${write.id}`)
  const { data: read } = await expectData(t, admin.POST('/v1/api-keys', { body: { name: 'partner feed', scope: 'read' } }), 201, 'read key')
  t.equal(read.scope, 'read')

  const { data: keys } = await expectData(t, admin.GET('/v1/api-keys'), 200, 'list keys')
  for (const name of ['night desk', 'partner feed']) t.ok(keys.data.some((k) => k.name === name), `${name} is listed`)
  t.ok(keys.data.some((k) => k.id === write.id && k.prefix && write.key.startsWith(k.prefix)), 'the list names the key by its prefix')
  t.notOk(keys.data.some((k) => 'key' in k), 'no secret in the list')
  desk = createNewsdeskClient(server.base, write.key)
  partner = createNewsdeskClient(server.base, read.key)
})

t.test('the desk fills the catalogue: a reporter, an agency, topics, a credited photo and a video', async (t) => {
  const d = need(desk, 'desk')
  const { data: reporter } = await expectData(t, d.POST('/v1/contributors', { body: { kind: 'person', name: 'Lena Marsh', bio: 'Transport correspondent.' } }), 201, 'reporter')
  t.equal(reporter.slug, 'lena-marsh')
  const { data: agency } = await expectData(t, d.POST('/v1/contributors', { body: { kind: 'agency', name: 'Associated Press', aliases: ['AP'] } }), 201, 'agency')
  t.same(agency.aliases, ['AP'])
  const { data: place } = await expectData(t, d.POST('/v1/topics', { body: { kind: 'place', name: 'Eastgate' } }), 201, 'place topic')
  const { data: subject } = await expectData(t, d.POST('/v1/topics', { body: { kind: 'subject', name: 'Transport', description: 'Roads, rail and ferries.' } }), 201, 'subject topic')

  const photoBody: Schemas['MediaCreate'] = {
    kind: 'image',
    url: 'https://img.example/eastgate/bridge.jpg',
    mimeType: 'image/jpeg',
    width: 2400,
    height: 1600,
    alt: 'The harbour at dusk, where the bridge will stand',
    caption: 'The harbour crossing the bridge will replace.',
    credit: 'Lena Marsh / Eastgate Courier',
    renditions: [{ name: 'thumb', url: 'https://img.example/eastgate/bridge-320.jpg', width: 320, height: 213 }],
  }
  const idempotent = { params: { header: { 'idempotency-key': 'photo-upload-7d1c2f00' } }, body: photoBody }
  const { data: photo, response } = await expectData(t, d.POST('/v1/media', idempotent), 201, 'photo')
  t.equal(photo.credit, 'Lena Marsh / Eastgate Courier')
  t.equal(photo.renditions.length, 1)
  const { data: retried, response: retry } = await expectData(t, d.POST('/v1/media', idempotent), 201, 'retried photo upload')
  t.equal(retried.id, photo.id, 'a retry with the same Idempotency-Key does not create twice')
  t.equal(retry.headers.get('idempotent-replayed'), 'true')
  t.equal(retry.headers.get('location'), response.headers.get('location'))

  const { data: video } = await expectData(
    t,
    d.POST('/v1/media', { body: { kind: 'video', url: 'https://video.example/bridge.mp4', mimeType: 'video/mp4', durationSeconds: 94, caption: 'How the bridge will look' } }),
    201,
    'video',
  )
  t.equal(video.kind, 'video')
  catalogue = { reporter, agency, place, subject, photo, video }
})

t.test('a reporter files a story with credits, topics, lead photo and image, video and ad blocks', async (t) => {
  const d = need(desk, 'desk')
  const c = need(catalogue, 'catalogue')
  const draft: Schemas['ArticleCreate'] = {
    headlines: { basic: 'Council approves new harbour bridge', print: 'Bridge gets the nod' },
    summary: 'The council backed the plan by 31 votes to 9 after a four-hour debate.',
    leadMedia: { mediaId: c.photo.id, caption: 'The crossing the bridge will replace.' },
    body: [
      { type: 'paragraph', html: 'The council voted <strong>31 to 9</strong> on Thursday.' },
      { type: 'image', mediaId: c.photo.id },
      { type: 'paragraph', html: 'Work starts in the spring.' },
      { type: 'video', mediaId: c.video.id, title: 'Watch: the bridge' },
      { type: 'ad', slot: 'mid-article-1' },
      { type: 'quote', text: 'A good day for Eastgate.', attribution: 'The mayor' },
    ],
    credits: [
      { contributorId: c.reporter.id, role: 'byline' },
      { contributorId: c.agency.id, role: 'additional-reporting' },
    ],
    topics: [{ topicId: c.place.id, primary: true }, { topicId: c.subject.id }],
    printEdition: { publication: 'Eastgate Daily Courier', section: 'News', page: 'A4', editionDate: '2026-11-27' },
  }
  const { data: article, response } = await expectData(t, d.POST('/v1/articles', { body: draft }), 201, 'create article')
  t.equal(response.headers.get('location'), `/v1/articles/${article.id}`)
  t.match(etagOf(response), /^"1-[0-9a-f]{16}"$/)
  t.match(article, { status: 'draft', version: 1, type: 'news', language: 'en', slug: 'council-approves-new-harbour-bridge' })
  t.equal(article.firstPublishedAt, null)
  t.equal(article.leadMedia?.credit, 'Lena Marsh / Eastgate Courier', 'the lead photo keeps the library credit')
  t.equal(article.leadMedia?.caption, 'The crossing the bridge will replace.')
  t.same(
    article.body.map((b) => b.type),
    ['paragraph', 'image', 'paragraph', 'video', 'ad', 'quote'],
  )
  t.equal(article.body[1]?.media?.id, c.photo.id, 'image blocks embed their media')
  t.equal(article.body[1]?.credit, 'Lena Marsh / Eastgate Courier')
  t.equal(article.body[3]?.media?.kind, 'video')
  t.same(
    article.credits.map((x) => [x.role, x.contributor.name]),
    [
      ['byline', 'Lena Marsh'],
      ['additional-reporting', 'Associated Press'],
    ],
  )
  t.same(
    article.topics.map((x) => [x.name, x.primary]),
    [
      ['Eastgate', true],
      ['Transport', false],
    ],
  )
  t.same(article.printEdition, draft.printEdition)
  story = { article, etag: etagOf(response) }
  firstEtag = story.etag
})

t.test('the desk reads the draft back; readers cannot see it yet', async (t) => {
  const d = need(desk, 'desk')
  const { article, etag } = need(story, 'story')
  const { data, response } = await expectData(t, d.GET('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: article.slug } } }), 200, 'read back by slug')
  t.same(data, article, 'identical to what the create answered')
  t.equal(etagOf(response), etag)
  t.equal(response.headers.get('cache-control'), 'private, no-store', 'the desk view is never cached')

  const { problem } = await expectProblem(t, anonymous.GET('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: article.id } } }), 404, 'anonymous: draft is hidden')
  t.equal(problem.type, '/problems/not-found')
  await expectProblem(t, need(partner, 'partner').GET('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: article.slug } } }), 404, 'read key: draft is hidden')
})

t.test('an editor tightens the summary with If-Match (PATCH)', async (t) => {
  const d = need(desk, 'desk')
  const { article, etag } = need(story, 'story')
  const { data, response } = await expectData(
    t,
    d.PATCH('/v1/articles/{idOrSlug}', {
      params: { path: { idOrSlug: article.id }, header: { 'if-match': etag } },
      body: { summary: 'Councillors backed the plan 31 to 9.', headlines: { basic: 'Council approves new harbour bridge', print: 'Bridge approved' }, message: 'Tighter standfirst' },
    }),
    200,
    'patch',
  )
  t.equal(data.version, 2)
  t.equal(data.summary, 'Councillors backed the plan 31 to 9.')
  t.equal(data.headlines.print, 'Bridge approved')
  t.same(data.body, article.body, 'fields not sent are kept')
  t.match(etagOf(response), /^"2-/)
  story = { article: data, etag: etagOf(response) }
})

t.test('a second editor with a stale ETag gets a typed 412 naming the current version; none at all is 428', async (t) => {
  const d = need(desk, 'desk')
  const { article } = need(story, 'story')
  const stale = need(firstEtag, 'first ETag')
  const { problem } = await expectProblem(
    t,
    d.PATCH('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: article.id }, header: { 'if-match': stale } }, body: { summary: 'An older take.' } }),
    412,
    'stale If-Match',
  )
  t.equal(problem.type, '/problems/precondition-failed')
  t.equal(problem.currentVersion, 2, 'the problem says which version is current')
  t.equal(problem.instance, `/v1/articles/${article.id}`)

  const { problem: missing } = await expectProblem(
    t,
    d.PATCH('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: article.id } }, body: { summary: 'No precondition.' } }),
    428,
    'no If-Match',
  )
  t.equal(missing.type, '/problems/precondition-required')
  const { data: unchanged } = await expectData(t, d.GET('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: article.id } } }), 200, 'still version 2')
  t.equal(unchanged.summary, 'Councillors backed the plan 31 to 9.', 'neither write changed the article')
})

t.test('the editor publishes; anyone can read it, and an unchanged copy is a 304', async (t) => {
  const d = need(desk, 'desk')
  const { article, etag } = need(story, 'story')
  const { data: published, response } = await expectData(
    t,
    d.POST('/v1/articles/{idOrSlug}/publish', { params: { path: { idOrSlug: article.slug }, header: { 'if-match': etag } }, body: { message: 'Late edition' } }),
    200,
    'publish',
  )
  t.equal(published.status, 'published')
  t.equal(published.version, 3)
  t.ok(published.publishedAt, 'publishedAt is set')
  t.equal(published.firstPublishedAt, published.publishedAt)
  story = { article: published, etag: etagOf(response) }

  const { data: read, response: readResponse } = await expectData(t, anonymous.GET('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: article.slug } } }), 200, 'anonymous read')
  t.same(read, published)
  t.equal(readResponse.headers.get('cache-control'), 'public, max-age=60, stale-while-revalidate=300')
  const publicEtag = etagOf(readResponse)

  const notModified = await anonymous.GET('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: article.slug }, header: { 'if-none-match': publicEtag } } })
  t.equal(notModified.response.status, 304, 'If-None-Match with the current ETag')
  t.equal(notModified.data, undefined, 'no body on 304')
  t.equal(notModified.response.headers.get('etag'), publicEtag)

  const { data: viaPartner } = await expectData(t, need(partner, 'partner').GET('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: article.id } } }), 200, 'read key')
  t.equal(viaPartner.id, article.id)
})

t.test('the desk pages through every article; readers page through the published ones, newest first', async (t) => {
  const d = need(desk, 'desk')
  const created = [need(story, 'story').article.id]
  const published = [need(story, 'story').article.id]
  for (const [i, headline] of ['Ferry timetable changes from Monday', 'School meals to go organic', 'River festival returns', 'Night buses extended', 'Library hours cut'].entries()) {
    const { data, response } = await expectData(
      t,
      d.POST('/v1/articles', { body: { type: 'brief', headlines: { basic: headline }, body: [{ type: 'paragraph', html: `${headline}.` }] } }),
      201,
      headline,
    )
    created.push(data.id)
    if (i % 2 === 0) {
      await expectData(t, d.POST('/v1/articles/{idOrSlug}/publish', { params: { path: { idOrSlug: data.id }, header: { 'if-match': etagOf(response) } }, body: {} }), 200, `publish ${headline}`)
      published.push(data.id)
    }
  }

  async function pageThrough(client: NewsdeskClient, limit: number) {
    const seen: Schemas['Article'][] = []
    let cursor: string | undefined
    for (let page = 0; page < 20; page++) {
      const { data } = await expectData(t, client.GET('/v1/articles', { params: { query: cursor === undefined ? { limit } : { limit, cursor } } }), 200, `page ${page + 1}`)
      t.ok(data.data.length <= limit, 'a page holds at most limit articles')
      seen.push(...data.data)
      if (data.next === null) return seen
      cursor = data.next
    }
    throw new Error('the next cursors never ended')
  }

  const all = await pageThrough(d, 2)
  t.equal(new Set(all.map((a) => a.id)).size, all.length, 'no article twice')
  t.same(all.map((a) => a.id).sort(), [...created].sort(), 'the desk sees drafts and published articles')

  const readers = await pageThrough(anonymous, 2)
  t.same(readers.map((a) => a.id).sort(), [...published].sort(), 'readers see published articles only')
  t.ok(readers.every((a) => a.status === 'published'))
  const times = readers.map((a) => a.publishedAt ?? '')
  t.same(times, [...times].sort().reverse(), 'newest first')

  const first = await anonymous.GET('/v1/articles', { params: { query: { limit: 2 } } })
  const listEtag = etagOf(first.response)
  const again = await anonymous.GET('/v1/articles', { params: { query: { limit: 2 }, header: { 'if-none-match': listEtag } } })
  t.equal(again.response.status, 304, 'an unchanged list page is a 304 too')
})

t.test('errors arrive as typed problems: 401, 403, 404, 400 with an errors list, 409', async (t) => {
  const d = need(desk, 'desk')
  const p = need(partner, 'partner')
  const c = need(catalogue, 'catalogue')
  const { article } = need(story, 'story')
  const brief: Schemas['ArticleCreate'] = { headlines: { basic: 'Unauthorised scoop' }, body: [{ type: 'paragraph', html: 'Text.' }] }

  const { problem: noKey, response } = await expectProblem(t, anonymous.POST('/v1/articles', { body: brief }), 401, 'no key')
  t.equal(noKey.type, '/problems/unauthorized')
  t.equal(response.headers.get('www-authenticate'), 'Bearer realm="newsdesk"')
  t.ok(noKey.requestId, 'the problem carries the request id')

  const bogus = createNewsdeskClient(server.base, 'nd_not-a-key')
  await expectProblem(t, bogus.GET('/v1/articles', { params: { query: { limit: 1 } } }), 401, 'a wrong key, even for a read')

  const { problem: readOnly } = await expectProblem(t, p.POST('/v1/articles', { body: brief }), 403, 'read key writes')
  t.equal(readOnly.type, '/problems/forbidden')
  t.match(readOnly.detail, /'write' scope/)
  await expectProblem(t, d.GET('/v1/api-keys'), 403, 'write key lists API keys')

  const { problem: missing } = await expectProblem(t, d.GET('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: 'no-such-story' } } }), 404, 'unknown article')
  t.match(missing, { type: '/problems/not-found', status: 404, instance: '/v1/articles/no-such-story' })
  await expectProblem(t, d.GET('/v1/media/{id}', { params: { path: { id: 'no-such-media' } } }), 404, 'unknown media')

  // Values the generated types accept but the schema refuses.
  const { problem: invalid } = await expectProblem(
    t,
    d.POST('/v1/articles', { body: { ...brief, headlines: { basic: '' }, slug: 'Not A Slug', canonicalUrl: 'javascript:alert(1)' } }),
    400,
    'invalid article',
  )
  t.equal(invalid.type, '/problems/validation')
  const paths = (invalid.errors ?? []).map((e) => e.path)
  for (const path of ['/headlines/basic', '/slug', '/canonicalUrl']) t.ok(paths.includes(path), `errors name ${path}: ${JSON.stringify(invalid.errors)}`)

  const { problem: badQuery } = await expectProblem(t, d.GET('/v1/articles', { params: { query: { limit: 500 } } }), 400, 'limit above 100')
  t.same(
    badQuery.errors?.map((e) => e.path),
    ['/querystring/limit'],
  )

  const { problem: missingRef } = await expectProblem(t, d.POST('/v1/articles', { body: { ...brief, body: [{ type: 'image', mediaId: 'nope' }] } }), 400, 'unknown media id')
  t.same(
    missingRef.errors?.map((e) => e.path),
    ['/body/0/mediaId'],
  )

  const { problem: inUse } = await expectProblem(
    t,
    d.DELETE('/v1/media/{id}', { params: { path: { id: c.photo.id }, header: { 'if-match': String(c.photo.version) } } }),
    409,
    'deleting a photo an article uses',
  )
  t.same(inUse.usedBy, [article.id], 'the problem names the articles using it')
})

t.test('the desk deletes the story with If-Match', async (t) => {
  const d = need(desk, 'desk')
  const { article, etag } = need(story, 'story')
  const stale = need(firstEtag, 'first ETag')
  const { problem } = await expectProblem(t, d.DELETE('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: article.id }, header: { 'if-match': stale } } }), 412, 'stale delete')
  t.equal(problem.currentVersion, 3)

  const deleted = await d.DELETE('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: article.id }, header: { 'if-match': etag } } })
  t.equal(deleted.response.status, 204)
  t.equal(deleted.error, undefined)
  await expectProblem(t, d.GET('/v1/articles/{idOrSlug}', { params: { path: { idOrSlug: article.id } } }), 404, 'gone')

  const c = need(catalogue, 'catalogue')
  const { data: photo, response } = await expectData(t, d.GET('/v1/media/{id}', { params: { path: { id: c.photo.id } } }), 200, 'the photo is still in the library')
  const freed = await d.DELETE('/v1/media/{id}', { params: { path: { id: photo.id }, header: { 'if-match': etagOf(response) } } })
  t.equal(freed.response.status, 204, 'a photo no article uses can be deleted')
})

t.test('the server stops cleanly on SIGTERM', async (t) => {
  t.equal(await server.stop(), 0, `exit code 0\n${server.output().slice(-2000)}`)
})
