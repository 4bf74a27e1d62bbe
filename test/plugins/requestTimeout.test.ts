import t from 'tap'
import type { AddressInfo } from 'node:net'
import { rawRequest, testApp } from '../helpers.js'

t.test('a request body that stops arriving gets a 408 problem after REQUEST_TIMEOUT_MS and its connection is closed', async (t) => {
  const h = await testApp(t, { requestTimeoutMs: 1000 })
  await h.app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = h.app.server.address() as AddressInfo
  const head = `POST /v1/articles HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n`
  // Both stall at once (each waits out the same timeout): one stops after its headers were accepted, one was refused before its body.
  const [stalled, refused] = await Promise.all([
    rawRequest(port, `${head}Authorization: ${h.as.write.authorization}\r\n\r\n{"headl`, 20_000),
    rawRequest(port, `${head}\r\n{"headl`, 20_000),
  ])
  t.match(stalled.answer, /^HTTP\/1\.1 408 /)
  t.match(stalled.answer, /\r\nContent-Type: application\/problem\+json\r\n/)
  t.match(JSON.parse(stalled.answer.slice(stalled.answer.indexOf('\r\n\r\n') + 4)), { type: '/problems/request-timeout', status: 408 })
  t.ok(stalled.ms >= 900 && stalled.ms < 15_000, `answered after the timeout, not at the client's deadline (${stalled.ms} ms)`)
  // Refused before its body was read (no key): the 401 is sent at once, then the stalled connection is closed.
  t.match(refused.answer, /^HTTP\/1\.1 401 /)
  t.notMatch(refused.answer, /408/, 'no second answer')
  t.ok(refused.ms < 15_000, `closed after the timeout (${refused.ms} ms)`)
  const ok = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { headlines: { basic: 'On time' }, body: [] } })
  t.equal(ok.statusCode, 201, 'a whole body is not timed out')
})
