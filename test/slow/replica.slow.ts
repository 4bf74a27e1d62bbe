import t from 'tap'
import { execFile } from 'node:child_process'
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import { minimalArticle } from '../helpers.js'

/**
 * Read replicas on a real streaming standby. The test makes its own small
 * cluster, so that the shared server at 5432 is left alone: a primary
 * (initdb, on a free loopback port) and a hot standby of it (pg_basebackup -R,
 * on another), then runs the app on both (DATABASE_URL, DATABASE_REPLICA_URL)
 * and shows:
 *  - a GET reads the standby (with its replay paused, a new article is not there);
 *  - a write's Consistency-Token sent back reads the primary while the standby
 *    is behind it, and the standby once it has replayed past it;
 *  - writers that read right after each write, with replay running, always read their write;
 *  - with the standby stopped, reads go to the primary.
 * Skipped, with the reason, where the PostgreSQL binaries are not installed
 * (PG_BIN, or /usr/lib/postgresql/15/bin), except under CI, which has them. As root, the servers run as the
 * postgres user (PostgreSQL refuses to run as root).
 */
const run = promisify(execFile)
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'
const asRoot = userInfo().uid === 0
const DEADLINE_MS = 60_000

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** A PostgreSQL tool, as the postgres user when we are root. */
async function pgTool(tool: string, args: string[]): Promise<string> {
  const [file, all] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args]] : [join(BIN, tool), args]
  const { stdout } = await run(file, all, { timeout: DEADLINE_MS })
  return stdout
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS
  for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
    const found = await probe()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, wait))
  }
}

t.test('a real streaming standby takes the GETs; a client with its write\'s token reads its write; a stopped standby falls back to the primary', async (t) => {
  if (!existsSync(join(BIN, 'pg_ctl')) || !existsSync(join(BIN, 'pg_basebackup'))) {
    // CI machines have PostgreSQL 15 installed: there, a missing binary is a failure, not a skip.
    if (process.env.CI !== undefined) throw new Error(`no PostgreSQL binaries in ${BIN} (set PG_BIN)`)
    t.comment(`skipped: no PostgreSQL binaries in ${BIN} (set PG_BIN)`)
    return
  }
  if (asRoot) {
    try {
      await run('runuser', ['-u', 'postgres', '--', 'true'])
    } catch (err) {
      t.comment(`skipped: running as root, and cannot run as the postgres user (${(err as Error).message})`)
      return
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-replica-'))
  if (asRoot) {
    const { uid, gid } = { uid: Number((await run('id', ['-u', 'postgres'])).stdout), gid: Number((await run('id', ['-g', 'postgres'])).stdout) }
    chownSync(dir, uid, gid)
  }
  chmodSync(dir, 0o700)
  const primaryDir = join(dir, 'primary')
  const standbyDir = join(dir, 'standby')
  const [primaryPort, standbyPort] = [await freePort(), await freePort()]
  const started: string[] = []
  t.teardown(async () => {
    for (const d of started.reverse()) await pgTool('pg_ctl', ['stop', '-D', d, '-m', 'immediate', '-w']).catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  })
  const start = async (d: string, port: number) => {
    await pgTool('pg_ctl', ['start', '-D', d, '-w', '-t', '60', '-l', join(dir, `${port}.log`), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`])
    started.push(d)
  }

  await pgTool('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'])
  // Small and quick: replication is allowed from 127.0.0.1 by initdb's pg_hba.conf with --auth=trust.
  appendFileSync(join(primaryDir, 'postgresql.conf'), '\nwal_level = replica\nmax_wal_senders = 4\nshared_buffers = 16MB\nfsync = off\n')
  await start(primaryDir, primaryPort)
  const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`
  const standbyUrl = `postgres://postgres@127.0.0.1:${standbyPort}/postgres`
  await pgTool('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', standbyDir, '-R', '-X', 'stream', '--no-sync'])
  await start(standbyDir, standbyPort)
  const standby = new pg.Client({ connectionString: standbyUrl })
  standby.on('error', () => undefined)
  await standby.connect()
  t.teardown(() => standby.end().catch(() => undefined))
  t.equal((await standby.query('select pg_is_in_recovery() as r')).rows[0].r, true, 'the standby is in recovery')

  const log: string[] = []
  const built = await buildApp(testConfig({ databaseUrl: primaryUrl, databaseReplicaUrl: standbyUrl, logLevel: 'warn' }), { logStream: { write: (line) => void log.push(line) } })
  const { app } = built
  t.teardown(() => app.close())
  const write = { authorization: `Bearer ${(await built.services.apiKeys.create('writer', 'write')).key}` }
  // The migrations the app applied on the primary reach the standby.
  await until('the standby to have the schema', async () => ((await standby.query("select to_regclass('public.articles') as t")).rows[0].t ? true : undefined))

  const get = (id: string, token?: string) => app.inject({ method: 'GET', url: `/v1/articles/${id}`, headers: { ...write, ...(token ? { 'consistency-token': token } : {}) } })

  await standby.query('select pg_wal_replay_pause()')
  const created = await app.inject({ method: 'POST', url: '/v1/articles', headers: write, payload: minimalArticle('Filed while the standby paused') })
  t.equal(created.statusCode, 201)
  const id = created.json().id as string
  const token = created.headers['consistency-token'] as string
  t.match(token, /^[0-9A-F]+\/[0-9A-F]+$/, 'the write answers with the primary\'s WAL position')
  t.equal((await get(id)).statusCode, 404, 'a GET without a token reads the standby, which has not replayed the write')
  t.equal((await get(id, token)).statusCode, 200, 'with the token, the primary answers while the standby is behind')

  await standby.query('select pg_wal_replay_resume()')
  await until('the standby to replay the write', async () => ((await get(id)).statusCode === 200 ? true : undefined))
  // Behind again, but past the token: a read with the old token goes to the standby, which has the article but not the edit.
  await standby.query('select pg_wal_replay_pause()')
  const edited = await app.inject({ method: 'PATCH', url: `/v1/articles/${id}`, headers: { ...write, 'if-match': '1' }, payload: { summary: 'Edited' } })
  t.equal(edited.statusCode, 200)
  const oldTokenRead = await get(id, token)
  t.equal(oldTokenRead.statusCode, 200)
  t.equal(oldTokenRead.json().summary ?? null, null, 'a token the standby has replayed past reads the standby (without the later edit)')
  t.equal((await get(id, edited.headers['consistency-token'] as string)).json().summary, 'Edited', 'the edit\'s own token reads the edit')
  await standby.query('select pg_wal_replay_resume()')

  // Writers reading right after each write, with replay running: each reads its write.
  let writes = 0
  let missed = 0
  let stale = 0
  await Promise.all(
    Array.from({ length: 4 }, async (_, n) => {
      for (let i = 0; i < 15; i++) {
        const res = await app.inject({ method: 'POST', url: '/v1/articles', headers: write, payload: minimalArticle(`Writer ${n} story ${i}`) })
        writes++
        const mine = await get(res.json().id as string, res.headers['consistency-token'] as string)
        if (mine.statusCode !== 200) missed++
        if ((await get(res.json().id as string)).statusCode !== 200) stale++
      }
    }),
  )
  t.comment(`${writes} writes, each read back at once with its token: ${missed} missed; read back without it: ${stale} not yet on the standby`)
  t.equal(missed, 0, 'every writer read its own write')

  // The standby stops: reads go to the primary.
  await pgTool('pg_ctl', ['stop', '-D', standbyDir, '-m', 'fast', '-w'])
  started.splice(started.indexOf(standbyDir), 1)
  const fallback = await get(id)
  t.equal(fallback.statusCode, 200, 'with the standby down, a GET is answered by the primary')
  t.equal(fallback.json().summary, 'Edited')
  t.ok(log.some((l) => l.includes('the read replica did not answer')), 'and a warning is logged')
})
