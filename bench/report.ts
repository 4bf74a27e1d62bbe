/**
 * The benchmark's report: the environment it ran in, and a markdown summary
 * (medians, ratios to the floors, the issue's targets met or not) beside the
 * raw JSON of every run.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Measurement } from './load.js'

export interface Attempt extends Measurement {
  repetition: number
  attempt: number
  /** Counted in the medians: undisturbed, or disturbed with no redo left. */
  kept: boolean
  disturbed: boolean
}

export interface ScenarioResult {
  name: string
  server: 'newsdesk' | 'newsdeskPg' | 'ceiling' | 'floor'
  connections: number
  attempts: Attempt[]
}

export interface ImportResult {
  articles: number
  seconds: number
  articlesPerSec: number
  peakRssMb: number
  /** CPU time of the import process (user + system). */
  cpuSeconds: number
  /** CPU used by other processes during the import, in cores. */
  othersCpu: number
  records: Record<string, number>
}

/** One scenario with N API processes on PostgreSQL (run.ts runProcesses): each run's summed req/s. */
export interface ProcessesResult {
  processes: number
  scenario: string
  runs: { reqPerSec: number; p99Ms: number; errors: number }[]
}

export interface ScaleResult {
  articles: number
  import: ImportResult
  scenarios: ScenarioResult[]
  /** With --postgres: throughput with 1, 2, 3 API processes. */
  processes?: ProcessesResult[]
}

export interface Environment {
  date: string
  commit: string
  /** The last commit that changed the server (src/, migrations/): what was measured. */
  serverCommit: string
  dirty: boolean
  machine: string
  node: string
  packages: Record<string, string>
  config: Record<string, unknown>
  seconds?: number
}

export interface Results {
  environment: Environment
  scales: ScaleResult[]
}

const run = (cmd: string, args: string[], cwd: string) => spawnSync(cmd, args, { cwd, encoding: 'utf8' }).stdout?.trim() ?? ''

export function environment(root: string, config: Record<string, unknown>): Environment {
  const version = (pkg: string) => (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version
  const os = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux'
  const db = new Database(':memory:')
  const sqlite = (db.prepare('select sqlite_version() as v').get() as { v: string }).v
  db.close()
  return {
    date: new Date().toISOString(),
    commit: run('git', ['rev-parse', 'HEAD'], root),
    serverCommit: run('git', ['log', '-1', '--format=%h %s', '--', 'src', 'migrations'], root),
    dirty: run('git', ['status', '--porcelain', '--', 'src', 'migrations'], root) !== '',
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os}, kernel ${release()}`,
    node: process.version,
    packages: {
      ...Object.fromEntries(['fastify', 'better-sqlite3', 'drizzle-orm', '@sinclair/typebox', 'fast-json-stringify'].map((p) => [p, version(p)])),
      sqlite,
      wrk: run('wrk', ['-v'], root).split('\n')[0]?.split(' ')[1] ?? '?',
    },
    config,
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export interface Summary {
  name: string
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  cpuUs: number
  bytes: number
  errors: number
  kept: number
  keptDisturbed: number
  dropped: number
  maxOthersCpu: number
}

export function summarise(s: ScenarioResult): Summary {
  const kept = s.attempts.filter((a) => a.kept)
  return {
    name: s.name,
    reqPerSec: median(kept.map((a) => a.reqPerSec)),
    p50Ms: median(kept.map((a) => a.p50Ms)),
    p99Ms: median(kept.map((a) => a.p99Ms)),
    cpuUs: median(kept.map((a) => a.serverCpuUsPerRequest)),
    bytes: median(kept.map((a) => a.bytesPerResponse)),
    errors: kept.reduce((sum, a) => sum + a.errors, 0),
    kept: kept.length,
    keptDisturbed: kept.filter((a) => a.disturbed).length,
    dropped: s.attempts.length - kept.length,
    maxOthersCpu: Math.max(...kept.map((a) => a.othersCpu)),
  }
}

interface Check {
  text: string
  met: boolean
}

/** The issue's targets for a scenario, checked against this run's figures. */
function targetsOf(s: Summary, by: (prefix: string) => Summary | undefined): Check[] {
  const floorId = by('floor: row')
  const floorList = by('floor: 20')
  const ceiling = by('ceiling')
  const plainList = by('list of 20')
  const tail: Check = { text: 'p99 ≤ 5× p50', met: s.p99Ms <= 5 * s.p50Ms }
  const ratio = (ref: Summary | undefined, min: number, what: string): Check => ({ text: `≥ ${min.toFixed(1)}× ${what}`, met: ref !== undefined && s.reqPerSec >= min * ref.reqPerSec })
  if (s.name.startsWith('article by id, If')) return [ratio(ceiling, 0.8, 'ceiling'), tail]
  if (s.name.startsWith('article by')) return [ratio(floorId, 1.0, 'floor'), tail]
  if (s.name.startsWith('list of 20')) return [ratio(floorList, 0.8, 'floor list'), tail]
  if (s.name.startsWith('list, section')) return [{ text: 'cost ≤ 2× plain list (at 100k)', met: plainList !== undefined && s.reqPerSec >= plainList.reqPerSec / 2 }, tail]
  if (s.name.startsWith('search, word') && s.name.includes('1 connection')) return [{ text: 'p99 < 150 ms', met: s.p99Ms < 150 }]
  if (s.name.includes('1 connection')) return [{ text: 'p99 < 5 ms', met: s.p99Ms < 5 }]
  if (s.name.startsWith('search, selective')) return [tail]
  if (s.name.startsWith('search, word')) return [{ text: 'p99 < 150 ms', met: s.p99Ms < 150 }, tail]
  return []
}

/** The name prefix of the scenarios run on PostgreSQL (run.ts). */
const PG = 'PostgreSQL: '

const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–')
const x = (a: number, b: number | undefined) => (b === undefined || !Number.isFinite(a / b) ? '–' : `${(a / b).toFixed(2)}×`)

function scaleTable(scale: ScaleResult): string {
  const summaries = scale.scenarios.map(summarise)
  const by = (prefix: string) => summaries.find((s) => s.name.startsWith(prefix))
  const floorOf = (s: Summary, server: string) =>
    server.startsWith('newsdesk') && (s.name.replace(PG, '').startsWith('list') || s.name.startsWith('search')) ? by('floor: 20') : s.name.startsWith('floor: 20') ? s : by('floor: row')
  const rows = summaries.map((s, i) => {
    const server = scale.scenarios[i]!.server
    const floor = floorOf(s, server)
    /** A figure and, unless this is the floor itself, its ratio to the floor's. */
    const cell = (key: 'p50Ms' | 'p99Ms' | 'cpuUs' | 'bytes', digits: number) =>
      `${f(s[key], digits)}${floor && floor !== s ? ` (${x(s[key], floor[key])})` : ''}`
    const checks = targetsOf(s, by)
    const ceilingRatio = server === 'newsdesk' && s.name.startsWith('article') ? x(s.reqPerSec, by('ceiling')?.reqPerSec) : ''
    const runs = `${s.kept}${s.keptDisturbed ? ` (${s.keptDisturbed} disturbed)` : ''}${s.dropped ? `, ${s.dropped} redone` : ''}`
    return (
      `| ${s.name} | ${f(s.reqPerSec)} | ${x(s.reqPerSec, floor?.reqPerSec)} | ${ceilingRatio} | ` +
      `${cell('p50Ms', 1)} | ${cell('p99Ms', 1)} | ${f(s.p99Ms / s.p50Ms, 1)} | ${cell('cpuUs', 0)} | ${cell('bytes', 0)} | ${f(s.errors)} | ${runs} | ${f(s.maxOthersCpu, 2)} | ` +
      `${checks.map((c) => c.text).join('; ') || '–'} | ${checks.length === 0 ? '–' : checks.every((c) => c.met) ? 'met' : `**not met** (${checks.filter((c) => !c.met).map((c) => c.text).join('; ')})`} |`
    )
  })
  return [
    `### ${f(scale.articles)} articles`,
    '',
    "| scenario | req/s | × data floor | × ceiling | p50 ms (× floor) | p99 ms (× floor) | p99/p50 | server CPU µs/req (× floor) | bytes/resp (× floor) | errors | runs kept | others' CPU, max (cores) | target | |",
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|---|---|',
    ...rows,
    ...writeNote(scale),
    ...enginesTable(scale),
    ...processesTable(scale),
  ].join('\n')
}

/** The read scenarios on PostgreSQL beside the same on SQLite, measured in the same run. */
function enginesTable(scale: ScaleResult): string[] {
  const pg = scale.scenarios.filter((s) => s.server === 'newsdeskPg').map(summarise)
  if (pg.length === 0) return []
  const rows = pg.map((p) => {
    const name = p.name.slice(PG.length)
    const lite = scale.scenarios.find((s) => s.name === name)
    const l = lite ? summarise(lite) : undefined
    return `| ${name} | ${f(l?.reqPerSec ?? NaN)} | ${f(p.reqPerSec)} | ${x(p.reqPerSec, l?.reqPerSec)} | ${f(l?.p99Ms ?? NaN, 1)} | ${f(p.p99Ms, 1)} | ${f(l?.cpuUs ?? NaN)} | ${f(p.cpuUs)} | ${f(p.errors)} |`
  })
  return [
    '',
    `PostgreSQL beside SQLite (one API process each, on CPU 0; PostgreSQL's own processes unpinned):`,
    '',
    '| scenario | SQLite req/s | PostgreSQL req/s | PostgreSQL × SQLite | SQLite p99 ms | PostgreSQL p99 ms | SQLite API CPU µs/req | PostgreSQL API CPU µs/req (without the server\'s) | errors |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rows,
  ]
}

/** Throughput with 1, 2, 3 API processes on PostgreSQL, as ratios to one process. */
function processesTable(scale: ScaleResult): string[] {
  const all = scale.processes ?? []
  if (all.length === 0) return []
  const median = (runs: ProcessesResult['runs']) => {
    const sorted = runs.map((r) => r.reqPerSec).sort((a, b) => a - b)
    return sorted[Math.floor(sorted.length / 2)] ?? NaN
  }
  const rows = [...all].sort((a, b) => a.scenario.localeCompare(b.scenario) || a.processes - b.processes).map((r) => {
    const one = all.find((o) => o.scenario === r.scenario && o.processes === 1)
    return `| ${r.scenario} | ${r.processes} | ${f(median(r.runs))} | ${x(median(r.runs), one ? median(one.runs) : undefined)} | ${f(Math.max(...r.runs.map((u) => u.p99Ms)), 1)} | ${f(r.runs.reduce((n, u) => n + u.errors, 0))} |`
  })
  return [
    '',
    'API processes on PostgreSQL (each loaded by a wrk of its own; req/s summed; median of the runs):',
    '',
    '| scenario | processes | req/s | × 1 process | p99 ms, max | errors |',
    '|---|--:|--:|--:|--:|--:|',
    ...rows,
  ]
}

/** What the write mix did (from its wrk script's counters, over the kept runs). */
function writeNote(scale: ScaleResult): string[] {
  const writes = scale.scenarios.find((s) => s.name.startsWith('write mix'))
  if (!writes) return []
  const sum = (key: string) => writes.attempts.filter((a) => a.kept).reduce((n, a) => n + Number(a.wrk[key] ?? 0), 0)
  return ['', `Write mix, kept runs: ${f(sum('creates'))} creates and ${f(sum('patches'))} If-Match PATCHes succeeded, ${f(sum('failed'))} requests failed.`]
}

export function markdown(results: Results): string {
  const env = results.environment
  const cfg = env.config as { mode: string; connections: number; runSeconds: number; repetitions: number; disturbanceCores: number; maxRedo: number }
  const scales = results.scales
  const names = scales[0]?.scenarios.map((s) => s.name) ?? []
  const curve = [
    '| scenario | ' + scales.map((s) => `${f(s.articles)}: req/s · p99 ms · CPU µs/req`).join(' | ') + ' |',
    '|---|' + scales.map(() => '--:|').join(''),
    ...names.map((name) => {
      const cells = scales.map((scale) => {
        const s = scale.scenarios.find((c) => c.name === name)
        if (!s) return '–'
        const m = summarise(s)
        return `${f(m.reqPerSec)} · ${f(m.p99Ms, 1)} · ${f(m.cpuUs)}`
      })
      return `| ${name} | ${cells.join(' | ')} |`
    }),
  ].join('\n')
  const peaks = scales.map((s) => s.import.peakRssMb)
  const flat = peaks.length > 1 ? Math.max(...peaks) <= 1.5 * Math.min(...peaks) : null
  const imports = [
    '| articles | seconds | articles/s | import CPU s | articles per CPU s | peak RSS MiB | others\' CPU (cores) | target ≥ 2,000 articles/s | memory flat across scales |',
    '|--:|--:|--:|--:|--:|--:|--:|---|---|',
    ...scales.map((s) => {
      const i = s.import
      return `| ${f(i.articles)} | ${f(i.seconds, 1)} | ${f(i.articlesPerSec)} | ${f(i.cpuSeconds, 1)} | ${f(i.articles / i.cpuSeconds)} | ${f(i.peakRssMb)} | ${f(i.othersCpu, 2)} | ${i.articlesPerSec >= 2000 ? 'met' : '**not met**'} | ${flat === null ? 'one scale only' : flat ? 'met (peak within 1.5×)' : '**not met**'} |`
    }),
  ].join('\n')
  const attempts = scales.flatMap((s) => s.scenarios.flatMap((c) => c.attempts))
  return `# Newsdesk benchmark (${cfg.mode})

- **Date:** ${env.date} (${env.seconds ?? '?'} s in all)
- **Commit:** ${env.commit}${env.dirty ? ' (with uncommitted changes in src/)' : ''}; the server code (src/, migrations/) as of ${env.serverCommit}
- **Machine:** ${env.machine}
- **Node:** ${env.node}; ${Object.entries(env.packages).map(([k, v]) => `${k} ${v}`).join(', ')}
- **Load:** wrk, 1 thread, ${cfg.connections} connections (unless named), server on CPU 0, wrk on CPU 1; ${cfg.repetitions} repetitions of ${cfg.runSeconds} s per scenario, rotating; medians of the kept runs.
- **Disturbance:** a run during which other processes used more than ${cfg.disturbanceCores} CPU (from /proc) is redone, at most ${cfg.maxRedo} times; ${attempts.filter((a) => !a.kept).length} of ${attempts.length} runs were redone, ${attempts.filter((a) => a.kept && a.disturbed).length} disturbed runs kept for want of a redo.

× data floor / (× floor): the figure over the floor's (bare Fastify + better-sqlite3) in the same run: its row by primary key for single articles and the write mix, its 20 newest rows for lists and searches (for req/s, higher is better; for latency, CPU and bytes, lower). × ceiling: over bare Fastify sending a constant article. Server CPU: the server process's utime + stime over the run, per request. Bytes: per response, headers included.

## Scenarios

${scales.map(scaleTable).join('\n\n')}

## Scale curve

${curve}

## Bulk import (dist/cli/archive.js import, with revisions and search)

${imports}
`
}

/** Writes <base>.md and <base>.json; returns their paths. */
export function writeReport(results: Results, base: string): string[] {
  writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`)
  writeFileSync(`${base}.md`, markdown(results))
  return [`${base}.md`, `${base}.json`]
}
