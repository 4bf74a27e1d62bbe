import { buildApp, type BuildOptions } from '../app.js'
import { isMain } from './main.js'
import { ConfigError, loadConfig } from '../config.js'

/** `npm run search:rebuild`: rebuilds the full-text search index of the configured database. `build`: for tests (BuildOptions). */
export async function rebuildSearch(env: Record<string, string | undefined> = process.env, build: BuildOptions = {}): Promise<number> {
  const config = { ...loadConfig(env), logLevel: 'silent', demoContent: false, schedulerIntervalMs: 0 }
  const { app, services } = await buildApp(config, build)
  try {
    return await services.articles.rebuildSearchIndex()
  } finally {
    await app.close()
  }
}

if (isMain(import.meta.url)) {
  try {
    const started = Date.now()
    const count = await rebuildSearch()
    process.stdout.write(`rebuilt the search index: ${count} articles in ${Date.now() - started} ms\n`)
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`)
    process.exit(1)
  }
}
