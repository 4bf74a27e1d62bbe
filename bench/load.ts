/**
 * Processes, /proc accounting and wrk runs for the benchmark. Every process
 * started here is tracked, and stopAll() ends them (the runner calls it on exit,
 * on Ctrl-C and on errors).
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { once } from 'node:events'

export const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100

const children = new Set<ChildProcess>()

/** Starts a process and tracks it until it exits. */
export function start(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** Ends one tracked process: SIGTERM, then SIGKILL after a grace period. */
export async function stop(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

/** Ends every tracked process (SIGKILL: for exits and signals, where there is no time to wait). */
export function killAll(): void {
  for (const child of children) child.kill('SIGKILL')
}

/** utime + stime of a live process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
export function processTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

/** This process and its reaped children (wrk, once it has exited): utime + stime + cutime + cstime. */
function selfAndChildrenTicks(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])
}

/** Busy ticks of the whole machine: user, nice, system, irq, softirq and steal (first line of /proc/stat). */
function machineBusyTicks(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  return user! + nice! + system! + irq! + softirq! + steal!
}

/** Peak RSS so far (VmHWM) of a live process, in bytes; null once it has gone. */
export function peakRss(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) * 1024 : null
  } catch {
    return null
  }
}

/** Busy ticks of the machine, and of this process with its reaped children. */
export function cpuSnapshot(): { machine: number; self: number } {
  return { machine: machineBusyTicks(), self: selfAndChildrenTicks() }
}

export interface WrkFigures {
  requests: number
  durationUs: number
  bytes: number
  p50Us: number
  p90Us: number
  p99Us: number
  maxUs: number
  errors: { connect: number; read: number; write: number; status: number; timeout: number }
  [counter: string]: unknown
}

export interface Measurement {
  requests: number
  seconds: number
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  bytesPerResponse: number
  errors: number
  /** CPU time of the server under test per request, in microseconds. */
  serverCpuUsPerRequest: number
  /** CPU used by processes other than ours during the run, in cores (1 = one whole CPU). */
  othersCpu: number
  wrk: WrkFigures
}

export interface WrkRun {
  url: string
  script: string
  scriptArgs: string[]
  connections: number
  seconds: number
  /** The server under test. */
  serverPid: number
  /** Every server of ours that is running (idle ones too), so that their CPU is not counted as disturbance. */
  ourPids: number[]
}

/** One wrk run (wrk pinned to CPU 1), with the CPU accounting around it. */
export async function runWrk(run: WrkRun): Promise<Measurement> {
  const args = ['-c', '1', 'wrk', '-t1', `-c${run.connections}`, `-d${run.seconds}s`, '--timeout', '10s', '--latency', '-s', run.script, run.url, '--', ...run.scriptArgs]
  const before = { machine: machineBusyTicks(), self: selfAndChildrenTicks(), ours: run.ourPids.map(processTicks), server: processTicks(run.serverPid) }
  const started = process.hrtime.bigint()
  const wrk = start('taskset', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  wrk.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()))
  wrk.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const timer = setTimeout(() => wrk.kill('SIGKILL'), (run.seconds + 30) * 1000)
  const [code] = (await once(wrk, 'exit')) as [number | null]
  clearTimeout(timer)
  const wall = Number(process.hrtime.bigint() - started) / 1e9
  const after = { machine: machineBusyTicks(), self: selfAndChildrenTicks(), ours: run.ourPids.map(processTicks), server: processTicks(run.serverPid) }
  const line = out.split('\n').find((l) => l.startsWith('@@wrk '))
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${out}`)
  const figures = JSON.parse(line.slice(6)) as WrkFigures
  const oursTicks = after.ours.reduce((sum, t, i) => sum + t - before.ours[i]!, 0)
  const others = after.machine - before.machine - (after.self - before.self) - oursTicks
  const seconds = figures.durationUs / 1e6
  const e = figures.errors
  return {
    requests: figures.requests,
    seconds,
    reqPerSec: figures.requests / seconds,
    p50Ms: figures.p50Us / 1000,
    p99Ms: figures.p99Us / 1000,
    maxMs: figures.maxUs / 1000,
    bytesPerResponse: figures.requests > 0 ? figures.bytes / figures.requests : 0,
    errors: e.connect + e.read + e.write + e.status + e.timeout,
    serverCpuUsPerRequest: figures.requests > 0 ? ((after.server - before.server) * 1e6) / CLK_TCK / figures.requests : 0,
    othersCpu: Math.max(0, others) / CLK_TCK / wall,
    wrk: figures,
  }
}

/** Waits until a URL answers (any status), for at most `ms`. */
export async function waitForHttp(url: string, child: ChildProcess, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server for ${url} exited (code ${child.exitCode})`)
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) })
      return
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${ms / 1000} s`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}
