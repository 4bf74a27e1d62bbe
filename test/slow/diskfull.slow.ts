import t from 'tap'
import { execFileSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testApp } from '../helpers.js'
import { article, call, checkDatabase, spawnServer, type ServerProcess } from './lib.js'

/**
 * Disk full: writes fail with 507 insufficient-storage (problem+json), no
 * acknowledged write is lost, reads and /healthz keep working, and writes
 * resume once there is room. Two ways to run out of room: a real tiny
 * filesystem (a tmpfs, when we may mount one) under a server process, and
 * SQLite's `PRAGMA max_page_count` on the app's own connection (in process;
 * no config seam needed).
 */
const MAX_WRITES = 600
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Tally {
  statuses: Map<string, number>
  acked: Map<string, number>
  unexpected: string[]
}

const tally = (): Tally => ({ statuses: new Map(), acked: new Map(), unexpected: [] })
const record = (tl: Tally, status: number, body: Record<string, unknown>, contentType: string | null) => {
  const kind = `${status}${String(body.type).startsWith('/problems/') ? ` ${String(body.type)}` : ''}`
  tl.statuses.set(kind, (tl.statuses.get(kind) ?? 0) + 1)
  if (status === 201 || status === 200) tl.acked.set(body.id as string, body.version as number)
  else if (status !== 507 || body.type !== '/problems/insufficient-storage' || !contentType?.startsWith('application/problem+json')) tl.unexpected.push(`${kind}: ${JSON.stringify(body).slice(0, 300)}`)
}

/** Fills the filesystem of `dir` with one file until it is full; returns the file's path and size. */
function fill(dir: string): { path: string; bytes: number } {
  const path = join(dir, 'filler.bin')
  const fd = openSync(path, 'w')
  const chunk = Buffer.alloc(16 * 1024, 1)
  let bytes = 0
  try {
    for (let i = 0; i < 1_000_000; i++) bytes += writeSync(fd, chunk)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
  }
  // Then byte by byte what is left of the last block.
  try {
    for (let i = 0; i < 16 * 1024; i++) bytes += writeSync(fd, chunk, 0, 1)
  } catch {
    // full
  }
  closeSync(fd)
  return { path, bytes }
}

/** Whether a tmpfs can be mounted here (root, and the kernel lets this container mount); the reason when not. */
function mountTmpfs(sizeBytes: number): { dir: string } | { reason: string } {
  if (process.platform !== 'linux') return { reason: `tmpfs mounts need Linux (this is ${process.platform})` }
  if (process.getuid?.() !== 0) return { reason: 'mounting a tmpfs needs root, and the tests do not run as root here' }
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-full-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'pipe' })
    return { dir }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    return { reason: `mount -t tmpfs failed: ${((err as { stderr?: Buffer }).stderr ?? '').toString().trim() || (err as Error).message}` }
  }
}

const probe = mountTmpfs(6 * 1024 * 1024)

t.test('on a full tmpfs, writes answer 507, acknowledged writes stay, reads and /healthz work, and writes resume once space is freed', { skip: 'reason' in probe ? probe.reason : false }, async (t) => {
  if ('reason' in probe) return
  const mount = probe.dir
  let server: ServerProcess | undefined
  t.teardown(async () => {
    await server?.kill()
    try {
      execFileSync('umount', [mount], { stdio: 'pipe' })
    } catch {
      execFileSync('umount', ['-l', mount], { stdio: 'pipe' })
    }
    rmSync(mount, { recursive: true, force: true })
  })
  const file = join(mount, 'newsdesk.db')
  server = await spawnServer(file)
  const base = server.base
  const tl = tally()
  const first = await call(base, 'POST', '/v1/articles', { body: article('Stored before the disk filled') })
  record(tl, first.status, first.body, first.headers.get('content-type'))
  t.equal(first.status, 201)

  const filler = fill(mount)
  // Writes, four at a time, until the disk refuses a run of them (the WAL may still have room for a few).
  let sent = 0
  let refusedInARow = 0
  const writer = async (w: number) => {
    while (sent < MAX_WRITES && refusedInARow < 12) {
      const i = sent++
      const res = await call(base, 'POST', '/v1/articles', { body: article(`Written on a full disk ${w}-${i}`, 12) })
      record(tl, res.status, res.body, res.headers.get('content-type'))
      refusedInARow = res.status === 507 ? refusedInARow + 1 : 0
    }
  }
  await Promise.all([0, 1, 2, 3].map(writer))
  t.ok(tl.statuses.get('507 /problems/insufficient-storage'), 'writes were refused with 507 insufficient-storage')
  t.same(tl.unexpected, [], 'every write answered 201 or a 507 problem')

  const edit = await call(base, 'PATCH', `/v1/articles/${String(first.body.id)}`, { body: { summary: 'x'.repeat(1900) }, headers: { 'if-match': '1' } })
  t.equal(edit.status, 507, 'an edit is refused too')
  t.equal((await call(base, 'GET', '/healthz')).status, 200, '/healthz works on a full disk')
  let lost = 0
  for (const [id, version] of tl.acked) {
    const res = await call(base, 'GET', `/v1/articles/${id}`)
    if (res.status !== 200 || (res.body.version as number) < version) lost++
  }
  t.equal(lost, 0, `all ${tl.acked.size} acknowledged articles read back on the full disk`)
  t.equal((await call(base, 'GET', '/v1/articles?limit=5', { anonymous: true })).status, 200, 'lists work')

  unlinkSync(filler.path)
  const deadline = Date.now() + 30_000
  let after = await call(base, 'POST', '/v1/articles', { body: article('Written once space was freed') })
  while (after.status === 507 && Date.now() < deadline) {
    await sleep(250)
    after = await call(base, 'POST', '/v1/articles', { body: article('Written once space was freed') })
  }
  t.equal(after.status, 201, 'writes resume once space is freed')
  await server.stop()
  server = undefined
  const checked = checkDatabase(file)
  t.same([checked.integrity, checked.search], ['ok', 'ok'], 'the database is sound')
  t.ok(checked.articles >= tl.acked.size + 1, `${checked.articles} articles after a clean shutdown`)
  t.comment(`tmpfs of 6 MiB, filler ${filler.bytes} bytes; writes sent on the full disk: ${sent}; answers: ${JSON.stringify(Object.fromEntries(tl.statuses))}; acknowledged ${tl.acked.size}, all read back`)
})

t.test('with the database at its max_page_count, concurrent writes answer 507, nothing acknowledged is lost, and writes resume when the limit is raised', async (t) => {
  const file = join(t.testdir(), 'newsdesk.db')
  const h = await testApp(t, { databasePath: file })
  const json = { ...h.as.write, 'content-type': 'application/json' }
  const tl = tally()
  const inject = async (method: 'POST' | 'PATCH' | 'GET', url: string, payload?: unknown, headers: Record<string, string> = {}) => {
    const res = await h.app.inject({ method, url, headers: { ...json, ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) })
    return { status: res.statusCode, body: res.json() as Record<string, unknown>, contentType: String(res.headers['content-type']) }
  }
  for (let i = 0; i < 20; i++) {
    const res = await inject('POST', '/v1/articles', article(`Before the limit ${i}`, 4))
    record(tl, res.status, res.body, res.contentType)
  }
  const sqlite = h.data.sqlite!
  const pages = sqlite.pragma('page_count', { simple: true }) as number
  sqlite.pragma(`max_page_count = ${pages + 40}`)

  let sent = 0
  let refusedInARow = 0
  const writer = async (w: number) => {
    while (sent < MAX_WRITES && refusedInARow < 20) {
      const i = sent++
      const known = [...tl.acked.entries()]
      const [id, version] = known[i % known.length]!
      const res =
        i % 3 === 0
          ? await inject('PATCH', `/v1/articles/${id}`, { summary: `Edit ${i} near the limit` }, { 'if-match': String(version) })
          : await inject('POST', '/v1/articles', article(`Near the limit ${w}-${i}`, 8))
      if (res.status !== 412) record(tl, res.status, res.body, res.contentType)
      refusedInARow = res.status === 507 ? refusedInARow + 1 : 0
    }
  }
  await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(writer))
  t.ok(tl.statuses.get('507 /problems/insufficient-storage'), 'writes were refused with 507')
  t.same(tl.unexpected, [], 'every write answered 2xx, 412 or a 507 problem')
  t.equal((await h.app.inject({ url: '/healthz' })).statusCode, 200)
  let lost = 0
  for (const [id, version] of tl.acked) {
    const res = await inject('GET', `/v1/articles/${id}`)
    if (res.status !== 200 || (res.body.version as number) < version) lost++
  }
  t.equal(lost, 0, `all ${tl.acked.size} acknowledged articles are there at their versions`)

  sqlite.pragma('max_page_count = 1073741823')
  const after = await inject('POST', '/v1/articles', article('After the limit was raised'))
  t.equal(after.status, 201, 'writes resume')
  await h.app.close()
  const checked = checkDatabase(file)
  t.same([checked.integrity, checked.search], ['ok', 'ok'], 'the database is sound')
  t.comment(`max_page_count ${pages + 40} (${pages} in use): writes sent ${sent}; answers: ${JSON.stringify(Object.fromEntries(tl.statuses))}; acknowledged ${tl.acked.size} articles, all found`)
})
