import t from 'tap'
import { connect, type AddressInfo } from 'node:net'
import { testApp } from '../helpers.js'

/* Issue 11, defect 7: errors raised before routing, or by Node's HTTP parser, are problem+json too. */

/** Sends raw bytes to the server and resolves with the whole raw answer (the server closes the connection). */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('error', (err) => (answer ? resolve(answer) : reject(err)))
    socket.on('close', () => resolve(answer))
    socket.write(request)
  })
}

const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>

t.test('a URL that is not valid percent-encoding is a 400 problem', async (t) => {
  const h = await testApp(t)
  const res = await h.app.inject({ url: '/v1/articles/%ff/related' })
  t.equal(res.statusCode, 400)
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(res.json(), { type: '/problems/bad-url', status: 400, title: 'Bad Request', requestId: String })
})

t.test('an id longer than the longest documented one is a 414 problem; ids up to it reach the route', async (t) => {
  const h = await testApp(t)
  const long = await h.app.inject({ url: `/v1/articles/${'a'.repeat(201)}` })
  t.equal(long.statusCode, 414)
  t.equal(long.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(long.json(), { type: '/problems/uri-too-long', status: 414, detail: /200 characters/ })
  const longest = await h.app.inject({ url: `/v1/articles/${'a'.repeat(200)}` })
  t.equal(longest.statusCode, 404, 'an id of 200 characters is looked up')
  t.equal(longest.headers['content-type'], 'application/problem+json; charset=utf-8')
})

t.test('oversized headers (431) and a malformed request (400) from the HTTP parser are problem+json', async (t) => {
  const h = await testApp(t)
  await h.app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = h.app.server.address() as AddressInfo
  const big = await raw(port, `GET /v1/articles HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'x'.repeat(20000)}\r\n\r\n`)
  t.match(big, /^HTTP\/1\.1 431 /)
  t.match(big, /\r\ncontent-type: application\/problem\+json\r\n/i)
  t.match(bodyOf(big), { type: '/problems/headers-too-large', status: 431, title: 'Request Header Fields Too Large' })
  const garbage = await raw(port, 'NOT HTTP AT ALL\r\n\r\n')
  t.match(garbage, /^HTTP\/1\.1 400 /)
  t.match(bodyOf(garbage), { type: '/problems/bad-request', status: 400 })
})
