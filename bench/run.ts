/**
 * The benchmark: npm run bench [-- --quick] [-- --label NAME]
 *
 * For each scale (1,000, 10,000 and 100,000 articles; --quick: 10,000 only):
 * generate an archive, import it with the bulk import CLI of the built code
 * (timed, peak RSS), start Newsdesk (dist/server.js) and the two floors
 * (bench/floors) pinned to CPU 0, warm them up, then run every scenario with wrk
 * pinned to CPU 1, 3 repetitions, rotating the scenarios within each. A run that
 * other processes disturbed (their CPU, from /proc) is dropped and run again, a
 * bounded number of times. Results: bench/results/<label>.md and .json.
 * Everything listens on 127.0.0.1 and is stopped at the end, on Ctrl-C and on errors.
 *
 * With --postgres URL (a server's admin URL: it creates a database of its own
 * there, copies the imported archive into it with db:copy, and drops it at the
 * end), the read scenarios also run against Newsdesk on PostgreSQL, beside
 * SQLite, and then throughput with 1, 2 and 3 API processes on that database
 * (--processes), each process loaded by a wrk of its own, reported as ratios
 * to one process.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import pg from 'pg'
import { COMMON_WORD, RARE_WORD, writeArchive, type Manifest } from './generate.js'
import { CLK_TCK, cpuSnapshot, killAll, peakRss, runWrk, start, stop, waitForHttp, type Measurement } from './load.js'
import { environment, writeReport, type Attempt, type ImportResult, type ProcessesResult, type Results, type ScaleResult, type ScenarioResult } from './report.js'

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    report: { type: 'string', description: 'Only write the markdown again from a results JSON file.' },
    label: { type: 'string' },
    scales: { type: 'string', description: 'Comma-separated article counts (default 1000,10000,100000; --quick: 10000).' },
    seconds: { type: 'string', description: 'Seconds per run (default 30; --quick: 10).' },
    'max-redo': { type: 'string', default: '2' },
    'disturbance': { type: 'string', default: '0.1', description: 'CPU of other processes (in cores) above which a run is redone.' },
    repetitions: { type: 'string', description: 'Runs of each scenario (default 3).' },
    postgres: { type: 'string', description: 'A PostgreSQL server (admin URL, e.g. postgres://postgres@127.0.0.1:5432/postgres): the read scenarios on it too, and 1..N API processes.' },
    processes: { type: 'string', default: '1,2,3', description: 'With --postgres: the numbers of API processes to compare.' },
  },
})

const root = fileURLToPath(new URL('..', import.meta.url))
const benchDir = join(root, 'bench')
const quick = options.quick!
const config = {
  mode: quick ? 'quick' : 'full',
  scales: options.scales ? options.scales.split(',').map(Number) : quick ? [10_000] : [1_000, 10_000, 100_000],
  /** The scale at which the write mix runs (writes are not part of the scale curve). */
  writeScale: 10_000,
  connections: 50,
  runSeconds: options.seconds ? Number(options.seconds) : quick ? 10 : 30,
  /** Warm-up per server, shared between its scenarios (at least 2 s each). */
  warmupSeconds: 10,
  repetitions: options.repetitions ? Number(options.repetitions) : 3,
  postgres: options.postgres !== undefined,
  processes: options.processes!.split(',').map(Number),
  maxRedo: Number(options['max-redo']),
  disturbanceCores: Number(options.disturbance),
  /** Redos stop when the run would go past this (quick mode must end within 10 minutes). */
  budgetSeconds: quick ? 9 * 60 : 4 * 3600,
  idSample: 5000,
  writeShare: 0.1,
}
const startedAt = Date.now()
const elapsed = () => (Date.now() - startedAt) / 1000
const log = (message: string) => process.stderr.write(`[${elapsed().toFixed(0).padStart(4)} s] ${message}\n`)

const work = mkdtempSync(join(tmpdir(), 'newsdesk-bench-'))
const cleanup = () => {
  killAll()
  rmSync(work, { recursive: true, force: true })
}
process.once('exit', cleanup)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the servers`)
    process.exit(130)
  })
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

function ensureWrk(): void {
  if (spawnSync('wrk', ['-v']).error === undefined) return
  log('wrk is missing: installing the Debian package (apt-get install wrk)')
  const aptGet = (...args: string[]) =>
    (process.getuid?.() === 0 ? spawnSync('apt-get', args, { stdio: 'inherit' }) : spawnSync('sudo', ['apt-get', ...args], { stdio: 'inherit' })).status === 0
  if (!aptGet('install', '-y', 'wrk') && !(aptGet('update') && aptGet('install', '-y', 'wrk'))) throw new Error('could not install wrk (apt-get install -y wrk)')
}

function progressBar(label: string, total: number) {
  const bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} articles`, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
  bar.start(total, 0)
  return bar
}

/** Generates the archive and imports it into a new database with the built import CLI; times it and samples its peak RSS. */
async function buildDatabase(dir: string, n: number): Promise<{ manifest: Manifest; databasePath: string; result: ImportResult }> {
  const archive = join(dir, 'archive.ndjson')
  const bar = progressBar('generating', n)
  const manifest = await writeArchive(archive, n, (done) => bar.update(done))
  bar.stop()
  const databasePath = join(dir, 'newsdesk.db')
  log(`importing ${n.toLocaleString('en-GB')} articles with the bulk import CLI (dist/cli/archive.js)`)
  const started = process.hrtime.bigint()
  const before = cpuSnapshot()
  const child = start(process.execPath, ['dist/cli/archive.js', 'import', archive], { cwd: root, env: { ...process.env, DATABASE_PATH: databasePath }, stdio: ['ignore', 'pipe', 'inherit'] })
  let peak = 0
  const sampler = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!) ?? 0)), 50)
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  clearInterval(sampler)
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const after = cpuSnapshot()
  if (code !== 0) throw new Error(`the import failed (exit ${code}): ${out}`)
  log(out.trim())
  rmSync(archive)
  return { manifest, databasePath, result: {
      articles: n, seconds, articlesPerSec: n / seconds, peakRssMb: peak / 2 ** 20, records: manifest.counts,
      // The import process has been reaped: its CPU is in our children's ticks; everything else busy is other load.
      cpuSeconds: (after.self - before.self) / CLK_TCK,
      othersCpu: (after.machine - before.machine - (after.self - before.self)) / CLK_TCK / seconds,
    },
  }
}

/** The read scenarios that also run on PostgreSQL (named with this prefix). */
const PG = 'PostgreSQL: '
const PG_READS = ['article by id', 'article by slug', 'article by id, If-None-Match (304)', 'list of 20 newest', 'list, section + topic + dates']

/** A database of the benchmark's own on the --postgres server, with the archive copied in by db:copy (the built CLI); dropped by drop(). */
async function copyToPostgres(adminUrl: string, databasePath: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `newsdesk_bench_${process.pid}_${randomBytes(3).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 })
  await admin.connect()
  await admin.query(`create database ${name}`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const drop = async () => {
    await admin.query(`drop database if exists ${name} with (force)`).catch((err: Error) => log(`could not drop ${name}: ${err.message}`))
    await admin.end()
  }
  log(`copying the database to PostgreSQL (${name}) with db:copy`)
  const copy = start(process.execPath, ['dist/cli/dbCopy.js', '--from', databasePath, '--to', url.toString()], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  copy.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => copy.once('exit', resolve))
  if (code !== 0) {
    await drop()
    throw new Error(`db:copy failed (exit ${code}): ${out}`)
  }
  return { url: url.toString(), drop }
}

interface Target {
  name: string
  server: 'newsdesk' | 'newsdeskPg' | 'ceiling' | 'floor'
  list: string
  script?: 'paths' | 'writes'
  connections?: number
  scriptArgs?: string[]
}

/** A seeded shuffle, so every run samples the same ids. */
function sample<T>(items: T[], n: number): T[] {
  const copy = [...items]
  let seed = 12345
  for (let i = copy.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    const j = seed % (i + 1)
    ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
  }
  return copy.slice(0, n)
}

async function fetchOk(url: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(url, init)
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`)
  return response
}

async function runScale(n: number, budgetLeft: () => number): Promise<ScaleResult> {
  const dir = mkdtempSync(join(work, `scale-${n}-`))
  const { manifest, databasePath, result: importResult } = await buildDatabase(dir, n)
  const adminKey = randomBytes(24).toString('hex')
  const postgres = options.postgres ? await copyToPostgres(options.postgres, databasePath) : undefined
  const ports = { newsdesk: await freePort(), newsdeskPg: await freePort(), ceiling: await freePort(), floor: await freePort() }
  const base = (server: keyof typeof ports) => `http://127.0.0.1:${ports[server]}`
  const newsdeskEnv = {
    ...process.env, HOST: '127.0.0.1', PORT: String(ports.newsdesk), DATABASE_PATH: databasePath, LOG_LEVEL: 'warn',
    NEWSDESK_ADMIN_KEY: adminKey, DEMO_CONTENT: 'false', RATE_LIMIT_PER_MINUTE: '1000000',
  }
  const servers = {
    newsdesk: start('taskset', ['-c', '0', process.execPath, 'dist/server.js'], { cwd: root, env: newsdeskEnv }),
    newsdeskPg: postgres ? start('taskset', ['-c', '0', process.execPath, 'dist/server.js'], { cwd: root, env: { ...newsdeskEnv, PORT: String(ports.newsdeskPg), DATABASE_URL: postgres.url } }) : undefined,
    ceiling: undefined as ReturnType<typeof start> | undefined,
    floor: undefined as ReturnType<typeof start> | undefined,
  }
  try {
    await waitForHttp(`${base('newsdesk')}/healthz`, servers.newsdesk)
    if (servers.newsdeskPg) await waitForHttp(`${base('newsdeskPg')}/healthz`, servers.newsdeskPg)
    const ids = sample(manifest.published, config.idSample)
    const article = await (await fetchOk(`${base('newsdesk')}/v1/articles/${ids[0]!.id}`)).text()
    writeFileSync(join(dir, 'article.json'), article)
    const tsx = [process.execPath, '--import', 'tsx']
    servers.ceiling = start('taskset', ['-c', '0', ...tsx, join(benchDir, 'floors/ceiling.ts')], { cwd: root, env: { ...process.env, PORT: String(ports.ceiling), ARTICLE_FILE: join(dir, 'article.json') } })
    servers.floor = start('taskset', ['-c', '0', ...tsx, join(benchDir, 'floors/sqlite.ts')], { cwd: root, env: { ...process.env, PORT: String(ports.floor), DATABASE_PATH: databasePath } })
    await waitForHttp(`${base('ceiling')}/articles/x`, servers.ceiling)
    await waitForHttp(`${base('floor')}/articles/x`, servers.floor)

    log(`fetching the ETags of ${ids.length} articles`)
    const etags: string[] = []
    for (let i = 0; i < ids.length; i += 10) {
      const batch = ids.slice(i, i + 10)
      const heads = await Promise.all(batch.map(async ({ id }) => (await fetchOk(`${base('newsdesk')}/v1/articles/${id}`)).headers.get('etag')))
      heads.forEach((etag, k) => etags.push(`/v1/articles/${batch[k]!.id}\t${etag ?? ''}`))
    }
    const writeKey = (
      (await (
        await fetchOk(`${base('newsdesk')}/v1/api-keys`, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'bench write mix', scope: 'write' }),
        })
      ).json()) as { key: string }
    ).key

    const lists: Record<string, string[]> = {
      id: ids.map((a) => `/v1/articles/${a.id}`),
      slug: ids.map((a) => `/v1/articles/${a.slug}`),
      etag: etags,
      list: ['/v1/articles?limit=20'],
      filtered: manifest.filterQueries.map((q) => `/v1/articles?${q}`),
      searchRare: [`/v1/articles?q=${RARE_WORD}&limit=20`],
      searchCommon: [`/v1/articles?q=${COMMON_WORD}&limit=20`],
      searchRareNewest: [`/v1/articles?q=${RARE_WORD}&sort=newest&limit=20`],
      ninjs: ids.map((a) => `/v1/articles/${a.id}?format=ninjs`),
      // Every feed kind and format: the latest (summary and full text), a desk (with its beats) and a popular topic.
      feeds: ['rss', 'atom', 'json'].flatMap((f) => [
        `/v1/feeds/latest?format=${f}`,
        `/v1/feeds/latest?format=${f}&full=true`,
        ...[0, 1, 2, 3, 4].map((d) => `/v1/feeds/sections/desk-${d}?format=${f}`),
        ...[0, 1, 2, 3, 4].map((t) => `/v1/feeds/topics/topic-${t}?format=${f}`),
      ]),
      floorId: ids.map((a) => `/articles/${a.id}`),
      floorList: ['/articles?limit=20'],
      createBody: [manifest.createBody],
    }
    for (const [name, lines] of Object.entries(lists)) writeFileSync(join(dir, `${name}.txt`), `${lines.join('\n')}\n`)
    const file = (name: string) => join(dir, `${name}.txt`)

    const targets: Target[] = [
      { name: 'article by id', server: 'newsdesk', list: 'id' },
      { name: 'article by slug', server: 'newsdesk', list: 'slug' },
      { name: 'article by id, If-None-Match (304)', server: 'newsdesk', list: 'etag' },
      { name: 'article by id as ninjs (?format=ninjs)', server: 'newsdesk', list: 'ninjs' },
      { name: 'list of 20 newest', server: 'newsdesk', list: 'list' },
      { name: 'feeds: latest, desk and topic in RSS, Atom and JSON Feed', server: 'newsdesk', list: 'feeds' },
      { name: 'list, section + topic + dates', server: 'newsdesk', list: 'filtered' },
      { name: `search, selective word (${RARE_WORD})`, server: 'newsdesk', list: 'searchRare' },
      { name: `search, selective word, 1 connection`, server: 'newsdesk', list: 'searchRare', connections: 1 },
      { name: `search, word in most articles (${COMMON_WORD})`, server: 'newsdesk', list: 'searchCommon' },
      { name: `search, word in most articles, 1 connection`, server: 'newsdesk', list: 'searchCommon', connections: 1 },
      { name: `search, selective word, newest first`, server: 'newsdesk', list: 'searchRareNewest' },
      ...(n === config.writeScale || config.scales.length === 1
        ? [{ name: 'write mix (10% creates + If-Match PATCHes)', server: 'newsdesk' as const, list: 'id', script: 'writes' as const, scriptArgs: [file('createBody'), writeKey, String(config.writeShare)] }]
        : []),
      ...(postgres ? PG_READS.map((name) => ({ name: `${PG}${name}`, server: 'newsdeskPg' as const, list: readList(name) })) : []),
      { name: 'ceiling: constant article', server: 'ceiling', list: 'floorId' },
      { name: 'floor: row by primary key', server: 'floor', list: 'floorId' },
      { name: 'floor: 20 newest rows', server: 'floor', list: 'floorList' },
    ]
    const pids = () => Object.values(servers).filter((s) => s !== undefined).map((s) => s.pid!)
    const measure = (t: Target, seconds: number) =>
      runWrk({
        url: base(t.server),
        script: join(benchDir, 'wrk', `${t.script ?? 'paths'}.lua`),
        scriptArgs: [file(t.list), ...(t.scriptArgs ?? [])],
        connections: t.connections ?? config.connections,
        seconds,
        serverPid: servers[t.server]!.pid!,
        ourPids: pids(),
      })

    for (const server of ['newsdesk', 'newsdeskPg', 'ceiling', 'floor'] as const) {
      const mine = targets.filter((t) => t.server === server)
      if (mine.length === 0) continue
      const each = Math.max(2, Math.ceil(config.warmupSeconds / mine.length))
      log(`warming up ${server}: ${mine.length} scenario(s) x ${each} s`)
      for (const t of mine) await measure(t, each)
    }

    const results = new Map<string, ScenarioResult>(targets.map((t) => [t.name, { name: t.name, server: t.server, connections: t.connections ?? config.connections, attempts: [] }]))
    for (let rep = 0; rep < config.repetitions; rep++) {
      // Rotate the order in each repetition, so that no scenario always runs right after the same one.
      const order = targets.map((_, i) => targets[(i + rep * 3) % targets.length]!)
      for (const [k, t] of order.entries()) {
        const remaining = (config.repetitions - rep - 1) * targets.length + (targets.length - k - 1)
        for (let attempt = 0; ; attempt++) {
          const m: Measurement = await measure(t, config.runSeconds)
          const disturbed = m.othersCpu > config.disturbanceCores
          const canRedo = attempt < config.maxRedo && budgetLeft() > (remaining + 1) * (config.runSeconds + 1)
          const kept = !disturbed || !canRedo
          results.get(t.name)!.attempts.push({ repetition: rep + 1, attempt: attempt + 1, kept, disturbed, ...m } satisfies Attempt)
          log(
            `${String(n).padStart(6)} | rep ${rep + 1} | ${t.name.padEnd(45)} ${m.reqPerSec.toFixed(0).padStart(6)} req/s  p50 ${m.p50Ms.toFixed(1)} ms  ` +
              `p99 ${m.p99Ms.toFixed(1)} ms  ${m.serverCpuUsPerRequest.toFixed(0)} µs CPU/req  others ${m.othersCpu.toFixed(2)} CPU` +
              (disturbed ? (kept ? '  DISTURBED (kept: no redo left)' : '  DISTURBED: redo') : '') +
              (m.errors > 0 ? `  ${m.errors} errors` : ''),
          )
          if (kept) break
        }
      }
    }
    let processes: ProcessesResult[] | undefined
    if (postgres) {
      // The scenario servers stop, so that only the processes measured run.
      for (const server of Object.values(servers)) if (server) await stop(server)
      processes = await runProcesses(postgres.url, newsdeskEnv, file)
    }
    return { articles: n, import: importResult, scenarios: [...results.values()], ...(processes ? { processes } : {}) }
  } finally {
    for (const server of Object.values(servers)) if (server) await stop(server)
    await postgres?.drop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The request list of a read scenario. */
function readList(name: string): string {
  const lists: Record<string, string> = {
    'article by id': 'id', 'article by slug': 'slug', 'article by id, If-None-Match (304)': 'etag', 'list of 20 newest': 'list', 'list, section + topic + dates': 'filtered',
  }
  return lists[name]!
}

/**
 * Throughput of 1, 2 and 3 API processes on the PostgreSQL database: for each
 * count, that many processes (not pinned: they share the machine with
 * PostgreSQL), each loaded by a wrk of its own with its share of the
 * connections, all at once; req/s is their sum. A load balancer would add its
 * own cost, so there is none.
 */
async function runProcesses(url: string, env: Record<string, string | undefined>, file: (name: string) => string): Promise<ProcessesResult[]> {
  const out: ProcessesResult[] = []
  for (const count of config.processes) {
    const ports = await Promise.all(Array.from({ length: count }, () => freePort()))
    const children = ports.map((port) => start(process.execPath, ['dist/server.js'], { cwd: root, env: { ...env, PORT: String(port), DATABASE_URL: url } }))
    try {
      await Promise.all(ports.map((port, i) => waitForHttp(`http://127.0.0.1:${port}/healthz`, children[i]!)))
      for (const [scenario, list] of [['article by id', 'id'], ['list of 20 newest', 'list']] as const) {
        const runs: ProcessesResult['runs'] = []
        for (let rep = 0; rep < config.repetitions + 1; rep++) {
          const measured = await Promise.all(
            ports.map((port, i) =>
              runWrk({
                url: `http://127.0.0.1:${port}`,
                script: join(benchDir, 'wrk', 'paths.lua'),
                scriptArgs: [file(list)],
                connections: Math.ceil(config.connections / count),
                seconds: config.runSeconds,
                serverPid: children[i]!.pid!,
                ourPids: children.map((c) => c.pid!),
              }),
            ),
          )
          // The first round warms the processes up.
          if (rep === 0) continue
          const reqPerSec = measured.reduce((sum, m) => sum + m.reqPerSec, 0)
          runs.push({ reqPerSec, p99Ms: Math.max(...measured.map((m) => m.p99Ms)), errors: measured.reduce((sum, m) => sum + m.errors, 0) })
          log(`${count} process(es) on PostgreSQL | ${scenario.padEnd(20)} ${reqPerSec.toFixed(0).padStart(6)} req/s`)
        }
        out.push({ processes: count, scenario, runs })
      }
    } finally {
      for (const child of children) await stop(child)
    }
  }
  return out
}

async function main(): Promise<void> {
  if (options.report) {
    const file = options.report
    const files = writeReport(JSON.parse(readFileSync(file, 'utf8')) as Results, file.replace(/\.json$/, ''))
    log(`written: ${files.join(', ')}`)
    return
  }
  ensureWrk()
  log('building the server (npm run build)')
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0) throw new Error('npm run build failed')
  const results: Results = { environment: environment(root, config), scales: [] }
  const budgetLeft = () => config.budgetSeconds - elapsed()
  for (const n of config.scales) {
    log(`scale: ${n.toLocaleString('en-GB')} articles`)
    results.scales.push(await runScale(n, budgetLeft))
  }
  results.environment.seconds = Math.round(elapsed())
  const label = options.label ?? `${config.mode}-${results.environment.commit.slice(0, 7)}-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '')}`
  const out = join(benchDir, 'results')
  mkdirSync(out, { recursive: true })
  const files = writeReport(results, join(out, label))
  log(`done in ${elapsed().toFixed(0)} s: ${files.map((f) => f.replace(`${dirname(out)}/`, 'bench/')).join(', ')}`)
  process.stdout.write(readFileSync(files[0]!, 'utf8'))
}

try {
  await main()
} catch (err) {
  log(`failed: ${(err as Error).stack ?? String(err)}`)
  process.exitCode = 1
}
