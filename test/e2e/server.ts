import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root: the server runs from there, as in test/server.test.ts. */
export const root = fileURLToPath(new URL('../..', import.meta.url))

/** The bootstrap admin key the test servers are started with (NEWSDESK_ADMIN_KEY). */
export const ADMIN_KEY = 'e2e-admin-key-0123456789abcdef-0123456789'

export interface RunningServer {
  /** http://127.0.0.1:PORT */
  base: string
  /** The test's directory (t.testdir()), holding the database; call t.testdir() only once per test. */
  dir: string
  /** Everything the process wrote so far (JSON logs), for failure messages. */
  output(): string
  /** SIGTERM, then the exit code (SIGKILL after 15 s). Safe to call twice. */
  stop(): Promise<number | null>
}

interface TestContext {
  testdir(files?: Record<string, string>): string
  teardown(fn: () => unknown): void
}

/**
 * Starts the real server (src/server.ts through tsx) on a free loopback port
 * with a fresh database in the test's directory, and stops it when the test
 * ends (before tap removes that directory). LOG_LEVEL=info, because the
 * listen address is read from Fastify's "Server listening at" line.
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
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_PATH: join(dir, 'newsdesk.db'),
      NEWSDESK_ADMIN_KEY: ADMIN_KEY,
      DEMO_CONTENT: 'false',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  // Should the test process end without its teardown (a throw at the top level), the server goes with it.
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
  started.stop = stop

  // Bounded, and far above a start on a busy machine; a process that exits ends the wait at once.
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
    if (match) return { base: match[1]!, dir, output: () => output, stop }
    if (child.exitCode !== null) break
    await new Promise((r) => setTimeout(r, 100))
  }
  child.kill('SIGKILL')
  throw new Error(`server did not start:\n${output}`)
}
