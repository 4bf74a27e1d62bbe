import { spawn, type ChildProcess } from 'node:child_process'
import Database from 'better-sqlite3'
import { ADMIN_KEY, root } from '../e2e/server.js'

export { ADMIN_KEY, root }

/**
 * Helpers of the slow suite (test/slow/*.slow.ts): a real server process on a
 * database file the test chooses (so that it can be killed and started again
 * on the same file), plain HTTP calls, and the database's own checks.
 */
export interface ServerProcess {
  /** http://127.0.0.1:PORT */
  base: string
  child: ChildProcess
  output(): string
  /** Resolves with the exit code (null after a signal) once the process is gone. */
  exited: Promise<number | null>
  /** SIGKILL: no shutdown, no checkpoint; the database is left as a crash leaves it. */
  kill(): Promise<void>
  /** SIGTERM (a graceful shutdown), SIGKILL after 15 s. */
  stop(): Promise<void>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Starts src/server.ts (through tsx) on a free loopback port with the given
 * database file. LOG_LEVEL=info: the listen address is read from Fastify's
 * "Server listening at" line. Bounded wait; a process that exits ends it at once.
 */
export async function spawnServer(databasePath: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_PATH: databasePath,
      NEWSDESK_ADMIN_KEY: ADMIN_KEY,
      DEMO_CONTENT: 'false',
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_MINUTE: '0',
      SCHEDULER_INTERVAL_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  // Only the start of the log is kept (enough to read the address and a start-up failure).
  const keep = (d: Buffer) => {
    if (output.length < 200_000) output += d.toString()
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const orphaned = () => child.kill('SIGKILL')
  process.once('exit', orphaned)
  void exited.then(() => process.removeListener('exit', orphaned))
  const gone = () => child.exitCode !== null || child.signalCode !== null
  const kill = async () => {
    if (!gone()) child.kill('SIGKILL')
    await exited
  }
  const stop = async () => {
    if (gone()) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
    if (match) return { base: match[1]!, child, output: () => output, exited, kill, stop }
    if (gone()) break
    await sleep(50)
  }
  await kill()
  throw new Error(`server did not start:\n${output.slice(-5000)}`)
}

export interface Answer {
  status: number
  headers: Headers
  body: Record<string, unknown>
  ms: number
}

/** One HTTP call with the admin key; JSON in and out. Throws when the connection fails (a killed server). */
export async function call(base: string, method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number; anonymous?: boolean } = {}): Promise<Answer> {
  const started = performance.now()
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.anonymous ? {} : { authorization: `Bearer ${ADMIN_KEY}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  })
  const text = await res.text()
  let body: Record<string, unknown> = {}
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {}
  } catch {
    body = { text }
  }
  return { status: res.status, headers: res.headers, body, ms: performance.now() - started }
}

/** `PRAGMA integrity_check` and the FTS5 integrity check of articles_fts (src/db/sqlite/search.ts), on a file no server has open for writing. */
export function checkDatabase(path: string): { integrity: string; search: string; articles: number } {
  const db = new Database(path, { fileMustExist: true })
  try {
    db.pragma('busy_timeout = 5000')
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ')
    let search = 'ok'
    try {
      db.exec("insert into articles_fts (articles_fts, rank) values ('integrity-check', 1)")
    } catch (err) {
      search = (err as Error).message
    }
    const articles = (db.prepare('select count(*) as n from articles').get() as { n: number }).n
    return { integrity, search, articles }
  } finally {
    db.close()
  }
}

/** An article body to create; the headline is unique to the request, so that a double create shows. */
export const article = (headline: string, paragraphs = 2) => ({
  headlines: { basic: headline },
  summary: `A summary of ${headline}.`,
  body: Array.from({ length: paragraphs }, (_, i) => ({ type: 'paragraph', html: `Paragraph ${i} of ${headline}: the council met on Thursday and voted on the harbour plan.` })),
})

/** Every article's id, version and headline, page by page (admin key: drafts too). */
export async function allArticles(base: string): Promise<{ id: string; version: number; headline: string }[]> {
  const out: { id: string; version: number; headline: string }[] = []
  let cursor: string | null = null
  for (let page = 0; page < 1000; page++) {
    const res = await call(base, 'GET', `/v1/articles?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    if (res.status !== 200) throw new Error(`listing articles: ${res.status} ${JSON.stringify(res.body)}`)
    for (const item of res.body.data as { id: string; version: number; headlines: { basic: string } }[]) out.push({ id: item.id, version: item.version, headline: item.headlines.basic })
    cursor = res.body.next as string | null
    if (!cursor) break
  }
  return out
}

export const quantile = (values: number[], q: number) => {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}
