import t from 'tap'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { article, call, checkDatabase, quantile, root, spawnServer, type ServerProcess } from './lib.js'

/**
 * Lock contention: another process holds the write lock (BEGIN IMMEDIATE, kept).
 * Writes answer 503 database-busy with Retry-After within a bounded time
 * (DB_BUSY_TIMEOUT_MS, not the former fixed 2 s wait per write); reads (WAL)
 * and /healthz keep answering meanwhile; once the lock is gone, writes go through.
 */
const BUSY_TIMEOUT_MS = 150
const WRITES = 24
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A child process with its own better-sqlite3 connection that takes the write lock and keeps it until its stdin closes. */
function holdWriteLock(file: string) {
  const script = `
    const Database = require('better-sqlite3')
    const db = new Database(process.argv[1])
    db.exec('BEGIN IMMEDIATE')
    process.stdout.write('locked\\n')
    process.stdin.resume()
    process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); process.stdout.write('released\\n'); process.exit(0) })
  `
  const child = spawn(process.execPath, ['-e', script, file], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  process.once('exit', () => child.kill('SIGKILL'))
  return {
    output: () => out,
    release: async () => {
      child.stdin.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}

t.test('while another process holds the write lock, writes answer 503 with Retry-After in bounded time and reads stay responsive', async (t) => {
  let server: ServerProcess | undefined
  let holder: ReturnType<typeof holdWriteLock> | undefined
  t.teardown(async () => {
    await holder?.release()
    await server?.stop()
  })
  const file = join(t.testdir(), 'newsdesk.db')
  server = await spawnServer(file, { DB_BUSY_TIMEOUT_MS: String(BUSY_TIMEOUT_MS), LOG_LEVEL: 'info' })
  const base = server.base
  const first = await call(base, 'POST', '/v1/articles', { body: article('Stored before the lock') })
  t.equal(first.status, 201)
  const id = first.body.id as string

  holder = holdWriteLock(file)
  const lockDeadline = Date.now() + 60_000
  while (!holder.output().includes('locked') && Date.now() < lockDeadline) await sleep(50)
  t.ok(holder.output().includes('locked'), 'the other process holds the write lock')

  // Writes (creates and edits, four at a time) and reads side by side while the lock is held.
  const writeTimes: number[] = []
  const readTimes: number[] = []
  const healthTimes: number[] = []
  const writeStatuses = new Map<string, number>()
  const failedReads: string[] = []
  let writesDone = false
  const reader = async () => {
    while (!writesDone) {
      const read = await call(base, 'GET', `/v1/articles/${id}`)
      const list = await call(base, 'GET', '/v1/articles?limit=5', { anonymous: true })
      const health = await call(base, 'GET', '/healthz')
      for (const res of [read, list, health]) if (res.status !== 200) failedReads.push(`${res.status} ${String(res.body.type)}`)
      readTimes.push(read.ms, list.ms)
      healthTimes.push(health.ms)
    }
  }
  const writer = async (w: number) => {
    for (let i = w; i < WRITES; i += 4) {
      const res =
        i % 2 === 0
          ? await call(base, 'POST', '/v1/articles', { body: article(`Written during the lock ${i}`), headers: i % 4 === 0 ? { 'idempotency-key': `lock-${i}` } : {} })
          : await call(base, 'PATCH', `/v1/articles/${id}`, { body: { summary: `Edit ${i}` }, headers: { 'if-match': '1' } })
      writeTimes.push(res.ms)
      const kind = `${res.status} ${String(res.body.type)} retry-after=${res.headers.get('retry-after')}`
      writeStatuses.set(kind, (writeStatuses.get(kind) ?? 0) + 1)
      t.equal(res.status, 503, `write ${i} answers 503`)
      t.equal(res.headers.get('retry-after'), '1')
      t.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8')
      t.equal(res.body.type, '/problems/database-busy')
    }
  }
  const readers = [reader(), reader()]
  await Promise.all([0, 1, 2, 3].map(writer))
  writesDone = true
  await Promise.all(readers)
  t.same(failedReads, [], `all ${readTimes.length} reads and ${healthTimes.length} /healthz calls during the lock answered 200`)
  // A bound, not a speed: a write waits DB_BUSY_TIMEOUT_MS for the lock, then answers; far from a request timeout.
  t.ok(Math.max(...writeTimes) < 10_000, `every refused write answered within 10 s (slowest ${Math.round(Math.max(...writeTimes))} ms)`)

  const retryKey = await call(base, 'POST', '/v1/articles', { body: article('Written during the lock 0'), headers: { 'idempotency-key': 'lock-0' } })
  t.equal(retryKey.status, 503, 'a keyed create refused while busy can be retried (its key was not left claimed)')

  await holder.release()
  t.match(holder.output(), 'released')
  holder = undefined
  // Once the lock is free, writes go through: the first retry after Retry-After.
  const deadline = Date.now() + 30_000
  let after = await call(base, 'POST', '/v1/articles', { body: article('Written during the lock 0'), headers: { 'idempotency-key': 'lock-0' } })
  while (after.status === 503 && Date.now() < deadline) {
    await sleep(Number(after.headers.get('retry-after') ?? 1) * 1000)
    after = await call(base, 'POST', '/v1/articles', { body: article('Written during the lock 0'), headers: { 'idempotency-key': 'lock-0' } })
  }
  t.equal(after.status, 201, 'the retried keyed create succeeds once the lock is gone')
  t.not(after.headers.get('idempotent-replayed'), 'true', '... as a new create, not a replay of the 503')
  const edit = await call(base, 'PATCH', `/v1/articles/${id}`, { body: { summary: 'After the lock' }, headers: { 'if-match': '1' } })
  t.equal(edit.status, 200)
  await server.stop()
  server = undefined
  t.same(Object.values(checkDatabase(file)).slice(0, 2), ['ok', 'ok'], 'the database is sound')

  const ms = (v: number) => `${Math.round(v)} ms`
  t.comment(
    `lock held by another process; DB_BUSY_TIMEOUT_MS=${BUSY_TIMEOUT_MS}; writes: ${writeTimes.length} (${JSON.stringify(Object.fromEntries(writeStatuses))}), ` +
      `answer time median ${ms(quantile(writeTimes, 0.5))}, max ${ms(Math.max(...writeTimes))}; ` +
      `reads during the lock: ${readTimes.length}, median ${ms(quantile(readTimes, 0.5))}, p95 ${ms(quantile(readTimes, 0.95))}, max ${ms(Math.max(...readTimes))}; ` +
      `/healthz: ${healthTimes.length}, median ${ms(quantile(healthTimes, 0.5))}, max ${ms(Math.max(...healthTimes))}`,
  )
})
