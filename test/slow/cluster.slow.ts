import t from 'tap'
import { join } from 'node:path'
import { serverTarget } from '../pg.js'
import { call, spawnServer, type ServerProcess } from './lib.js'

/**
 * Three API processes on one PostgreSQL database, one killed with SIGKILL in
 * the middle of the run, while writers create and edit articles (If-Match),
 * schedule some to publish within seconds, and a reader follows the changes
 * feed, each request through whichever process is alive. Afterwards:
 * - every acknowledged write is there, at its version or later, in every process;
 * - no scheduled article was published twice (each scheduler claims due
 *   articles, and the publish is a conditional update);
 * - the feed reader saw every change, in order, none skipped;
 * - every process answers the same ETag for the same article.
 */
const RUN_MS = 20_000
const KILL_AT_MS = 8_000
const WRITERS = 6
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('three API processes on one PostgreSQL, one killed mid-run: nothing acknowledged is lost, nothing published twice, the feed misses nothing', async (t) => {
  const server = await serverTarget(t)
  if ('skip' in server) {
    t.comment(`skipped: ${server.skip}`)
    return
  }
  const dir = t.testdir()
  const processes: ServerProcess[] = []
  t.teardown(() => Promise.all(processes.map((p) => p.stop())))
  for (let i = 0; i < 3; i++) {
    processes.push(await spawnServer(join(dir, `unused-${i}.db`), { DATABASE_URL: server.url, SCHEDULER_INTERVAL_MS: '200' }))
  }
  const alive = new Set(processes)
  const anyAlive = () => [...alive][Math.floor(Math.random() * alive.size)]!

  /**
   * A call through some live process; a connection failure (the killed one) is
   * not an answer, so it is tried elsewhere: POSTs carry an Idempotency-Key, so
   * a retry of one the killed process did carry out answers the same.
   */
  let retried = 0
  async function through(method: string, path: string, options: Parameters<typeof call>[3] = {}) {
    for (let attempt = 0; ; attempt++) {
      const p = anyAlive()
      try {
        return await call(p.base, method, path, options)
      } catch (err) {
        if (attempt >= 5) throw err
        retried++
      }
    }
  }

  const acknowledged = new Map<string, { version: number; summary: string }>()
  const scheduled = new Map<string, string>()
  let failedWrites = 0
  const started = Date.now()
  let killed: ServerProcess | null = null

  async function writer(n: number) {
    for (let i = 0; Date.now() - started < RUN_MS; i++) {
      try {
        const created = await through('POST', '/v1/articles', {
          body: { headlines: { basic: `Writer ${n} story ${i}` }, body: [{ type: 'paragraph', html: 'Filed.' }] },
          headers: { 'idempotency-key': `writer-${n}-${i}` },
        })
        if (created.status !== 201) {
          failedWrites++
          continue
        }
        const id = created.body.id as string
        acknowledged.set(id, { version: 1, summary: '' })
        const summary = `Edit ${i} by writer ${n}`
        const patched = await through('PATCH', `/v1/articles/${id}`, { body: { summary }, headers: { 'if-match': '1' } })
        if (patched.status === 200) acknowledged.set(id, { version: patched.body.version as number, summary })
        if (i % 4 === 0) {
          const at = new Date(Date.now() + 1000 + Math.random() * 2000).toISOString()
          const version = String(acknowledged.get(id)!.version)
          const done = await through('POST', `/v1/articles/${id}/schedule`, { body: { at }, headers: { 'if-match': version, 'idempotency-key': `writer-${n}-${i}-schedule` } })
          if (done.status === 200) {
            acknowledged.set(id, { version: done.body.version as number, summary: acknowledged.get(id)!.summary })
            scheduled.set(id, at)
          }
        }
      } catch {
        failedWrites++
      }
    }
  }

  const seen: number[] = []
  let cursor: string | undefined
  async function follow(untilCaughtUp: boolean) {
    for (;;) {
      const page = await through('GET', `/v1/changes?limit=100${cursor ? `&since=${encodeURIComponent(cursor)}` : ''}`)
      const data = page.body.data as { seq: number }[]
      seen.push(...data.map((c) => c.seq))
      cursor = (page.body.next as string | null) ?? cursor
      if (untilCaughtUp && data.length === 0) return
      if (!untilCaughtUp && Date.now() - started >= RUN_MS) return
      if (data.length === 0) await sleep(50)
    }
  }

  const killer = (async () => {
    await sleep(KILL_AT_MS)
    killed = processes[2]!
    alive.delete(killed)
    await killed.kill()
  })()
  await Promise.all([...Array.from({ length: WRITERS }, (_, n) => writer(n)), follow(false), killer])

  // Every scheduled time has passed and a scheduler tick has run.
  const last = Math.max(0, ...[...scheduled.values()].map((at) => Date.parse(at)))
  await sleep(Math.max(0, last - Date.now()) + 2000)
  await follow(true)

  // The whole feed, read again from the start through one process, is what the follower saw.
  const full: { seq: number; kind: string; articleId: string }[] = []
  for (let since: string | undefined; ; ) {
    const page = await call(processes[0]!.base, 'GET', `/v1/changes?limit=1000${since ? `&since=${encodeURIComponent(since)}` : ''}`)
    const data = page.body.data as { seq: number; kind: string; articleId: string }[]
    full.push(...data)
    if (data.length === 0 || !page.body.next) break
    since = page.body.next as string
  }
  t.same(seen, full.map((c) => c.seq), 'the follower saw every change, in order, none skipped or repeated')

  const published = new Map<string, number>()
  for (const c of full) if (c.kind === 'published') published.set(c.articleId, (published.get(c.articleId) ?? 0) + 1)
  const twice = [...scheduled.keys()].filter((id) => (published.get(id) ?? 0) > 1)
  const never = [...scheduled.keys()].filter((id) => (published.get(id) ?? 0) === 0)
  t.same(twice, [], 'no scheduled article published twice')
  t.same(never, [], 'every scheduled article published once its time came')

  let lost = 0
  let differing = 0
  for (const [id, ack] of acknowledged) {
    const answers = await Promise.all([processes[0]!, processes[1]!].map((p) => call(p.base, 'GET', `/v1/articles/${id}`)))
    const [a, b] = answers
    if (a!.status !== 200 || (a!.body.version as number) < ack.version || (a!.body.version === ack.version && (a!.body.summary ?? '') !== ack.summary)) lost++
    if (a!.headers.get('etag') !== b!.headers.get('etag')) differing++
  }
  t.equal(lost, 0, 'every acknowledged write is there, at its version or later')
  const headlines: string[] = []
  for (let cursor: string | null = null; ; ) {
    const page = await call(processes[1]!.base, 'GET', `/v1/articles?limit=100&fields=headlines${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    headlines.push(...(page.body.data as { headlines: { basic: string } }[]).map((a) => a.headlines.basic))
    cursor = page.body.next as string | null
    if (!cursor) break
  }
  t.equal(new Set(headlines).size, headlines.length, 'no story created twice (a retried create answers from its Idempotency-Key)')
  t.equal(differing, 0, 'both surviving processes answer the same ETag for every article')
  t.comment(
    `${acknowledged.size} articles acknowledged (${failedWrites} writes failed, ${retried} calls retried on another process after the kill), ${scheduled.size} scheduled and each published once, ` +
      `${full.length} changes followed without a gap; process 3 killed at ${KILL_AT_MS / 1000} s of ${RUN_MS / 1000} s`,
  )
})
