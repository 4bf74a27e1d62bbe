import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root: the server runs from there, as `npm run dev` does. */
export const root = fileURLToPath(new URL('../..', import.meta.url))

/** The bootstrap admin key the test servers are started with (NEWSDESK_ADMIN_KEY). */
export const ADMIN_KEY = 'e2e-admin-key-0123456789abcdef-0123456789'

export interface LaunchedServer {
  child: ChildProcess
  /** http://127.0.0.1:PORT */
  base: string
  /** Everything the process wrote so far (JSON logs, and what it prints to the terminal). */
  output(): string
  /** SIGTERM, then the exit code (SIGKILL after 15 s). Safe to call twice. */
  stop(): Promise<number | null>
}

export interface RunningServer extends LaunchedServer {
  /** The test's directory (t.testdir()), holding the database; call t.testdir() only once per test. */
  dir: string
}

interface TestContext {
  testdir(files?: Record<string, string>): string
  teardown(fn: () => unknown): void
}

/** "Newsdesk is listening on ..." is the server's last start-up line: by then it has printed all it prints at start. */
const STARTED = /Newsdesk is listening on /
const ADDRESS = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/

/**
 * Starts the real server (src/server.ts through tsx) on a free loopback port,
 * with only PATH, HOST, PORT and `env` in its environment (LOG_LEVEL must stay
 * at info or below: the address and the end of start-up are read from the log).
 * Resolves once the server has finished starting; rejects, with its output, if
 * it exits first. The caller stops it (stop()).
 */
export function launchServer(env: Record<string, string>): Promise<LaunchedServer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  // Should the test process end without stopping it (a throw at the top level), the server goes with it.
  const orphaned = () => child.kill('SIGKILL')
  process.once('exit', orphaned)
  void exited.then(() => process.removeListener('exit', orphaned))

  let stopping: Promise<number | null> | undefined
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      try {
        return await exited
      } finally {
        clearTimeout(timer)
      }
    })()
    return stopping
  }

  return new Promise((resolve, reject) => {
    let started = false
    // A guard against a hung start only, far above a start on a busy machine (seconds).
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000)
    const onData = (d: Buffer) => {
      output += d.toString()
      if (started || !STARTED.test(output)) return
      started = true
      clearTimeout(guard)
      const base = ADDRESS.exec(output)?.[1]
      if (base) resolve({ child, base, output: () => output, stop })
      else {
        child.kill('SIGKILL')
        reject(new Error(`the server started without logging its address:\n${output}`))
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('error', reject)
    // Once its pipes have closed, all it wrote has been read: a server that exited without starting says why.
    child.on('close', (code, signal) => {
      clearTimeout(guard)
      if (!started) reject(new Error(`the server exited (${code ?? signal}) before it started:\n${output}`))
    })
  })
}

/**
 * Starts the real server (launchServer) with a fresh database in the test's
 * directory, NEWSDESK_ADMIN_KEY set to ADMIN_KEY, no demo content and
 * LOG_LEVEL=info, unless `env` says otherwise; and stops it when the test ends
 * (before tap removes that directory).
 */
export async function startServer(
  t: TestContext,
  env: Record<string, string> = {},
  options: { files?: Record<string, string> } = {},
): Promise<RunningServer> {
  // Registered before t.testdir(), so tap stops the server before it removes the directory.
  const started: { stop?: () => Promise<number | null> } = {}
  t.teardown(() => started.stop?.())
  const dir = t.testdir(options.files ?? {})
  const server = await launchServer({
    DATABASE_PATH: join(dir, 'newsdesk.db'),
    NEWSDESK_ADMIN_KEY: ADMIN_KEY,
    DEMO_CONTENT: 'false',
    LOG_LEVEL: 'info',
    ...env,
  })
  started.stop = server.stop
  return { ...server, dir }
}
