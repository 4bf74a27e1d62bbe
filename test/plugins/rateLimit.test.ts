import t from 'tap'
import { Redis } from 'ioredis'
import { randomInt } from 'node:crypto'
import { testApp } from '../helpers.js'

/**
 * The shared store: a Redis server at TEST_REDIS_URL, or else redis://127.0.0.1:6379.
 * Required when TEST_REDIS_URL or CI is set; otherwise the shared-limit test is
 * skipped with the reason (a fresh machine has no Redis).
 */
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const required = process.env.TEST_REDIS_URL !== undefined || process.env.CI !== undefined

async function redisAnswers(): Promise<string | null> {
  const probe = new Redis(redisUrl, { connectTimeout: 1000, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null })
  try {
    await probe.connect()
    await probe.ping()
    return null
  } catch (err) {
    return (err as Error).message
  } finally {
    probe.disconnect()
  }
}

/** A caller address of its own, so that runs in parallel (or earlier runs within the window) never share a count. */
const someAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`

t.test('with REDIS_URL, every process counts against one shared limit', async (t) => {
  const down = await redisAnswers()
  if (down !== null) {
    if (required) throw new Error(`no Redis at ${redisUrl}: ${down}`)
    t.comment(`skipped: no Redis at ${redisUrl} (${down}); set TEST_REDIS_URL to run on one`)
    return
  }
  const first = await testApp(t, { rateLimitPerMinute: 4, redisUrl })
  const second = await testApp(t, { rateLimitPerMinute: 4, redisUrl })
  const remoteAddress = someAddress()
  const statuses: number[] = []
  let last
  for (let i = 0; i < 5; i++) {
    last = await (i % 2 === 0 ? first : second).app.inject({ url: '/v1/articles', remoteAddress })
    statuses.push(last.statusCode)
  }
  t.same(statuses, [200, 200, 200, 200, 429], 'four requests in all across the two processes, not four each')
  t.match(last!.json(), { type: '/problems/rate-limited', status: 429 })
  t.equal(last!.headers['ratelimit-remaining'], '0')
  t.equal((await first.app.inject({ url: '/v1/articles', remoteAddress: someAddress() })).statusCode, 200, 'another caller has its own budget')
})

t.test('when the Redis of REDIS_URL does not answer, requests are served unlimited rather than refused', async (t) => {
  // Port 1 on the loopback: nothing listens there, so every command fails at once.
  const h = await testApp(t, { rateLimitPerMinute: 1, redisUrl: 'redis://127.0.0.1:1' })
  const remoteAddress = someAddress()
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) statuses.push((await h.app.inject({ url: '/v1/articles', remoteAddress })).statusCode)
  t.same(statuses, [200, 200, 200])
})

t.test('behind a trusted proxy (TRUST_PROXY), anonymous callers are limited by the address the proxy forwards, not the proxy\'s own', async (t) => {
  const proxy = someAddress()
  const clients = [someAddress(), someAddress()]
  const trusting = await testApp(t, { rateLimitPerMinute: 1, trustProxy: [proxy] })
  const viaProxy = (app: typeof trusting, client: string) => app.app.inject({ url: '/v1/articles', remoteAddress: proxy, headers: { 'x-forwarded-for': client } })
  t.same([(await viaProxy(trusting, clients[0]!)).statusCode, (await viaProxy(trusting, clients[1]!)).statusCode], [200, 200], 'one budget per client')
  t.equal((await viaProxy(trusting, clients[0]!)).statusCode, 429, 'and each is spent')

  const plain = await testApp(t, { rateLimitPerMinute: 1 })
  t.same([(await viaProxy(plain, clients[0]!)).statusCode, (await viaProxy(plain, clients[1]!)).statusCode], [200, 429], 'without it, X-Forwarded-For is ignored: the peer is the caller')
  const hops = await testApp(t, { rateLimitPerMinute: 1, trustProxy: 1 })
  t.same([(await viaProxy(hops, clients[0]!)).statusCode, (await viaProxy(hops, clients[1]!)).statusCode], [200, 200], 'a hop count trusts the nearest proxy')
})
