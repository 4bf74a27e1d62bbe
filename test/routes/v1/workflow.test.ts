import t from 'tap'
import { manualClock, minimalArticle, testApp, type TestApp } from '../../helpers.js'

async function draft(h: TestApp, extra: object = {}) {
  const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle(), ...extra } })
  return res.json()
}
const act = (h: TestApp, id: string, action: string, version: number | string, payload?: object) =>
  h.app.inject({ method: 'POST', url: `/v1/articles/${id}/${action}`, headers: { ...h.as.write, 'if-match': String(version) }, ...(payload ? { payload } : {}) })

t.test('schedule publishes at a future time; the scheduler publishes due articles once', async (t) => {
  const clock = manualClock()
  const h = await testApp(t, {}, clock)
  const a = await draft(h)
  const past = await act(h, a.id, 'schedule', 1, { at: new Date(clock.now().getTime() - 1000).toISOString() })
  t.equal(past.statusCode, 400)
  t.equal(past.json().errors[0].path, '/body/at')
  const at = new Date(clock.now().getTime() + 60_000).toISOString()
  const scheduled = await act(h, a.id, 'schedule', 1, { at, message: 'for the morning' })
  t.equal(scheduled.statusCode, 200)
  t.match(scheduled.json(), { status: 'scheduled', scheduledAt: at, publishedAt: null })
  t.equal((await h.app.inject({ url: `/v1/articles/${a.id}` })).statusCode, 404, 'not public before its time')
  clock.advance(59_000)
  t.equal(await h.services.articles.publishDue(), 0, 'nothing is due yet')
  clock.advance(1_000)
  t.equal(await h.services.articles.publishDue(), 1)
  t.equal(await h.services.articles.publishDue(), 0, 'never twice')
  const pub = (await h.app.inject({ url: `/v1/articles/${a.id}` })).json()
  t.match(pub, { status: 'published', version: 3, scheduledAt: null, publishedAt: at, firstPublishedAt: at })
})

t.test('the in-process scheduler publishes a due article within a few seconds', async (t) => {
  const clock = manualClock()
  const h = await testApp(t, { schedulerIntervalMs: 100 }, clock)
  const a = await draft(h)
  await act(h, a.id, 'schedule', 1, { at: new Date(clock.now().getTime() + 1500).toISOString() })
  // Its time comes at once on the app's clock; the scheduler's own timer (every 100 ms) must then publish it.
  clock.advance(1500)
  // Polled until published; bounded far above the 100 ms it takes, so a busy machine cannot fail it.
  const deadline = Date.now() + 60_000
  let status = 404
  while (Date.now() < deadline && status !== 200) {
    await new Promise((r) => setTimeout(r, 100))
    status = (await h.app.inject({ url: `/v1/articles/${a.id}` })).statusCode
  }
  t.equal(status, 200)
})

t.test('workflow actions are allowed only from the right status, else 409', async (t) => {
  const h = await testApp(t)
  const a = await draft(h)
  t.equal((await act(h, a.id, 'unpublish', 1)).statusCode, 409)
  t.equal((await act(h, a.id, 'restore', 1)).statusCode, 409)
  const archived = await act(h, a.id, 'archive', 1)
  t.equal(archived.json().status, 'archived')
  const publishArchived = await act(h, a.id, 'publish', 2)
  t.equal(publishArchived.statusCode, 409)
  t.match(publishArchived.json().detail, /archived cannot be published/)
  t.equal((await act(h, a.id, 'schedule', 2, { at: new Date(Date.now() + 60_000).toISOString() })).statusCode, 409)
  const restored = await act(h, a.id, 'restore', 2)
  t.match(restored.json(), { status: 'draft', version: 3 })
  t.equal((await act(h, a.id, 'publish', 3)).json().status, 'published')
})

t.test('an embargoed article stays hidden from readers until the embargo passes', async (t) => {
  const clock = manualClock()
  const h = await testApp(t, {}, clock)
  const a = await draft(h, { embargoUntil: new Date(clock.now().getTime() + 60_000).toISOString() })
  await act(h, a.id, 'publish', 1)
  t.equal((await h.app.inject({ url: `/v1/articles/${a.id}` })).statusCode, 404)
  t.same((await h.app.inject({ url: '/v1/articles' })).json().data, [])
  t.equal((await h.app.inject({ url: `/v1/articles/${a.id}`, headers: h.as.write })).statusCode, 200, 'editors see it')
  clock.advance(60_000)
  t.equal((await h.app.inject({ url: `/v1/articles/${a.id}` })).statusCode, 200)
  t.equal((await h.app.inject({ url: '/v1/articles' })).json().data.length, 1)
})

t.test('archived articles leave public reads', async (t) => {
  const h = await testApp(t)
  const a = await draft(h)
  await act(h, a.id, 'publish', 1)
  await act(h, a.id, 'archive', 2)
  t.equal((await h.app.inject({ url: `/v1/articles/${a.id}`, headers: h.as.read })).statusCode, 404)
})

t.test('POST /v1/articles/:id/corrections appends corrections shown to readers', async (t) => {
  const h = await testApp(t)
  const a = await draft(h)
  await act(h, a.id, 'publish', 1)
  const first = await h.app.inject({ method: 'POST', url: `/v1/articles/${a.id}/corrections`, headers: { ...h.as.write, 'if-match': '2' }, payload: { text: 'An earlier version gave the vote as 30 to 9.' } })
  t.equal(first.statusCode, 200)
  await h.app.inject({ method: 'POST', url: `/v1/articles/${a.id}/corrections`, headers: { ...h.as.write, 'if-match': '3' }, payload: { text: 'The councillor is Amara, not Amina.' } })
  const pub = (await h.app.inject({ url: `/v1/articles/${a.id}` })).json()
  t.same(pub.corrections.map((c: { text: string }) => c.text), ['An earlier version gave the vote as 30 to 9.', 'The councillor is Amara, not Amina.'])
  t.ok(pub.corrections.every((c: { at: string }) => !Number.isNaN(Date.parse(c.at))))
  t.equal((await h.app.inject({ method: 'POST', url: `/v1/articles/${a.id}/corrections`, headers: h.as.write, payload: { text: 'x' } })).statusCode, 428)
  t.equal((await h.app.inject({ method: 'POST', url: `/v1/articles/${a.id}/corrections`, headers: { ...h.as.write, 'if-match': '4' }, payload: { text: '' } })).statusCode, 400)
})

t.test('many concurrent patches: every acknowledged change is kept, the rest get 412', async (t) => {
  const h = await testApp(t)
  const a = await draft(h)
  const acknowledged: string[] = []
  // 20 writers each keep trying until their edit lands, re-reading on 412 as a client should.
  await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const line = `writer ${i}`
      for (let attempt = 0; attempt < 100; attempt++) {
        const cur = await h.app.inject({ url: `/v1/articles/${a.id}`, headers: h.as.write })
        const body = cur.json().body
        const res = await h.app.inject({
          method: 'PATCH',
          url: `/v1/articles/${a.id}`,
          headers: { ...h.as.write, 'if-match': cur.headers.etag! },
          payload: { body: [...body, { type: 'paragraph', html: line }] },
        })
        if (res.statusCode === 200) {
          acknowledged.push(line)
          return
        }
        t.equal(res.statusCode, 412)
      }
    }),
  )
  const final = (await h.app.inject({ url: `/v1/articles/${a.id}`, headers: h.as.write })).json()
  const lines = final.body.map((b: { html?: string }) => b.html)
  t.equal(acknowledged.length, 20)
  for (const line of acknowledged) t.ok(lines.includes(line), `${line} kept`)
  t.equal(final.version, 21)
})
