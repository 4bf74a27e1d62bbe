import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { checkTarget, parseAllowlist, type Resolve } from '../../src/services/webhookTarget.js'
import { send } from '../../src/services/webhookSender.js'
import { retryDelay } from '../../src/services/webhooks.js'

const none = parseAllowlist([])
/** A resolver with fixed answers (no network). */
const dns = (answers: Record<string, string[]>): Resolve => async (host) => {
  const found = answers[host]
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
}

t.test('every non-public address is refused, however it is spelt', async (t) => {
  const refused = [
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[::7f00:1]/',
    'http://[::a9fe:a9fe]/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://0x7f000001/',
    'http://127.0.0.1:65535/',
    'http://[::1]/',
    'http://[::]/',
    'http://0.0.0.0/',
    'http://100.64.0.1/',
    'http://172.16.5.4/',
    'http://192.168.0.1/',
    'http://[fd00:ec2::254]/',
    'http://[fe80::1]/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'http://[64:ff9b::a9fe:a9fe]/',
  ]
  for (const url of refused) await t.rejects(checkTarget(url, none, dns({})), { name: 'UnsafeTargetError' }, url)
})

t.test('only http(s), without credentials, is accepted; any port', async (t) => {
  for (const url of ['ftp://93.184.215.14/', 'file:///etc/passwd', 'gopher://93.184.215.14/', 'https://a:b@93.184.215.14/', 'nonsense']) {
    await t.rejects(checkTarget(url, none, dns({})), { name: 'UnsafeTargetError' }, url)
  }
  t.match(await checkTarget('https://93.184.215.14:8443/x?y=1', none, dns({})), { address: '93.184.215.14', family: 4 })
  t.match(await checkTarget('http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/', none, dns({})), { family: 6 })
})

t.test('a host name is refused when any address it resolves to is not public, or when it does not resolve', async (t) => {
  const resolve = dns({ 'public.test': ['93.184.215.14'], 'mixed.test': ['93.184.215.14', '10.1.2.3'], 'metadata.test': ['169.254.169.254'], 'mapped.test': ['::ffff:127.0.0.1'] })
  t.match(await checkTarget('https://public.test/hook', none, resolve), { host: 'public.test', address: '93.184.215.14' })
  for (const host of ['mixed.test', 'metadata.test', 'mapped.test', 'missing.test']) {
    await t.rejects(checkTarget(`https://${host}/hook`, none, resolve), { name: 'UnsafeTargetError' }, host)
  }
})

t.test('the allowlist admits addresses, CIDRs and host names, and nothing else', async (t) => {
  const list = parseAllowlist(['127.0.0.1', '10.20.0.0/16', 'hooks.internal'])
  const resolve = dns({ 'hooks.internal': ['10.99.0.1'], 'other.internal': ['10.99.0.1'] })
  t.match(await checkTarget('http://127.0.0.1:9/', list, resolve), { address: '127.0.0.1' })
  t.match(await checkTarget('http://[::ffff:127.0.0.1]/', list, resolve), { address: '::ffff:7f00:1' }, 'the same address, mapped')
  t.match(await checkTarget('http://10.20.3.4/', list, resolve), { address: '10.20.3.4' })
  t.match(await checkTarget('http://hooks.internal/', list, resolve), { address: '10.99.0.1' })
  await t.rejects(checkTarget('http://other.internal/', list, resolve), { name: 'UnsafeTargetError' })
  await t.rejects(checkTarget('http://127.0.0.2/', list, resolve), { name: 'UnsafeTargetError' })
  await t.rejects(checkTarget('http://169.254.169.254/', list, resolve), { name: 'UnsafeTargetError' })
})

t.test('the sender connects to the checked address only: a name that would resolve elsewhere now is never looked up again', async (t) => {
  const hosts: string[] = []
  const server = createServer((req, res) => {
    hosts.push(req.headers.host ?? '')
    res.writeHead(204).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => server.close())
  const { port } = server.address() as AddressInfo
  // The check saw 127.0.0.1 (allowlisted); the name itself resolves nowhere (.invalid), so only the pinned address can reach the server.
  const target = await checkTarget(`http://rebind.invalid:${port}/hook`, parseAllowlist(['127.0.0.1']), dns({ 'rebind.invalid': ['127.0.0.1'] }))
  const result = await send(target, { 'content-type': 'application/json' }, '{}', { timeoutMs: 5000, maxResponseBytes: 1024 })
  t.match(result, { statusCode: 204, error: null })
  t.same(hosts, [`rebind.invalid:${port}`], 'the Host header names the host; the connection went to the checked address')
})

t.test('retry delays grow exponentially up to the cap, with jitter between half and all of the delay', async (t) => {
  t.equal(retryDelay(1, 1000, 60_000, 0), 500)
  t.equal(retryDelay(1, 1000, 60_000, 0.999999), 1000)
  t.equal(retryDelay(4, 1000, 60_000, 1), 8000)
  t.equal(retryDelay(30, 1000, 60_000, 1), 60_000)
  t.equal(retryDelay(30, 1000, 60_000, 0), 30_000)
})
