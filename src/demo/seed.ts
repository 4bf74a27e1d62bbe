import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Services } from '../services/index.js'
import type { Actor } from '../services/actor.js'

/** Raw demo pages written for the project; they sit beside the sources in both src/ and dist/ builds. */
export const DEMO_PAGES_DIR = fileURLToPath(new URL('../../src/demo/pages/', import.meta.url))

const system: Actor = { keyId: null, scope: 'admin' }

interface Log {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

function textFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => join(dir, f))
}

/**
 * On an empty database, imports the demo pages (and the sample pages in
 * samplesDir, when present) through the same ingest path as any import, and
 * publishes them. Returns how many articles it published.
 */
export async function seedDemoContent(services: Services, options: { samplesDir: string; log: Log }): Promise<number> {
  const existing = await services.articles.list({ limit: 1 }, system)
  if (existing.items.length > 0) return 0
  let published = 0
  for (const file of [...textFiles(DEMO_PAGES_DIR), ...textFiles(resolve(options.samplesDir))]) {
    try {
      const result = await services.imports.importText(readFileSync(file, 'utf8'), system, { dryRun: false })
      if (!result.article) continue
      await services.articles.act(result.article.article.id, '*', 'publish', system, { message: 'demo content' })
      published += 1
    } catch (err) {
      options.log.warn({ file, err }, 'a demo page could not be imported')
    }
  }
  return published
}
