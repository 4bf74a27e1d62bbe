import { openDatabase, ping, type DatabaseHandle, type DatabaseOptions } from './sqlite/client.js'
import { translateDatabaseError } from './errors.js'
import { createArticleRepository, type ArticleRepository } from './repositories/articles.js'
import { createApiKeyRepository, createIdempotencyRepository, type ApiKeyRepository, type IdempotencyRepository } from './repositories/apiKeys.js'
import { createContributorRepository, createMediaRepository, createTopicRepository } from './repositories/catalog.js'
import { createSectionRepository, type SectionRepository } from './repositories/sections.js'
import { createArchiveRepository, type ArchiveRepository } from './repositories/archive.js'
import { createWebhookRepository, type WebhookRepository } from './repositories/webhooks.js'
import { createWebhookRepository as createPgWebhookRepository } from './pg/repositories/webhooks.js'
import { createRenderings } from './repositories/renderings.js'
import { createWrites } from './writes.js'
import type { ArticleRenderer } from './rows.js'
import { createArticleRenderer } from '../mappers/rendering.js'
import { sql } from 'drizzle-orm'
import { openPostgres, openReplicaPool, type PgDb } from './pg/client.js'
import { primaryLsn, replayedLsn, replayTracker } from './pg/replica.js'
import { replicaUnavailable } from './pg/errors.js'
import { routeReads, unreplicated, type ReadRouting } from './readRouting.js'
import { createPgRenderings } from './pg/renderings.js'
import { createPgWrites } from './pg/writes.js'
import { createPgArticleRepository } from './pg/repositories/articles.js'
import * as pgApiKeys from './pg/repositories/apiKeys.js'
import * as pgCatalog from './pg/repositories/catalog.js'
import { createSectionRepository as createPgSectionRepository } from './pg/repositories/sections.js'
import { createArchiveRepository as createPgArchiveRepository } from './pg/repositories/archive.js'
import { createReaderRepository, type ReaderRepository } from './repositories/readers.js'
import { createReaderRepository as createPgReaderRepository } from './pg/repositories/readers.js'

export type { DatabaseHandle, DatabaseOptions } from './sqlite/client.js'
export type { ReadRouting } from './readRouting.js'
export { withClaimedKey, type ClaimedKey } from './idempotencyScope.js'
export { InUseError, MissingReferencesError, SearchQueryError, SectionCycleError, translateDatabaseError } from './errors.js'
export type * from './rows.js'
export type { SectionRepository, SectionChange } from './repositories/sections.js'
export type { ArticleRepository, ArticleRelations, ArticleFields, ArticleChange, ListQuery, ListedPage, ArticleFilter, ArticleSort, PageAfter, Visibility } from './repositories/articles.js'
export type { ApiKeyRepository, IdempotencyClaim, IdempotencyRepository } from './repositories/apiKeys.js'
export type { ArchiveRepository, ArchiveReader, ArchiveEntry, ArchiveCounts, ArchiveArticleRecord, ArchiveBatchResult, ArchiveProblem } from './repositories/archive.js'
export type { CatalogRepository, NamedCatalogRepository } from './repositories/catalog.js'
export type { WebhookRepository, WebhookDeliveryView, ClaimedDelivery, DeliveryOutcome, WebhookSubscriptionFields } from './repositories/webhooks.js'
export { FollowLimitError, type ReaderRepository, type ReaderRow, type FollowView, type FollowKind, type MuteKind, type FeedQuery, type FeedRow } from './repositories/readers.js'
/** An online backup of a database file (the SQLite engine's; a PostgreSQL server has its own tools). */
export { backupDatabase as backupDatabaseFile, type BackupResult } from './sqlite/backup.js'

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
  webhooks: WebhookRepository
  readers: ReaderRepository
}

/** The database and its repositories, on either engine; nothing outside src/db needs to know which. */
export interface DataLayer {
  engine: 'sqlite' | 'postgres'
  repos: Repositories
  /** Where a read-only request's reads go (a replica, or the primary for a client that must read its own write); see readRouting.ts. */
  reads: ReadRouting
  /** The database answers a trivial query. */
  ping(): Promise<boolean>
  close(): Promise<void>
  /** SQLite only: the connection, for SQLite-only tools (backup, the search index's checks) and tests. */
  sqlite?: DatabaseHandle['sqlite']
}

/**
 * Where the data is: a PostgreSQL URL (postgres:// or postgresql://), an
 * SQLite file path (or :memory:), or an open PostgreSQL database (a drizzle
 * database on the PostgreSQL schema, with its migrations applied: tests give
 * PGlite so) and how to close it.
 */
export type DataSource = string | { postgres: PgDb; close(): Promise<void> }

/**
 * A read replica of a PostgreSQL primary: its URL (DATABASE_REPLICA_URL), or
 * an open database (tests), with how far it has replayed the primary's WAL
 * (by default the server's pg_last_wal_replay_lsn(); tests stand a second
 * database in for a replica and say how far it is).
 */
export type ReplicaSource = string | { postgres: PgDb; close(): Promise<void>; replayed?: () => Promise<string | null> }

export interface DataLayerOptions {
  /** Told how long each repository call takes (for metrics). */
  observe?: QueryObserver
  /** Makes the stored rendering of each article version; by default the API's own representation. */
  render?: ArticleRenderer
  /** SQLite: how long a write waits for another connection's write lock (see DatabaseOptions). */
  busyTimeoutMs?: number
  /** PostgreSQL: connections in the pool. */
  poolSize?: number
  /** PostgreSQL: a read replica that takes read-only requests' reads (see readRouting.ts). Ignored on SQLite. */
  replica?: ReplicaSource | undefined
  /** Told when the replica fails to answer (its reads then go to the primary for a few seconds). */
  onReplicaUnavailable?: (err: unknown) => void
}

/** Whether a DATABASE_URL-like string names a PostgreSQL database (anything else is an SQLite path). */
export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//.test(location)

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

const instrumentAll = (raw: Repositories, observe: QueryObserver): Repositories =>
  Object.fromEntries(Object.entries(raw).map(([k, r]) => [k, instrument(k, r as object, observe)])) as unknown as Repositories

/**
 * Opens the database and its repositories, on the engine `source` names.
 * `render` makes the stored rendering of each article version (see
 * article_renderings): by default the API's own representation (the article
 * mapper and the Article schema). Renderings missing or older than their
 * article (a database written before they existed, or copied in) are made
 * here, once, before anything is served.
 */
export async function openDataLayer(source: DataSource, options: DataLayerOptions = {}): Promise<DataLayer> {
  const observe = options.observe ?? (() => {})
  const render = options.render ?? createArticleRenderer()
  if (typeof source !== 'string') return openPostgresLayer(source.postgres, source.close, observe, render, options)
  if (isPostgresUrl(source)) {
    const handle = await openPostgres(source, { ...(options.poolSize ? { poolSize: options.poolSize } : {}) })
    return openPostgresLayer(handle.db, handle.close, observe, render, options)
  }
  return openSqliteLayer(source, observe, render, { ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}) })
}

function openSqliteLayer(path: string, observe: QueryObserver, render: ArticleRenderer, options: DatabaseOptions): DataLayer {
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
    webhooks: createWebhookRepository(db),
    readers: createReaderRepository(db),
  }
  return {
    engine: 'sqlite',
    repos: instrumentAll(raw, observe),
    reads: unreplicated,
    ping: async () => ping(handle),
    close: async () => handle.close(),
    sqlite: handle.sqlite,
  }
}

async function openPostgresLayer(db: PgDb, close: () => Promise<void>, observe: QueryObserver, render: ArticleRenderer, options: DataLayerOptions): Promise<DataLayer> {
  const renderings = createPgRenderings(db, render)
  await renderings.refreshStale()
  const primary = pgRepositories(db, render, renderings)
  const replica = options.replica === undefined ? undefined : openReplica(options.replica, render, db, options.onReplicaUnavailable ?? (() => {}))
  const routed = replica ? routeReads(primary, replica.side, replica.onUnavailable) : { repos: primary, routing: unreplicated }
  return {
    engine: 'postgres',
    repos: instrumentAll(routed.repos, observe),
    reads: routed.routing,
    ping: async () => {
      try {
        await db.execute(sql`select 1`)
        return true
      } catch {
        return false
      }
    },
    close: async () => {
      await replica?.close()
      await close()
    },
  }
}

/** The repositories on one PostgreSQL database; renderings of stale articles are made by the primary's only. */
function pgRepositories(db: PgDb, render: ArticleRenderer, renderings = createPgRenderings(db, render)): Repositories {
  const writes = createPgWrites(renderings)
  return {
    articles: createPgArticleRepository(db, renderings, writes),
    apiKeys: pgApiKeys.createApiKeyRepository(db),
    idempotency: pgApiKeys.createIdempotencyRepository(db),
    media: pgCatalog.createMediaRepository(db, renderings, writes),
    contributors: pgCatalog.createContributorRepository(db, renderings, writes),
    topics: pgCatalog.createTopicRepository(db, renderings, writes),
    sections: createPgSectionRepository(db, renderings, writes),
    archive: createPgArchiveRepository(db, renderings, writes),
    webhooks: createPgWebhookRepository(db),
    readers: createPgReaderRepository(db),
  }
}

/** The replica's repositories and positions (see readRouting.ts and pg/replica.ts). */
function openReplica(source: ReplicaSource, render: ArticleRenderer, primary: PgDb, onUnavailable: (err: unknown) => void) {
  const handle = typeof source === 'string' ? { ...openReplicaPool(source), replayed: undefined } : source
  const db = 'postgres' in handle ? handle.postgres : handle.db
  return {
    side: {
      repos: pgRepositories(db, render),
      caughtUp: replayTracker(handle.replayed ?? (() => replayedLsn(db))),
      primaryToken: () => primaryLsn(primary),
      unavailable: replicaUnavailable,
    },
    onUnavailable,
    close: handle.close,
  }
}
