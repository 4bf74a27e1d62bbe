import t from 'tap'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { article, call, checkDatabase, root, spawnServer, type ServerProcess } from './lib.js'

/**
 * Backup under load: `npm run backup` (src/cli/backup.ts) copies the database
 * of a server that keeps taking writes. The copy passes integrity_check and the
 * FTS check, and a server boots on it and serves an article acknowledged
 * before the backup started.
 */
const SEED = 150
const WRITERS = 4
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Runs the backup command as an operator would (`npm run backup -- FILE`, i.e. node --import tsx src/cli/backup.ts FILE). */
function runBackup(databasePath: string, destination: string): Promise<{ code: number | null; output: string; ms: number }> {
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/backup.ts', destination], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', DATABASE_PATH: databasePath },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output, ms: performance.now() - started })
    })
  })
}

t.test('a backup taken while the server takes writes is sound, and a server boots on it with what was acknowledged before', async (t) => {
  const servers: ServerProcess[] = []
  t.teardown(() => Promise.all(servers.map((s) => s.stop())))
  const dir = t.testdir()
  const file = join(dir, 'newsdesk.db')
  const copy = join(dir, 'backups', 'newsdesk-copy.db')
  const live = await spawnServer(file)
  servers.push(live)

  // Some content first, so that the copy takes more than one step.
  for (let i = 0; i < SEED; i += 10) {
    const batch = await Promise.all(Array.from({ length: 10 }, (_, j) => call(live.base, 'POST', '/v1/articles', { body: article(`Seeded story ${i + j}`, 6) })))
    for (const res of batch) t.equal(res.status, 201)
  }
  const before = await call(live.base, 'POST', '/v1/articles', { body: article('Acknowledged before the backup') })
  t.equal(before.status, 201)

  // Writers run until the backup is done: creates and edits of the article above.
  let backupRunning = true
  const counts = { during: 0, failed: 0 }
  let version = before.body.version as number
  const writer = async (w: number) => {
    for (let i = 0; backupRunning; i++) {
      const res =
        w === 0
          ? await call(live.base, 'PATCH', `/v1/articles/${String(before.body.id)}`, { body: { summary: `Edit ${i} during the backup` }, headers: { 'if-match': String(version) } })
          : await call(live.base, 'POST', '/v1/articles', { body: article(`Written during the backup ${w}-${i}`, 3) })
      if (res.status === 200 && w === 0) version = res.body.version as number
      if (res.status === 200 || res.status === 201) counts.during++
      else counts.failed++
    }
  }
  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w))
  await sleep(200)
  const backup = await runBackup(file, copy)
  backupRunning = false
  await Promise.all(writers)

  t.equal(backup.code, 0, `npm run backup succeeded: ${backup.output.trim()}`)
  t.match(backup.output, /integrity_check: ok; search index: ok/)
  t.equal(counts.failed, 0, 'no write failed during the backup')
  t.ok(counts.during > 0, 'writes went on during the backup')
  const checked = checkDatabase(copy)
  t.equal(checked.integrity, 'ok', 'integrity_check of the copy')
  t.equal(checked.search, 'ok', 'FTS integrity check of the copy')
  t.ok(checked.articles >= SEED + 1, `the copy holds ${checked.articles} articles`)

  const restored = await spawnServer(copy)
  servers.push(restored)
  const got = await call(restored.base, 'GET', `/v1/articles/${String(before.body.id)}`)
  t.equal(got.status, 200, 'a server on the copy serves the article acknowledged before the backup')
  t.equal((got.body.headlines as { basic: string }).basic, 'Acknowledged before the backup')
  const search = await call(restored.base, 'GET', '/v1/articles?q=Acknowledged')
  t.ok((search.body.data as unknown[] | undefined)?.length, 'and finds it by search')

  const size = /\((\d+) bytes\)/.exec(backup.output)?.[1]
  t.comment(`backup under load: ${counts.during} writes acknowledged while it ran (${WRITERS} writers), ${counts.failed} failed; copy ${size ?? '?'} bytes, ${checked.articles} articles; command took ${Math.round(backup.ms)} ms (including its start); ${backup.output.trim()}`)
})
