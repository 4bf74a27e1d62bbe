import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

export interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** The environment a user's shell would give: no test-runner hooks, our own database. */
function envWith(databasePath: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_OPTIONS' && !/^_?TAP/.test(k)) env[k] = v
  return { ...env, DATABASE_PATH: databasePath }
}

/** Runs a CLI as its npm script does (node --import tsx src/cli/NAME.ts ...), with `input` on stdin. */
export function runCli(name: string, databasePath: string, args: string[], input = ''): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `src/cli/${name}.ts`, ...args], { cwd: root, env: envWith(databasePath) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', fail)
    child.on('close', (code) => done({ code, stdout, stderr }))
    child.stdin.end(input)
  })
}
