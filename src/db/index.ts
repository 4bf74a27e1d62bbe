import { openDatabase, ping, type DatabaseHandle, type DatabaseOptions } from './sqlite/client.js'
import { translateDatabaseError } from './errors.js'
import { createArticleRepository, type ArticleRepository } from './repositories/articles.js'
import { createApiKeyRepository, createIdempotencyRepository, type ApiKeyRepository, type IdempotencyRepository } from './repositories/apiKeys.js'
import { createContributorRepository, createMediaRepository, createTopicRepository } from './repositories/catalog.js'
import { createSectionRepository, type SectionRepository } from './repositories/sections.js'
import { createArchiveRepository, type ArchiveRepository } from './repositories/archive.js'
import { createRenderings } from './repositories/renderings.js'
import { createWrites } from './writes.js'
import type { ArticleRenderer } from './rows.js'
import { createArticleRenderer } from '../mappers/rendering.js'

export type { DatabaseHandle, DatabaseOptions } from './sqlite/client.js'
export { withClaimedKey, type ClaimedKey } from './idempotencyScope.js'
export { InUseError, MissingReferencesError, SearchQueryError, SectionCycleError, translateDatabaseError } from './errors.js'
export type * from './rows.js'
export type { SectionRepository, SectionChange } from './repositories/sections.js'
export type { ArticleRepository, ArticleRelations, ArticleFields, ArticleChange, ListQuery, ListedPage, ArticleFilter, ArticleSort, PageAfter, Visibility } from './repositories/articles.js'
export type { ApiKeyRepository, IdempotencyClaim, IdempotencyRepository } from './repositories/apiKeys.js'
export type { ArchiveRepository, ArchiveReader, ArchiveEntry, ArchiveCounts, ArchiveArticleRecord, ArchiveBatchResult, ArchiveProblem } from './repositories/archive.js'
export type { CatalogRepository, NamedCatalogRepository } from './repositories/catalog.js'

/** Observes how long each repository call takes (for metrics). */
export type QueryObserver = (operation: string, seconds: number, ok: boolean) => void

export interface Repositories {
  articles: ArticleRepository
  apiKeys: ApiKeyRepository
  idempotency: IdempotencyRepository
  media: ReturnType<typeof createMediaRepository>
  contributors: ReturnType<typeof createContributorRepository>
  topics: ReturnType<typeof createTopicRepository>
  sections: SectionRepository
  archive: ArchiveRepository
}

export interface DataLayer {
  handle: DatabaseHandle
  repos: Repositories
  ping(): boolean
  close(): void
}

/**
 * Wraps every method of every repository so that its duration is observed, and
 * so that a busy or full database throws the domain error it means (503, 507;
 * see translateDatabaseError) instead of an engine error naming SQL.
 */
function instrument<R extends object>(name: string, repo: R, observe: QueryObserver): R {
  const wrapped: Record<string, unknown> = {}
  for (const [method, fn] of Object.entries(repo)) {
    const operation = `${name}.${method}`
    wrapped[method] = async (...args: unknown[]) => {
      const started = performance.now()
      let ok = false
      try {
        const result: unknown = await (fn as (...a: unknown[]) => Promise<unknown>).apply(repo, args)
        ok = true
        return result
      } catch (err) {
        throw translateDatabaseError(err)
      } finally {
        observe(operation, (performance.now() - started) / 1000, ok)
      }
    }
  }
  return wrapped as R
}

/**
 * Opens the database and its repositories. `render` makes the stored rendering
 * of each article version (see article_renderings): by default the API's own
 * representation (the article mapper and the Article schema). Renderings
 * missing or older than their article (a database written before they
 * existed) are made here, once, before anything is served.
 */
export function openDataLayer(
  path: string,
  observe: QueryObserver = () => {},
  render: ArticleRenderer = createArticleRenderer(),
  options: DatabaseOptions = {},
): DataLayer {
  const handle = openDatabase(path, options)
  const { db } = handle
  const renderings = createRenderings(db, render)
  renderings.refreshStale()
  const writes = createWrites(db, renderings)
  const raw: Repositories = {
    articles: createArticleRepository(db, renderings, writes),
    apiKeys: createApiKeyRepository(db),
    idempotency: createIdempotencyRepository(db),
    media: createMediaRepository(db, renderings, writes),
    contributors: createContributorRepository(db, renderings, writes),
    topics: createTopicRepository(db, renderings, writes),
    sections: createSectionRepository(db, renderings, writes),
    archive: createArchiveRepository(db, renderings, writes),
  }
  const repos = Object.fromEntries(Object.entries(raw).map(([k, r]) => [k, instrument(k, r as object, observe)])) as unknown as Repositories
  return { handle, repos, ping: () => ping(handle), close: () => handle.close() }
}
