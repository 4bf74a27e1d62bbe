import t from 'tap'
import { testApp } from '../helpers.js'

// Readers have a limit of their own (READER_RATE_LIMIT_PER_MINUTE), counted per reader, and per token on a private feed URL.
const h = await testApp(t, { rateLimitPerMinute: 100, readerRateLimitPerMinute: 3 })

const newReader = async () => {
  const res = await h.app.inject({ method: 'POST', url: '/v1/readers', headers: h.as.read })
  return { authorization: `Bearer ${(res.json() as { token: string }).token}` }
}

t.test('a reader gets its own limit, counted per reader, apart from API keys', async (t) => {
  const first = await newReader()
  const second = await newReader()
  const statuses: number[] = []
  for (let i = 0; i < 4; i++) statuses.push((await h.app.inject({ url: '/v1/me/follows', headers: first })).statusCode)
  t.same(statuses, [200, 200, 200, 429], 'the fourth request of the minute is refused')
  const limited = await h.app.inject({ url: '/v1/me/feed', headers: first })
  t.equal(limited.statusCode, 429)
  t.equal(limited.headers['ratelimit-limit'], '3')
  t.equal((await h.app.inject({ url: '/v1/me/follows', headers: second })).statusCode, 200, 'another reader counts apart')
  t.equal((await h.app.inject({ url: '/v1/topics', headers: h.as.read })).headers['ratelimit-limit'], '100', 'API keys keep theirs')
})

t.test('a private feed URL is limited per token, at the readers rate', async (t) => {
  const reader = await newReader()
  const { rss } = (await h.app.inject({ method: 'PUT', url: '/v1/me/feed-token', headers: reader })).json() as { rss: string }
  const statuses: number[] = []
  for (let i = 0; i < 4; i++) statuses.push((await h.app.inject({ url: rss, remoteAddress: `10.0.0.${i + 1}` })).statusCode)
  t.same(statuses, [200, 200, 200, 429], 'whatever address the feed reader polls from')
})
