import t from 'tap'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { allArticles, article, call, checkDatabase, spawnServer, type ServerProcess } from './lib.js'

/**
 * Crash safety: a server takes bursts of concurrent writes (creates, some with
 * an Idempotency-Key, and If-Match PATCHes) and is killed with SIGKILL at a
 * random moment, over several rounds on the same database file. After each
 * kill: the file passes integrity_check and the FTS check; after the restart,
 * every acknowledged write is there at (at least) its acknowledged version,
 * and a keyed create that was in flight at the kill, retried with its key,
 * answers (after the abandoned claim expires) and creates nothing twice.
 */
const ROUNDS = 6
/** No new round starts after this (each costs a server start, slow on a busy machine); at least MIN_ROUNDS run. */
const BUDGET_MS = 120_000
const MIN_ROUNDS = 3
const WORKERS = 8
const CLAIM_TIMEOUT_MS = 1000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface InFlightCreate {
  key: string
  body: ReturnType<typeof article>
}

t.test('acknowledged writes survive SIGKILL at random points, the database stays sound, and keyed creates are never doubled', async (t) => {
  let server: ServerProcess | undefined
  t.teardown(() => server?.kill())
  const dir = t.testdir()
  const file = join(dir, 'newsdesk.db')
  const env = { IDEMPOTENCY_CLAIM_TIMEOUT_MS: String(CLAIM_TIMEOUT_MS) }

  /** id -> the highest version a 2xx answer reported. */
  const acked = new Map<string, number>()
  /** Every headline a create was sent with, and how many creates were acknowledged per headline. */
  const figures = { writesSent: 0, acknowledged: 0, failedAtKill: 0, otherStatuses: 0, found: 0, retries: 0, retriesReplayed: 0, retriesFresh: 0, retriesWaited: 0, retriesUnanswered: 0, duplicates: 0 }
  const statuses = new Map<number, number>()
  const startTimes: number[] = []
  const note = (id: string, version: number) => acked.set(id, Math.max(acked.get(id) ?? 0, version))

  // Each round writes to the server the previous round restarted (so each round costs one start).
  server = await spawnServer(file, env)
  const began = Date.now()
  let rounds = 0
  for (let round = 1; round <= ROUNDS && (round <= MIN_ROUNDS || Date.now() - began < BUDGET_MS); round++) {
    rounds = round
    const base = server.base
    const inFlight = new Set<InFlightCreate>()
    const deadAt = { value: false }
    let n = 0

    const write = async (): Promise<void> => {
      const i = n++
      const known = [...acked.entries()]
      const patch = known.length > 0 && i % 3 === 2
      figures.writesSent++
      if (patch) {
        const [id, version] = known[Math.floor(Math.random() * known.length)]!
        const res = await call(base, 'PATCH', `/v1/articles/${id}`, { body: { summary: `Edited in round ${round}, write ${i}.` }, headers: { 'if-match': String(version) } })
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        if (res.status === 200) {
          figures.acknowledged++
          note(id, res.body.version as number)
        } else if (res.status !== 412) figures.otherStatuses++
        return
      }
      const body = article(`Crash round ${round} write ${i} ${randomUUID()}`, 1 + (i % 4))
      const keyed = i % 2 === 0 ? { key: randomUUID(), body } : undefined
      if (keyed) inFlight.add(keyed)
      const res = await call(base, 'POST', '/v1/articles', { body, headers: keyed ? { 'idempotency-key': keyed.key } : {} })
      if (keyed) inFlight.delete(keyed)
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      if (res.status === 201) {
        figures.acknowledged++
        note(res.body.id as string, res.body.version as number)
      } else figures.otherStatuses++
    }
    const worker = async () => {
      while (!deadAt.value) {
        try {
          await write()
        } catch {
          // The connection died with the server: the write was not acknowledged.
          figures.failedAtKill++
          return
        }
      }
    }
    const workers = Array.from({ length: WORKERS }, worker)
    // The kill lands anywhere from the first writes to well into the burst.
    await sleep(300 + Math.random() * 2200)
    deadAt.value = true
    await server.kill()
    await Promise.all(workers)

    // The file as the crash left it: SQLite recovers the WAL on open.
    const checked = checkDatabase(file)
    t.equal(checked.integrity, 'ok', `round ${round}: integrity_check after the kill`)
    t.equal(checked.search, 'ok', `round ${round}: the full-text index is sound after the kill`)

    const started = performance.now()
    server = await spawnServer(file, env)
    startTimes.push(performance.now() - started)
    let missing = 0
    for (const [id, version] of acked) {
      const res = await call(server.base, 'GET', `/v1/articles/${id}`)
      if (res.status === 200 && (res.body.version as number) >= version) figures.found++
      else {
        missing++
        t.fail(`round ${round}: acknowledged ${id} at version ${version}, found ${res.status} version ${String(res.body.version)}`)
      }
    }
    t.equal(missing, 0, `round ${round}: all ${acked.size} acknowledged articles are there at their versions`)

    // Keyed creates cut off by the kill: retried with the same key and body. The dead claim answers 409 until it expires.
    for (const pending of inFlight) {
      figures.retries++
      const deadline = Date.now() + CLAIM_TIMEOUT_MS + 30_000
      let res = await call(server.base, 'POST', '/v1/articles', { body: pending.body, headers: { 'idempotency-key': pending.key } })
      while (res.status === 409 && res.body.type === '/problems/idempotency-key-in-progress' && Date.now() < deadline) {
        figures.retriesWaited++
        await sleep(200)
        res = await call(server.base, 'POST', '/v1/articles', { body: pending.body, headers: { 'idempotency-key': pending.key } })
      }
      // 201: the first request never committed (or its answer is replayed); 409 unanswered: it committed, the kill took its answer.
      const unanswered = res.status === 409 && res.body.type === '/problems/idempotency-key-unanswered'
      t.ok(res.status === 201 || unanswered, `round ${round}: the retried key answers 201 or 409 unanswered (got ${res.status} ${String(res.body.type ?? '')})`)
      if (unanswered) figures.retriesUnanswered++
      else if (res.status === 201) {
        if (res.headers.get('idempotent-replayed') === 'true') figures.retriesReplayed++
        else figures.retriesFresh++
        note(res.body.id as string, res.body.version as number)
        const again = await call(server.base, 'POST', '/v1/articles', { body: pending.body, headers: { 'idempotency-key': pending.key } })
        t.equal(again.headers.get('idempotent-replayed'), 'true', `round ${round}: a second retry replays the answer`)
        t.equal(again.body.id, res.body.id, `round ${round}: ... naming the same article`)
      }
    }
  }

  // Each create had its own headline: two articles with one headline are a create done twice.
  const final = server
  const articles = await allArticles(final.base)
  const byHeadline = new Map<string, number>()
  for (const a of articles) byHeadline.set(a.headline, (byHeadline.get(a.headline) ?? 0) + 1)
  const doubled = [...byHeadline.entries()].filter(([, count]) => count > 1)
  figures.duplicates = doubled.length
  t.same(doubled, [], 'no create happened twice')
  t.ok(articles.length >= acked.size, `${articles.length} articles stored, ${acked.size} acknowledged`)
  await final.stop()
  server = undefined
  const checked = checkDatabase(file)
  t.same([checked.integrity, checked.search], ['ok', 'ok'], 'sound after the last clean shutdown')

  t.comment(
    `rounds: ${rounds} (of at most ${ROUNDS}); writes sent: ${figures.writesSent}; acknowledged: ${figures.acknowledged} (${acked.size} articles); found at their versions: ${figures.found} checks; ` +
      `cut off by the kill: ${figures.failedAtKill}; non-2xx answers: ${figures.otherStatuses} (412s not counted); ` +
      `keyed retries: ${figures.retries} (replayed ${figures.retriesReplayed}, created now ${figures.retriesFresh}, carried out before the kill (409 unanswered) ${figures.retriesUnanswered}, 409 in-progress waits ${figures.retriesWaited}); duplicates: ${figures.duplicates}; ` +
      `statuses: ${JSON.stringify(Object.fromEntries(statuses))}; articles stored: ${articles.length}; restarts took ${startTimes.map((ms) => Math.round(ms)).join(', ')} ms`,
  )
})
