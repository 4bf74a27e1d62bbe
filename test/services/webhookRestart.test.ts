import t from 'tap'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Webhook } from 'standardwebhooks'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import { manualClock } from '../helpers.js'
import { reuseCompiled } from '../compilers.js'

/**
 * A restart in the middle loses no event: one process delivers some, claims
 * more and dies before sending them, with more still in the outbox; the next
 * process on the same database file sends every one of them. (A database
 * file: this test is about SQLite files, as restarts are.)
 */
t.test('a process restart in the middle of dispatching loses no event', async (t) => {
  const received: { headers: IncomingHttpHeaders; body: string }[] = []
  const receiver = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => (body += c))
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
  t.teardown(() => receiver.close())
  const { port } = receiver.address() as AddressInfo

  const config = testConfig({ databasePath: join(t.testdir(), 'newsdesk.db'), webhooks: { ...testConfig().webhooks, allowedHosts: ['127.0.0.1'], timeoutMs: 1000 } })
  const first = await buildApp(config, { runtime: manualClock(), compilers: reuseCompiled })
  const { key } = await first.services.apiKeys.create('admin', 'admin')
  const headers = { authorization: `Bearer ${key}` }
  const sub = (await first.app.inject({ method: 'POST', url: '/v1/webhooks', headers, payload: { url: `http://127.0.0.1:${port}/hook`, events: ['*'] } })).json()
  const topic = (app: typeof first.app, name: string) => app.inject({ method: 'POST', url: '/v1/topics', headers, payload: { kind: 'subject', name } })

  await topic(first.app, 'One')
  await topic(first.app, 'Two')
  await first.services.webhooks.runOnce()
  t.equal(received.length, 2, 'the first process delivers two')
  for (const name of ['Three', 'Four', 'Five']) await topic(first.app, name)
  // It fans these out and claims them, then dies before sending: its leases are left behind.
  const now = new Date()
  await first.data.repos.webhooks.fanOut(now.toISOString(), 10, () => crypto.randomUUID())
  t.equal((await first.data.repos.webhooks.claim(now.toISOString(), new Date(now.getTime() + 32_000).toISOString(), 'dead-process', 10)).length, 3)
  await topic(first.app, 'Six') // and this one never left the outbox
  await first.app.close()

  // The next process, after the dead one's leases ran out.
  const second = await buildApp(config, { runtime: manualClock(Date.now() + 40_000), compilers: reuseCompiled })
  t.teardown(() => second.app.close())
  for (let round = 0; round < 10; round++) {
    const r = await second.services.webhooks.runOnce()
    if (r.events === 0 && r.attempts === 0) break
  }

  const verifier = new Webhook(sub.secret)
  const names = received.map((r) => (verifier.verify(r.body, r.headers as Record<string, string>) as { type: string }).type)
  t.equal(names.length, 6)
  t.ok(names.every((n) => n === 'topic.created'))
  const expected = (await second.data.repos.webhooks.deliveries(sub.id, 100, null)).map((d) => d.eventId).sort()
  t.same(received.map((r) => r.headers['webhook-id']).sort(), expected, 'one delivery of each event')
  t.equal(expected.length, 6)
})
