import { and, asc, eq, gt, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { PgDb } from '../client.js'
import { articleCredits, articleMedia, articleTopics, articles, contributors, media, topics } from '../schema.js'
import type { ContributorRow, MediaRow, TopicRow } from '../../rows.js'
import { NotFoundError, PreconditionFailedError } from '../../../errors.js'
import { InUseError } from '../../errors.js'
import { rethrowUnique } from '../../repositories/util.js'
import type { CatalogRepository, NamedCatalogRepository } from '../../repositories/catalog.js'
import { writeTransaction, type PgWrites } from '../writes.js'
import type { PgRenderings } from '../renderings.js'

/**
 * The catalogue resources articles refer to (media, contributors, topics) on
 * PostgreSQL: the same behaviour as src/db/repositories/catalog.ts. A write
 * reads the item `for update`, so two writers of one item take turns (the
 * second sees the first's version: 412), and an article write that refers to
 * the item (its foreign key takes a share lock on it) waits for a delete, or
 * the delete for it, so that a delete never misses a user.
 */

type CatalogTable = typeof media | typeof contributors | typeof topics
type UsageTable = typeof articleMedia | typeof articleCredits | typeof articleTopics

/** Readers see an article that is published and whose embargo (if any) has passed at `now`. */
export const publiclyVisible = (now: string): SQL =>
  and(eq(articles.status, 'published'), or(isNull(articles.embargoUntil), lte(articles.embargoUntil, now)))!

function createCatalogRepository<T extends CatalogTable, Row extends T['$inferSelect'], Fields>(
  db: PgDb,
  renderings: PgRenderings,
  writes: PgWrites,
  table: T,
  resource: string,
  usage: { table: UsageTable; column: AnyPgColumn; kind: 'topic' | 'contributor' | 'media' },
): CatalogRepository<Row, Fields> {
  // Drizzle's generics do not follow a table chosen at run time; the casts stay inside this module.
  const t = table as typeof topics
  const name = usage.kind
  const hasSlug = 'slug' in table
  const key = sql.placeholder('key')
  // A key may be one item's id and another's slug: the id wins, as on SQLite.
  const byKey = (k: unknown) => (hasSlug ? or(eq(t.id, k as string), eq(t.slug, k as string))! : eq(t.id, k as string))
  const idFirst = (k: unknown) => sql`${t.id} = ${k} desc`
  const reads = {
    find: db.select().from(t).where(byKey(key)).orderBy(idFirst(key)).limit(1).prepare(`${name}_find`),
    first: db.select().from(t).orderBy(asc(t.id)).limit(sql.placeholder('limit')).prepare(`${name}_list_first`),
    after: db
      .select()
      .from(t)
      .where(gt(t.id, sql.placeholder('afterId')))
      .orderBy(asc(t.id))
      .limit(sql.placeholder('limit'))
      .prepare(`${name}_list_after`),
  }
  const current = async (tx: PgDb, k: string, expectedVersion: number | null): Promise<Row> => {
    const [row] = (await tx.select().from(t).where(byKey(k)).orderBy(idFirst(k)).limit(1).for('update')) as Row[]
    if (!row) throw new NotFoundError(resource, k)
    if (expectedVersion !== null && row.version !== expectedVersion) throw new PreconditionFailedError(row.version)
    return row
  }
  const slugOf = (v: unknown) => String((v as { slug?: string }).slug ?? '')
  const usageTable = usage.table as typeof articleTopics

  return {
    async create(row) {
      try {
        return await writeTransaction(db, async (tx) => {
          const created = (await tx.insert(t).values({ ...(row as object), version: 1 } as never).returning())[0] as Row
          await writes.event(tx, `${usage.kind}.created`, { id: created.id, version: 1 }, row.createdAt)
          return created
        })
      } catch (err) {
        return rethrowUnique(err, 'slug', slugOf(row))
      }
    },
    async find(k) {
      return ((await reads.find.execute({ key: k }))[0] as Row | undefined) ?? null
    },
    async list(limit, afterId) {
      return (afterId === null ? await reads.first.execute({ limit }) : await reads.after.execute({ limit, afterId })) as Row[]
    },
    async publishedCounts(ids, now) {
      if (ids.length === 0) return new Map()
      const rows = (await db
        .select({ id: usage.column, n: sql<number>`count(distinct ${usageTable.articleId})`.mapWith(Number) })
        .from(usageTable)
        .innerJoin(articles, eq(articles.id, usageTable.articleId))
        .where(and(inArray(usage.column, ids), publiclyVisible(now)))
        .groupBy(usage.column)) as { id: string; n: number }[]
      return new Map(rows.map((r) => [r.id, r.n]))
    },
    async update(k, expectedVersion, fields, at) {
      try {
        return await writeTransaction(db, async (tx) => {
          const row = await current(tx, k, expectedVersion)
          const [updated] = (await tx
            .update(t)
            .set({ ...(fields as object), version: row.version + 1, updatedAt: at } as never)
            .where(and(eq(t.id, row.id), eq(t.version, row.version)))
            .returning()) as Row[]
          // Articles embed the item (a contributor's name, a photo's caption): their renderings change with it.
          await renderings.refreshUsersOf(tx, usage.kind, row.id)
          await writes.event(tx, `${usage.kind}.updated`, { id: updated!.id, version: updated!.version }, at)
          return updated!
        })
      } catch (err) {
        return rethrowUnique(err, 'slug', slugOf(fields))
      }
    },
    async remove(k, expectedVersion, force = null, at = force?.meta.at ?? new Date().toISOString()) {
      await writeTransaction(db, async (tx) => {
        const row = await current(tx, k, expectedVersion)
        const users = (await tx.selectDistinct({ articleId: usageTable.articleId }).from(usageTable).where(eq(usage.column, row.id)).limit(100)).map((u) => u.articleId)
        if (users.length > 0 && !force) throw new InUseError(usage.kind, users)
        if (force) await writes.detach(tx, usage.kind, row.id, String((row as { name?: string }).name ?? row.id), force.meta)
        await tx.delete(t).where(eq(t.id, row.id))
        await writes.event(tx, `${usage.kind}.deleted`, { id: row.id, version: row.version }, at)
      })
    },
  }
}

type FieldsOf<R> = Omit<R, 'id' | 'version' | 'createdAt' | 'updatedAt'>

function withNames<Row extends { id: string; version: number }, Fields>(
  db: PgDb,
  table: typeof contributors | typeof topics,
  repo: CatalogRepository<Row, Fields>,
): NamedCatalogRepository<Row, Fields> {
  const t = table as typeof topics
  const name = sql.placeholder('name')
  const prefix = table === contributors ? 'contributor' : 'topic'
  const byName = db
    .select()
    .from(t)
    .where(or(sql`lower(${t.name}) = lower(${name})`, sql`exists (select 1 from jsonb_array_elements_text(${t.aliases}) as alias where lower(alias) = lower(${name}))`))
    .orderBy(asc(t.id))
    .limit(1)
    .prepare(`${prefix}_by_name`)
  return {
    ...repo,
    async findByNameOrAlias(n) {
      return ((await byName.execute({ name: n }))[0] as Row | undefined) ?? null
    },
    async names() {
      return db.select({ id: t.id, name: t.name, aliases: t.aliases }).from(t)
    },
  }
}

export const createMediaRepository = (db: PgDb, renderings: PgRenderings, writes: PgWrites) =>
  createCatalogRepository<typeof media, MediaRow, FieldsOf<MediaRow>>(db, renderings, writes, media, 'media', { table: articleMedia, column: articleMedia.mediaId, kind: 'media' })

export const createContributorRepository = (db: PgDb, renderings: PgRenderings, writes: PgWrites) =>
  withNames(
    db,
    contributors,
    createCatalogRepository<typeof contributors, ContributorRow, FieldsOf<ContributorRow>>(db, renderings, writes, contributors, 'contributor', {
      table: articleCredits,
      column: articleCredits.contributorId,
      kind: 'contributor',
    }),
  )

export const createTopicRepository = (db: PgDb, renderings: PgRenderings, writes: PgWrites) =>
  withNames(
    db,
    topics,
    createCatalogRepository<typeof topics, TopicRow, FieldsOf<TopicRow>>(db, renderings, writes, topics, 'topic', { table: articleTopics, column: articleTopics.topicId, kind: 'topic' }),
  )
