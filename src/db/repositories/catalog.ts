import { and, asc, eq, gt, inArray, or, sql } from 'drizzle-orm'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from '../sqlite/client.js'
import { articleCredits, articleMedia, articleTopics, articles, contributors, media, topics } from '../schema.js'
import type { ContributorRow, MediaRow, RevisionMeta, TopicRow } from '../rows.js'
import { NotFoundError, PreconditionFailedError } from '../../errors.js'
import { InUseError } from '../errors.js'
import { rethrowUnique } from './util.js'
import type { Writes } from '../writes.js'
import { arrayHoldsIgnoringCase } from '../sqlite/json.js'
import type { Renderings } from './renderings.js'
import { visible } from './articleQuery.js'

/**
 * One repository shape for the catalogue resources articles refer to
 * (media, contributors, topics): create, find by id or slug, page by id,
 * update under a version check, and delete that refuses while articles use it.
 */
export interface CatalogRepository<Row extends { id: string; version: number }, Fields> {
  create(row: Fields & { id: string; createdAt: string; updatedAt: string }): Promise<Row>
  find(key: string): Promise<Row | null>
  list(limit: number, afterId: string | null): Promise<Row[]>
  /** Writes the fields if the item is at `expectedVersion` (null: any version), re-rendering the articles that embed it, in one transaction. */
  update(key: string, expectedVersion: number | null, fields: Partial<Fields>, at: string): Promise<Row>
  /** Refuses (InUseError, naming the articles) while articles use the item, unless `force` detaches it from them first. */
  remove(key: string, expectedVersion: number | null, force?: { meta: RevisionMeta } | null, at?: string): Promise<void>
  /** How many articles readers can see (published, embargo passed at `now`) use each of these items. */
  publishedCounts(ids: string[], now: string): Promise<Map<string, number>>
}

/** Catalogues with names and aliases (contributors, topics): found by what people write. */
export interface NamedCatalogRepository<Row extends { id: string; version: number }, Fields> extends CatalogRepository<Row, Fields> {
  /** Case-insensitive match on the name or any alias. */
  findByNameOrAlias(name: string): Promise<Row | null>
  /** Every id, name and alias set, for auto-tagging. */
  names(): Promise<{ id: string; name: string; aliases: string[] }[]>
}

type CatalogTable = typeof media | typeof contributors | typeof topics
type UsageTable = typeof articleMedia | typeof articleCredits | typeof articleTopics

function createCatalogRepository<T extends CatalogTable, Row extends T['$inferSelect'], Fields>(
  db: Db,
  renderings: Renderings,
  writes: Writes,
  table: T,
  resource: string,
  usage: { table: UsageTable; column: AnySQLiteColumn; kind: 'topic' | 'contributor' | 'media' },
): CatalogRepository<Row, Fields> {
  // Drizzle's generics do not follow a table chosen at run time; the casts stay inside this module.
  const t = table as typeof topics
  const hasSlug = 'slug' in table
  const byKey = (key: string) => (hasSlug ? or(eq(t.id, key), eq(t.slug, key))! : eq(t.id, key))
  const current = (key: string, expectedVersion: number | null): Row => {
    const row = db.select().from(t).where(byKey(key)).get() as Row | undefined
    if (!row) throw new NotFoundError(resource, key)
    if (expectedVersion !== null && row.version !== expectedVersion) throw new PreconditionFailedError(row.version)
    return row
  }
  const slugOf = (v: unknown) => String((v as { slug?: string }).slug ?? '')
  const usageTable = usage.table as typeof articleTopics

  return {
    async create(row) {
      try {
        return db.transaction(
          () => {
            const created = db.insert(t).values({ ...(row as object), version: 1 } as never).returning().all()[0] as Row
            writes.event(`${usage.kind}.created`, { id: created.id, version: 1 }, row.createdAt)
            return created
          },
          { behavior: 'immediate' },
        )
      } catch (err) {
        return rethrowUnique(err, 'slug', slugOf(row))
      }
    },
    async find(key) {
      return (db.select().from(t).where(byKey(key)).get() as Row | undefined) ?? null
    },
    async list(limit, afterId) {
      return db
        .select()
        .from(t)
        .where(afterId ? gt(t.id, afterId) : undefined)
        .orderBy(asc(t.id))
        .limit(limit)
        .all() as Row[]
    },
    async publishedCounts(ids, now) {
      if (ids.length === 0) return new Map()
      const rows = db
        .select({ id: usage.column, n: sql<number>`count(distinct ${usageTable.articleId})` })
        .from(usageTable)
        .innerJoin(articles, eq(articles.id, usageTable.articleId))
        .where(and(inArray(usage.column, ids), visible({ publicOnly: true, now })))
        .groupBy(usage.column)
        .all() as { id: string; n: number }[]
      return new Map(rows.map((r) => [r.id, r.n]))
    },
    async update(key, expectedVersion, fields, at) {
      try {
        return db.transaction(
          () => {
            const row = current(key, expectedVersion)
            const updated = db
              .update(t)
              .set({ ...(fields as object), version: row.version + 1, updatedAt: at } as never)
              .where(and(eq(t.id, row.id), eq(t.version, row.version)))
              .returning()
              .all()[0] as Row
            // Articles embed the item (a contributor's name, a photo's caption): their renderings change with it.
            renderings.refreshUsersOf(usage.kind, row.id)
            writes.event(`${usage.kind}.updated`, { id: updated.id, version: updated.version }, at)
            return updated
          },
          { behavior: 'immediate' },
        )
      } catch (err) {
        return rethrowUnique(err, 'slug', slugOf(fields))
      }
    },
    async remove(key, expectedVersion, force = null, at = force?.meta.at ?? new Date().toISOString()) {
      db.transaction(
        () => {
          const row = current(key, expectedVersion)
          const users = db
            .selectDistinct({ articleId: usageTable.articleId })
            .from(usageTable)
            .where(eq(usage.column, row.id))
            .limit(100)
            .all()
            .map((u) => u.articleId)
          if (users.length > 0 && !force) throw new InUseError(usage.kind, users)
          if (force) writes.detach(usage.kind, row.id, String((row as { name?: string }).name ?? row.id), force.meta)
          db.delete(t).where(eq(t.id, row.id)).run()
          writes.event(`${usage.kind}.deleted`, { id: row.id, version: row.version }, at)
        },
        { behavior: 'immediate' },
      )
    },
  }
}

type FieldsOf<R> = Omit<R, 'id' | 'version' | 'createdAt' | 'updatedAt'>

export const createMediaRepository = (db: Db, renderings: Renderings, writes: Writes) =>
  createCatalogRepository<typeof media, MediaRow, FieldsOf<MediaRow>>(db, renderings, writes, media, 'media', { table: articleMedia, column: articleMedia.mediaId, kind: 'media' })
function withNames<Row extends { id: string; version: number }, Fields>(
  db: Db,
  table: typeof contributors | typeof topics,
  repo: CatalogRepository<Row, Fields>,
): NamedCatalogRepository<Row, Fields> {
  const t = table as typeof topics
  return {
    ...repo,
    async findByNameOrAlias(name) {
      const row = db
        .select()
        .from(t)
        .where(
          or(
            sql`lower(${t.name}) = lower(${name})`,
            arrayHoldsIgnoringCase(t.aliases, name),
          ),
        )
        .orderBy(asc(t.id))
        .get()
      return (row as Row | undefined) ?? null
    },
    async names() {
      return db.select({ id: t.id, name: t.name, aliases: t.aliases }).from(t).all()
    },
  }
}

export const createContributorRepository = (db: Db, renderings: Renderings, writes: Writes) =>
  withNames(
    db,
    contributors,
    createCatalogRepository<typeof contributors, ContributorRow, FieldsOf<ContributorRow>>(db, renderings, writes, contributors, 'contributor', {
      table: articleCredits,
      column: articleCredits.contributorId,
      kind: 'contributor',
    }),
  )
export const createTopicRepository = (db: Db, renderings: Renderings, writes: Writes) =>
  withNames(
    db,
    topics,
    createCatalogRepository<typeof topics, TopicRow, FieldsOf<TopicRow>>(db, renderings, writes, topics, 'topic', { table: articleTopics, column: articleTopics.topicId, kind: 'topic' }),
  )
