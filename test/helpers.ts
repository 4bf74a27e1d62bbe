import { connect } from 'node:net'
import { buildApp, type App } from '../src/app.js'
import { testConfig, type Config } from '../src/config.js'
import { systemRuntime, type Runtime } from '../src/services/clock.js'
import { reuseCompiled } from './compilers.js'

export interface TestApp extends App {
  /** Authorization headers for an admin, a write and a read key. */
  as: { admin: Record<string, string>; write: Record<string, string>; read: Record<string, string> }
}

interface Teardown {
  teardown(fn: () => unknown): void
}

/**
 * A fresh app on an in-memory database with the real migrations, closed when
 * the test ends. Call it with the file's `t` (in t.before or at the top level)
 * for one app shared by the file's tests. Route schemas compiled by an earlier
 * app of the process are reused (see compilers.ts), so an app costs little.
 */
export async function testApp(t: Teardown, overrides: Partial<Config> = {}, runtime?: Runtime): Promise<TestApp> {
  const built = await buildApp(testConfig(overrides), { ...(runtime ? { runtime } : {}), compilers: reuseCompiled })
  t.teardown(() => built.app.close())
  const bearer = async (scope: 'admin' | 'write' | 'read') => ({
    authorization: `Bearer ${(await built.services.apiKeys.create(`${scope} key`, scope)).key}`,
  })
  return { ...built, as: { admin: await bearer('admin'), write: await bearer('write'), read: await bearer('read') } }
}

export const minimalArticle = (headline = 'Council approves new harbour bridge') => ({
  headlines: { basic: headline },
  body: [{ type: 'paragraph', html: 'The council voted <strong>31 to 9</strong> on Thursday.' }],
})

/** A clock the test moves by hand. */
export function manualClock(start = Date.now()): Runtime & { advance(ms: number): void } {
  let now = start
  return { now: () => new Date(now), newId: systemRuntime.newId, advance: (ms) => (now += ms) }
}

/**
 * Sends raw bytes to 127.0.0.1:port (for what Node's HTTP parser decides: header
 * sizes, unfinished requests) and resolves with the whole raw answer when the
 * server closes the connection, or when the client gives up at deadlineMs.
 */
export function rawRequest(port: number, request: string, deadlineMs = 10_000): Promise<{ answer: string; ms: number }> {
  const started = Date.now()
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    const timer = setTimeout(() => socket.destroy(), deadlineMs)
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      resolve({ answer, ms: Date.now() - started })
    })
    socket.write(request)
  })
}
