import { connect } from 'node:net'
import { buildApp, type App } from '../src/app.js'
import { testConfig, type Config } from '../src/config.js'
import { systemRuntime, type Runtime } from '../src/services/clock.js'
import { reuseCompiled } from './compilers.js'
import { openDataLayer, type DataLayer, type DataSource } from '../src/db/index.js'

export interface TestApp extends App {
  /** Authorization headers for an admin, a write and a read key. */
  as: { admin: Record<string, string>; write: Record<string, string>; read: Record<string, string> }
  /**
   * Runs plain SQL on the app's database, whichever the engine, for checks on
   * what is stored: write SQL both engines read alike (literals, no parameters;
   * a count cast to integer, which PostgreSQL would return as a bigint).
   */
  sql<T = Record<string, unknown>>(text: string): Promise<T[]>
}

interface Teardown {
  teardown(fn: () => unknown): void
}

/** The engine the route tests run on: TEST_ENGINE=sqlite (the default), pglite or postgres. */
export const testEngine = (process.env.TEST_ENGINE ?? 'sqlite') as 'sqlite' | 'pglite' | 'postgres'
if (!['sqlite', 'pglite', 'postgres'].includes(testEngine)) throw new Error(`TEST_ENGINE=${testEngine}: use sqlite, pglite or postgres`)

/**
 * A fresh database on the test engine, or undefined for SQLite (the config's
 * :memory:). PGlite: a copy of a template migrated once per process, closed
 * with the app. A server: a database of its own, dropped when the test ends.
 */
async function testDataSource(t: Teardown): Promise<{ source: DataSource; sql(text: string): Promise<unknown[]> } | undefined> {
  if (testEngine === 'sqlite') return undefined
  // Imported only here, so that SQLite runs load no PostgreSQL code.
  const { pgliteCopy, serverTarget } = await import('./pg.js')
  if (testEngine === 'pglite') {
    const { client, db } = await pgliteCopy()
    // Once, whoever asks first (a test may close the data layer before its app does).
    let closing: Promise<void> | undefined
    return { source: { postgres: db, close: () => (closing ??= client.close()) }, sql: async (text) => (await client.query(text)).rows }
  }
  const target = await serverTarget(t)
  if ('skip' in target) throw new Error(`TEST_ENGINE=postgres: ${target.skip}`)
  // Closing the data layer closes the target's pool and drops its database (the test's teardown would otherwise).
  return { source: { postgres: target.db, close: () => target.close() }, sql: (text) => target.query(text) }
}

/**
 * A fresh app on an in-memory database with the real migrations (on
 * TEST_ENGINE, see testDataSource), closed when the test ends. Call it with the file's `t` (in t.before or at the top level)
 * for one app shared by the file's tests. Route schemas compiled by an earlier
 * app of the process are reused (see compilers.ts), so an app costs little.
 */
export async function testApp(t: Teardown, overrides: Partial<Config> = {}, runtime?: Runtime): Promise<TestApp> {
  // A test that names a database file is about SQLite files (copies, backups, restarts): it stays on SQLite.
  const engine = overrides.databasePath !== undefined && overrides.databasePath !== ':memory:' ? undefined : await testDataSource(t)
  const built = await buildApp(testConfig(overrides), { ...(runtime ? { runtime } : {}), ...(engine ? { dataSource: engine.source } : {}), compilers: reuseCompiled })
  t.teardown(() => built.app.close())
  const bearer = async (scope: 'admin' | 'write' | 'read') => ({
    authorization: `Bearer ${(await built.services.apiKeys.create(`${scope} key`, scope)).key}`,
  })
  const sqlite = built.data.sqlite
  const sql = async <T,>(text: string): Promise<T[]> => {
    if (engine) return (await engine.sql(text)) as T[]
    const statement = sqlite!.prepare(text)
    if (statement.reader) return statement.all() as T[]
    statement.run()
    return []
  }
  return { ...built, sql, as: { admin: await bearer('admin'), write: await bearer('write'), read: await bearer('read') } }
}

/** A data layer alone (no app) on TEST_ENGINE, closed when the test ends: for service and repository tests. */
export async function testDataLayer(t: Teardown): Promise<DataLayer> {
  const engine = await testDataSource(t)
  const data = await openDataLayer(engine?.source ?? ':memory:')
  t.teardown(() => data.close())
  return data
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
