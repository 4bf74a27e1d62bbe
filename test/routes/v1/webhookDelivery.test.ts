import t from 'tap'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { testConfig } from '../../../src/config.js'
import { manualClock, minimalArticle, testApp } from '../../helpers.js'

/**
 * The whole delivery path against a receiver on 127.0.0.1 (allowlisted here):
 * down, then up, every event signed (checked with the standardwebhooks
 * library), retries, redelivery, rotation, give-up and disabling. The
 * dispatcher is driven by hand (runOnce) on a hand-moved clock: no timers, no sleeps.
 * The clock moves a few minutes at most, within the library's timestamp tolerance.
 */
const clock = manualClock()
const h = await testApp(
  t,
  {
    webhooks: {
      ...testConfig().webhooks,
      allowedHosts: ['127.0.0.1'],
      timeoutMs: 1000,
      retryBaseMs: 1000,
      retryMaxMs: 4000,
      giveUpAfterMs: 20_000,
      disableAfterMs: 30_000,
      secretOverlapMs: 10_000,
    },
  },
  clock,
)
const admin = h.as.admin

interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
}
const received: Received[] = []
/** The receiver: answers by path (/ok 204, /fail 500, /redirect 302, /big 1 MB, /slow never). */
const receiver: Server = createServer((req, res) => {
  let body = ''
  req.setEncoding('utf8')
  req.on('data', (c: string) => (body += c))
  req.on('end', () => {
    received.push({ path: req.url ?? '', headers: req.headers, body })
    if (req.url === '/slow') return
    if (req.url === '/fail') res.writeHead(500).end('no')
    else if (req.url === '/redirect') res.writeHead(302, { location: '/ok' }).end()
    else if (req.url === '/big') res.writeHead(200).end(Buffer.alloc(1024 * 1024, 'x'))
    else res.writeHead(204).end()
  })
})
t.teardown(() => {
  receiver.closeAllConnections()
  receiver.close()
})
/** A port nothing listens on (yet): the receiver's, before it starts. */
async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
  const { port } = probe.address() as AddressInfo
  await new Promise((r) => probe.close(r))
  return port
}
const port = await freePort()

/** Runs the dispatcher until it finds nothing to do now. */
async function drain(): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const r = await h.services.webhooks.runOnce()
    if (r.events === 0 && r.attempts === 0) return
  }
  throw new Error('the dispatcher never ran dry')
}
const subscribe = async (path: string, events: string[]) => {
  const res = await h.app.inject({ method: 'POST', url: '/v1/webhooks', headers: admin, payload: { url: `http://127.0.0.1:${port}${path}`, events } })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json() as { id: string; secret: string }
}
const deliveries = async (id: string) => (await h.app.inject({ url: `/v1/webhooks/${id}/deliveries?limit=100`, headers: admin })).json().data as {
  id: string
  eventId: string
  eventType: string
  status: string
  attempts: { statusCode: number | null; error: string | null }[]
}[]

let mirror: { id: string; secret: string }

t.test('a receiver that is down, then up, gets every event once it is up, each with a valid signature', async (t) => {
  mirror = await subscribe('/ok', ['article.*', 'topic.*'])
  const article = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle() })).json()
  await h.app.inject({ method: 'POST', url: `/v1/articles/${article.id}/publish`, headers: { ...h.as.write, 'if-match': '1' } })
  const topic = (await h.app.inject({ method: 'POST', url: '/v1/topics', headers: h.as.write, payload: { kind: 'place', name: 'Kowloon' } })).json()
  await h.app.inject({ method: 'POST', url: '/v1/media', headers: h.as.write, payload: { kind: 'image' } }) // not subscribed

  await drain()
  t.equal(received.length, 0, 'nothing arrived: the receiver is down')
  const failed = await deliveries(mirror.id)
  t.equal(failed.length, 2)
  for (const d of failed) t.match(d, { status: 'pending', attempts: [{ statusCode: null, error: /ECONNREFUSED/ }] })

  await new Promise<void>((r) => receiver.listen(port, '127.0.0.1', r))
  await drain()
  t.equal(received.length, 0, 'a retry waits for its time')
  clock.advance(5000)
  await drain()

  t.equal(received.length, 2)
  const verifier = new Webhook(mirror.secret)
  const bodies = received.map((r) => verifier.verify(r.body, r.headers as Record<string, string>) as { type: string; data: { id: string; version: number; href: string } })
  t.same(bodies.map((b) => b.type).sort(), ['article.published', 'topic.created'])
  t.match(bodies.find((b) => b.type === 'article.published'), { data: { id: article.id, version: 2, href: `/v1/articles/${article.id}` } })
  t.match(bodies.find((b) => b.type === 'topic.created'), { data: { id: topic.id, version: 1, href: `/v1/topics/${topic.id}` } })
  t.notOk(received[0]!.body.includes('harbour bridge'), 'thin: no content in the payload')
  t.same(received.map((r) => r.headers['webhook-id']).sort(), failed.map((d) => d.eventId).sort(), 'webhook-id is the event id')
  t.throws(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(received[0]!.body, received[0]!.headers as Record<string, string>), 'another secret does not verify')
  for (const d of await deliveries(mirror.id)) t.match(d, { status: 'delivered', attempts: [{ statusCode: null }, { statusCode: 204, error: null }] })
})

t.test('the publish scheduler and an embargo that ends send article.published when readers can see the article', async (t) => {
  const act = (id: string, action: string, version: number, payload?: object) =>
    h.app.inject({ method: 'POST', url: `/v1/articles/${id}/${action}`, headers: { ...h.as.write, 'if-match': String(version) }, ...(payload ? { payload } : {}) })
  const scheduled = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle('Scheduled story') })).json()
  await act(scheduled.id, 'schedule', 1, { at: new Date(clock.now().getTime() + 1000).toISOString() })
  const embargoed = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle('Embargoed story'), embargoUntil: new Date(clock.now().getTime() + 1000).toISOString() } })).json()
  t.equal((await act(embargoed.id, 'publish', 1)).statusCode, 200)
  received.length = 0
  await drain()
  t.equal(received.length, 0, 'nothing while neither is visible')
  clock.advance(1000)
  await h.services.articles.publishDue()
  await drain()
  const sent = received.map((r) => new Webhook(mirror.secret).verify(r.body, r.headers as Record<string, string>) as { type: string; data: { id: string } })
  t.same(sent.map((b) => `${b.type} ${b.data.id}`).sort(), [`article.published ${scheduled.id}`, `article.published ${embargoed.id}`].sort())
})

t.test('a redelivery is a duplicate with the same webhook-id and body', async (t) => {
  const [first] = await deliveries(mirror.id)
  const before = received.find((r) => r.headers['webhook-id'] === first!.eventId)!
  const res = await h.app.inject({ method: 'POST', url: `/v1/webhooks/${mirror.id}/deliveries/${first!.id}/redeliver`, headers: admin })
  t.equal(res.statusCode, 202)
  t.match(res.json(), { status: 'pending', eventId: first!.eventId })
  await drain()
  const again = received.filter((r) => r.headers['webhook-id'] === first!.eventId)
  t.equal(again.length, 2)
  t.equal(again[1]!.body, before.body)
  t.ok(new Webhook(mirror.secret).verify(again[1]!.body, again[1]!.headers as Record<string, string>))
})

t.test('after a rotation deliveries are signed with both secrets until the overlap ends', async (t) => {
  const rotated = (await h.app.inject({ method: 'POST', url: `/v1/webhooks/${mirror.id}/rotate-secret`, headers: admin })).json()
  const topic = async (name: string) => h.app.inject({ method: 'POST', url: '/v1/topics', headers: h.as.write, payload: { kind: 'subject', name } })
  await topic('Ferries')
  await drain()
  const during = received.at(-1)!
  t.equal(String(during.headers['webhook-signature']).split(' ').length, 2)
  t.ok(new Webhook(rotated.secret).verify(during.body, during.headers as Record<string, string>), 'the new secret verifies')
  t.ok(new Webhook(mirror.secret).verify(during.body, during.headers as Record<string, string>), 'so does the old one')
  clock.advance(11_000)
  await topic('Tunnels')
  await drain()
  const after = received.at(-1)!
  t.equal(String(after.headers['webhook-signature']).split(' ').length, 1)
  t.ok(new Webhook(rotated.secret).verify(after.body, after.headers as Record<string, string>))
  t.throws(() => new Webhook(mirror.secret).verify(after.body, after.headers as Record<string, string>), 'the old secret no longer signs')
  mirror.secret = rotated.secret
})

t.test('redirects are not followed, large answers are cut off, slow ones time out', async (t) => {
  const redirect = await subscribe('/redirect', ['contributor.*'])
  const big = await subscribe('/big', ['contributor.*'])
  const slow = await subscribe('/slow', ['contributor.*'])
  received.length = 0
  await h.app.inject({ method: 'POST', url: '/v1/contributors', headers: h.as.write, payload: { kind: 'agency', name: 'Wire Service' } })
  await drain()
  t.same(received.map((r) => r.path).sort(), ['/big', '/redirect', '/slow'], '/ok was never asked for')
  t.match((await deliveries(redirect.id))[0], { status: 'pending', attempts: [{ statusCode: 302, error: 'HTTP 302' }] })
  t.match((await deliveries(big.id))[0], { status: 'delivered', attempts: [{ statusCode: 200 }] })
  t.match((await deliveries(slow.id))[0], { status: 'pending', attempts: [{ statusCode: null, error: /no answer within 1000 ms/ }] })
  for (const s of [redirect, big, slow]) {
    const version = (await h.app.inject({ url: `/v1/webhooks/${s.id}`, headers: admin })).json().version
    await h.app.inject({ method: 'DELETE', url: `/v1/webhooks/${s.id}`, headers: { ...admin, 'if-match': String(version) } })
  }
})

t.test('an address refused at send time is never contacted, even when it was accepted at creation', async (t) => {
  const sub = await subscribe('/ok', ['section.*'])
  await h.sql(`update webhook_subscriptions set url = 'http://169.254.169.254/latest/meta-data/' where id = '${sub.id}'`)
  received.length = 0
  await h.app.inject({ method: 'POST', url: '/v1/sections', headers: h.as.write, payload: { name: 'Business' } })
  await drain()
  t.match((await deliveries(sub.id))[0], { status: 'pending', attempts: [{ statusCode: null, error: /refused: .*169\.254\.169\.254, a linkLocal address/ }] })
  for (const url of ['http://169.254.169.254/', 'http://10.0.0.1/', 'http://[fd00:ec2::254]/']) {
    t.equal((await h.app.inject({ method: 'POST', url: '/v1/webhooks', headers: admin, payload: { url, events: ['*'] } })).statusCode, 400, `${url} is refused though 127.0.0.1 is allowlisted`)
  }
  const version = (await h.app.inject({ url: `/v1/webhooks/${sub.id}`, headers: admin })).json().version
  await h.app.inject({ method: 'DELETE', url: `/v1/webhooks/${sub.id}`, headers: { ...admin, 'if-match': String(version) } })
})

t.test('a delivery gives up after the retry window; a subscription failing for long enough is disabled, with the reason shown', async (t) => {
  const failing = await subscribe('/fail', ['media.*'])
  const media = () => h.app.inject({ method: 'POST', url: '/v1/media', headers: h.as.write, payload: { kind: 'audio' } })
  await media()
  await drain()
  for (let i = 0; i < 6; i++) {
    clock.advance(5000)
    await drain()
  }
  const [first] = await deliveries(failing.id)
  t.equal(first!.status, 'failed', 'given up after 20 s')
  t.ok(first!.attempts.length >= 4 && first!.attempts.length <= 15, `${first!.attempts.length} attempts, backing off`)
  t.ok(first!.attempts.every((a) => a.statusCode === 500 && a.error === 'HTTP 500'))
  t.equal((await h.app.inject({ url: `/v1/webhooks/${failing.id}`, headers: admin })).json().active, true, 'not yet disabled: 30 s have not passed')

  clock.advance(5000)
  await media()
  await drain()
  const disabled = (await h.app.inject({ url: `/v1/webhooks/${failing.id}`, headers: admin })).json()
  t.match(disabled, { active: false, disabledReason: /every attempt failed for .* the last one: HTTP 500/ })
  received.length = 0
  const before = (await deliveries(failing.id)).length
  await media()
  clock.advance(60_000)
  await drain()
  t.equal(received.length, 0, 'a disabled subscription gets nothing')
  const waiting = await deliveries(failing.id)
  t.equal(waiting.length, before + 1, 'an event while it is disabled still gets a delivery, so nothing is missed')
  t.match(waiting[0], { status: 'pending', attempts: [] }, 'which waits, unsent')

  const enabled = await h.app.inject({ method: 'PATCH', url: `/v1/webhooks/${failing.id}`, headers: { ...admin, 'if-match': String(disabled.version) }, payload: { active: true } })
  t.match(enabled.json(), { active: true, disabledReason: null, failingSince: null })
  await drain()
  t.ok((await deliveries(failing.id))[0]!.attempts.length > 0, 'and is sent once the subscription is on again')
})
