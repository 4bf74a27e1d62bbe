import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'

/**
 * Where a webhook may be sent (SSRF protection). A URL is refused unless it is
 * http(s), carries no credentials, and every address its host resolves to is
 * a public unicast address, as ipaddr.js classifies it: loopback, private,
 * link-local (169.254.169.254, the cloud metadata address, among them),
 * carrier-grade NAT, unique-local (fd00:ec2::254), unspecified, multicast,
 * reserved, NAT64, 6to4, Teredo... are all refused. IPv4-mapped IPv6
 * ([::ffff:127.0.0.1]) is judged as the IPv4 address it maps. Decimal, octal
 * and hex forms (2130706433, 0177.0.0.1, 0x7f.1) never get past: the URL
 * parser (WHATWG) turns them into the dotted address they mean.
 *
 * The check gives the address it approved; the sender connects to that
 * address only (see webhookSender.ts), so a DNS answer that changes between
 * the check and the connect cannot redirect the request.
 *
 * The only exception is the allowlist (WEBHOOK_ALLOWED_HOSTS): host names,
 * addresses and CIDRs that may be targeted although they are not public.
 */

export type Resolve = (host: string) => Promise<{ address: string; family: number }[]>

export const systemResolve: Resolve = (host) => lookup(host, { all: true, verbatim: true })

export interface Allowlist {
  hosts: Set<string>
  ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][]
}

/** Parses WEBHOOK_ALLOWED_HOSTS entries: a CIDR (10.1.0.0/16), an address (127.0.0.1, ::1) or a host name. */
export function parseAllowlist(entries: string[]): Allowlist {
  const hosts = new Set<string>()
  const ranges: Allowlist['ranges'] = []
  for (const entry of entries) {
    if (entry.includes('/')) {
      ranges.push(ipaddr.parseCIDR(entry))
    } else if (ipaddr.isValid(entry) && isIP(entry) !== 0) {
      const address = ipaddr.process(entry)
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128])
    } else hosts.add(entry.toLowerCase())
  }
  return { hosts, ranges }
}

export class UnsafeTargetError extends Error {
  override name = 'UnsafeTargetError'
}

export interface Target {
  url: URL
  /** The host as the request names it (no brackets around an IPv6 address). */
  host: string
  /** The approved address the request must connect to. */
  address: string
  family: 4 | 6
}

/**
 * The range an address is in, as ipaddr.js names it, except that an
 * IPv4-compatible IPv6 address (::a.b.c.d, deprecated by RFC 4291 but routed
 * to the IPv4 address by some stacks), which ipaddr.js calls unicast, is
 * named for what it is.
 */
function rangeOf(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  const range = address.range()
  if (range === 'unicast' && address.kind() === 'ipv6' && (address as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0)) return 'IPv4-compatible'
  return range
}

const allowed = (address: ipaddr.IPv4 | ipaddr.IPv6, list: Allowlist) =>
  list.ranges.some(([range, bits]) => range.kind() === address.kind() && address.match(range as never, bits))

/** Checks a webhook URL and resolves its host; throws UnsafeTargetError saying why it is refused. */
export async function checkTarget(raw: string, list: Allowlist, resolve: Resolve = systemResolve): Promise<Target> {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UnsafeTargetError('is not an absolute URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsafeTargetError('must be http or https')
  if (url.username !== '' || url.password !== '') throw new UnsafeTargetError('must not carry a user name or password')
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const literal = isIP(host) !== 0
  let answers: { address: string; family: number }[]
  if (literal) answers = [{ address: host, family: isIP(host) }]
  else {
    try {
      answers = await resolve(host)
    } catch {
      throw new UnsafeTargetError(`names a host that does not resolve (${host})`)
    }
    if (answers.length === 0) throw new UnsafeTargetError(`names a host that does not resolve (${host})`)
  }
  const byName = !literal && list.hosts.has(host.toLowerCase())
  for (const answer of answers) {
    const address = ipaddr.process(answer.address)
    const range = rangeOf(address)
    if (range !== 'unicast' && !byName && !allowed(address, list)) {
      throw new UnsafeTargetError(`points at ${address.toString()}, a ${range} address, which webhooks may not reach (WEBHOOK_ALLOWED_HOSTS lists exceptions)`)
    }
  }
  const first = answers[0]!
  return { url, host, address: first.address, family: first.family === 6 ? 6 : 4 }
}
