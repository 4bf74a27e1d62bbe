import { realpathSync } from 'node:fs'
import { ConfigError, loadConfig, type Config } from '../config.js'
import { fileURLToPath } from 'node:url'

/** Whether the module at `moduleUrl` is the script node was asked to run (not an import of it). */
export function isMain(moduleUrl: string): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl))
  } catch {
    return false
  }
}

/** The configuration from the environment, or null after saying on stderr what is wrong with it (the CLIs then exit 2). */
export function configOrExplain(env: NodeJS.ProcessEnv, stderr: { write(text: string): unknown }): Config | null {
  try {
    return loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) {
      stderr.write(`${err.message}\n`)
      return null
    }
    throw err
  }
}
