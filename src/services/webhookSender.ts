import { request as httpRequest, type RequestOptions } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import type { Target } from './webhookTarget.js'

/** What one POST came to: the answer's status (null: none came) or what went wrong. */
export interface SendResult {
  statusCode: number | null
  error: string | null
  durationMs: number
}

export interface SendOptions {
  /** The whole attempt, connect to the end of the answer. */
  timeoutMs: number
  /** Read no more of the answer than this. */
  maxResponseBytes: number
}

export type Send = (target: Target, headers: Record<string, string>, body: string, options: SendOptions) => Promise<SendResult>

/**
 * POSTs a webhook to the address checkTarget approved: the request's `lookup`
 * answers with that address, so the host is never resolved again (no DNS
 * rebinding between check and connect). No redirect is followed (a 3xx is a
 * failed attempt), no connection is pooled, the attempt is bounded in time,
 * and no more than maxResponseBytes of the answer is read.
 */
export const send: Send = (target, headers, body, options) => {
  const started = performance.now()
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) (callback as (err: null, addresses: { address: string; family: number }[]) => void)(null, [{ address: target.address, family: target.family }])
    else callback(null, target.address, target.family)
  }
  const requestOptions: RequestOptions = {
    method: 'POST',
    hostname: target.host,
    port: target.url.port === '' ? undefined : Number(target.url.port),
    path: `${target.url.pathname}${target.url.search}`,
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    lookup: pinned,
    agent: false,
  }
  return new Promise<SendResult>((resolve) => {
    let settled = false
    const finish = (statusCode: number | null, error: string | null) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ statusCode, error, durationMs: Math.round(performance.now() - started) })
    }
    const req = (target.url.protocol === 'https:' ? httpsRequest : httpRequest)(requestOptions, (res) => {
      let read = 0
      res.on('data', (chunk: Buffer) => {
        read += chunk.length
        if (read > options.maxResponseBytes) {
          finish(res.statusCode ?? null, null)
          req.destroy()
        }
      })
      res.on('end', () => finish(res.statusCode ?? null, null))
      res.on('error', () => finish(res.statusCode ?? null, null))
    })
    const timer = setTimeout(() => {
      finish(null, `no answer within ${options.timeoutMs} ms`)
      req.destroy()
    }, options.timeoutMs)
    req.on('error', (err: NodeJS.ErrnoException) => finish(null, err.code ? `${err.code}: ${err.message}` : err.message))
    req.end(body)
  })
}
