import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Services } from '../services/index.js'
import type { Actor } from '../services/actor.js'
import { ANY_VERSION } from '../services/preconditions.js'

/** Raw demo pages written for the project; they sit beside the sources in both src/ and dist/ builds. */
export const DEMO_PAGES_DIR = fileURLToPath(new URL('../../src/demo/pages/', import.meta.url))

const system: Actor = { keyId: null, scope: 'admin' }

/**
 * The demo's section tree, by path. An imported page goes in the section
 * named like its label line ("Transport"), so that the section filter
 * (with its subsections: section=news) has something to show.
 */
export const DEMO_SECTIONS: { path: string; name: string }[] = [
  { path: 'news', name: 'News' },
  { path: 'news/transport', name: 'Transport' },
  { path: 'news/education', name: 'Education' },
  { path: 'culture', name: 'Culture' },
]

/** Creates the demo sections (parents first); returns their ids by lower-case name. */
async function createSections(services: Services): Promise<Map<string, string>> {
  const ids = new Map<string, string>()
  const byPath = new Map<string, string>()
  for (const { path, name } of DEMO_SECTIONS) {
    const parent = path.includes('/') ? byPath.get(path.slice(0, path.lastIndexOf('/'))) : undefined
    const row = await services.sections.create({ name, slug: path.slice(path.lastIndexOf('/') + 1), ...(parent ? { parentId: parent } : {}) })
    byPath.set(path, row.id)
    ids.set(name.toLowerCase(), row.id)
  }
  return ids
}

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
 * On an empty database, creates the demo section tree and imports the demo
 * pages (and the pages in samplesDir, when one is named and exists) through the same
 * ingest path as any import, puts each in the section its label names, and
 * publishes them. Returns how many articles it published.
 */
export async function seedDemoContent(services: Services, options: { samplesDir: string; log: Log }): Promise<number> {
  const existing = await services.articles.list({ limit: 1 }, system)
  if (existing.items.length > 0) return 0
  const sections = (await services.sections.list({ limit: 1 })).items.length === 0 ? await createSections(services) : new Map<string, string>()
  let published = 0
  const extra = options.samplesDir === '' ? [] : textFiles(resolve(options.samplesDir))
  for (const file of [...textFiles(DEMO_PAGES_DIR), ...extra]) {
    try {
      const result = await services.imports.importText(readFileSync(file, 'utf8'), system, { dryRun: false })
      if (!result.article) continue
      const { article, topics } = result.article
      const label = topics.find((t) => t.primary)?.topic.name.toLowerCase()
      const sectionId = label === undefined ? undefined : sections.get(label)
      if (sectionId) await services.articles.patch(article.id, ANY_VERSION, { sectionId, message: 'demo content: section' }, system)
      await services.articles.act(article.id, ANY_VERSION, 'publish', system, { message: 'demo content' })
      published += 1
    } catch (err) {
      options.log.warn({ file, err }, 'a demo page could not be imported')
    }
  }
  return published
}
