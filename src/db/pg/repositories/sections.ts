import { and, asc, eq, gt, inArray, like, or, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { PgDb } from '../client.js'
import { articles, sections } from '../schema.js'
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../../errors.js'
import { InUseError, MissingReferencesError, SectionCycleError } from '../../errors.js'
import { rethrowUnique } from '../../repositories/util.js'
import type { SectionRepository } from '../../repositories/sections.js'
import { sectionPath } from '../../writes.js'
import { writeTransaction, type PgWrites } from '../writes.js'
import type { PgRenderings } from '../renderings.js'
import type { SectionRow } from '../../rows.js'
import { publiclyVisible } from './catalog.js'
import { LOCKS } from '../locks.js'

/**
 * Whoever changes the section tree (create, move, rename, delete) holds this
 * transaction-level advisory lock, so tree writes take turns as they do on
 * SQLite: two concurrent moves (a under b, b under a) could otherwise each
 * find no cycle in the tree the other has not committed yet.
 */
export const SECTION_TREE_LOCK = LOCKS.sectionTree

/**
 * Sections on PostgreSQL: the same behaviour and errors as
 * src/db/repositories/sections.ts (full slug paths, a subtree moved in the
 * transaction that moves its root, cycles refused, deletes refused while the
 * section has subsections or articles unless forced).
 */
export function createSectionRepository(db: PgDb, renderings: PgRenderings, writes: PgWrites): SectionRepository {
  const key = sql.placeholder('key')
  const byKey = (k: unknown) => or(eq(sections.id, k as string), eq(sections.path, k as string))!
  const idFirst = (k: unknown) => sql`${sections.id} = ${k} desc`
  const reads = {
    find: db.select().from(sections).where(byKey(key)).orderBy(idFirst(key)).limit(1).prepare('section_find'),
    first: db.select().from(sections).orderBy(asc(sections.path)).limit(sql.placeholder('limit')).prepare('section_list_first'),
    after: db
      .select()
      .from(sections)
      .where(gt(sections.path, sql.placeholder('afterPath')))
      .orderBy(asc(sections.path))
      .limit(sql.placeholder('limit'))
      .prepare('section_list_after'),
  }
  const lockTree = (tx: PgDb) => tx.execute(sql`select pg_advisory_xact_lock(${SECTION_TREE_LOCK})`)
  const current = async (tx: PgDb, k: string, expectedVersion: number | null): Promise<SectionRow> => {
    const [row] = await tx.select().from(sections).where(byKey(k)).orderBy(idFirst(k)).limit(1).for('update')
    if (!row) throw new NotFoundError('section', k)
    if (expectedVersion !== null && row.version !== expectedVersion) throw new PreconditionFailedError(row.version)
    return row
  }
  const parentPath = async (tx: PgDb, parentId: string | null): Promise<string | null> => {
    if (parentId === null) return null
    const [parent] = await tx.select({ path: sections.path }).from(sections).where(eq(sections.id, parentId))
    if (!parent) throw new MissingReferencesError([{ kind: 'section', id: parentId }])
    return parent.path
  }

  return {
    async create(row) {
      let path = ''
      try {
        return await writeTransaction(db, async (tx) => {
          await lockTree(tx)
          path = sectionPath(await parentPath(tx, row.parentId), row.slug)
          const [created] = await tx
            .insert(sections)
            .values({ id: row.id, name: row.name, slug: row.slug, parentId: row.parentId, path, description: row.description, version: 1, createdAt: row.at, updatedAt: row.at })
            .returning()
          await writes.event(tx, 'section.created', { id: created!.id, version: 1 }, row.at)
          return created!
        })
      } catch (err) {
        return rethrowUnique(err, 'section path', path)
      }
    },
    async find(k) {
      return (await reads.find.execute({ key: k }))[0] ?? null
    },
    async list(limit, afterPath) {
      return afterPath === null ? reads.first.execute({ limit }) : reads.after.execute({ limit, afterPath })
    },
    async update(k, expectedVersion, change, at) {
      let path = ''
      try {
        return await writeTransaction(db, async (tx) => {
          await lockTree(tx)
          const row = await current(tx, k, expectedVersion)
          const parentId = change.parentId === undefined ? row.parentId : change.parentId
          const slug = change.slug ?? row.slug
          path = sectionPath(await parentPath(tx, parentId), slug)
          if ((path === row.path || path.startsWith(`${row.path}/`)) && parentId !== null && parentId !== row.parentId) {
            throw new SectionCycleError(row.id, parentId)
          }
          if (path !== row.path) await writes.moveSubtree(tx, row.path, path, at)
          const [updated] = await tx
            .update(sections)
            .set({
              name: change.name ?? row.name,
              slug,
              parentId,
              path,
              description: change.description === undefined ? row.description : change.description,
              version: row.version + 1,
              updatedAt: at,
            })
            .where(and(eq(sections.id, row.id), eq(sections.version, row.version)))
            .returning()
          // Articles embed the section's name and path; a new path moves the sections below it too.
          await renderings.refreshUsersOf(tx, 'section', row.id)
          await writes.event(tx, 'section.updated', { id: updated!.id, version: updated!.version }, at)
          return updated!
        })
      } catch (err) {
        return rethrowUnique(err, 'section path', path)
      }
    },
    async publishedCounts(ids, now) {
      if (ids.length === 0) return new Map()
      const sub = alias(sections, 'sub')
      const rows = await db
        .select({ id: sections.id, n: sql<number>`count(${articles.id})`.mapWith(Number) })
        .from(sections)
        .innerJoin(sub, or(eq(sub.path, sections.path), like(sub.path, sql`${sections.path} || '/%'`)))
        .innerJoin(articles, and(eq(articles.sectionId, sub.id), publiclyVisible(now)))
        .where(inArray(sections.id, ids))
        .groupBy(sections.id)
      return new Map(rows.map((r) => [r.id, r.n]))
    },
    async remove(k, expectedVersion, force = null, at = force?.meta.at ?? new Date().toISOString()) {
      await writeTransaction(db, async (tx) => {
        await lockTree(tx)
        const row = await current(tx, k, expectedVersion)
        const [child] = await tx.select({ id: sections.id }).from(sections).where(eq(sections.parentId, row.id)).limit(1)
        if (child) throw new ConflictError('This section has subsections; move or delete them first.')
        const users = (await tx.select({ id: articles.id }).from(articles).where(eq(articles.sectionId, row.id)).limit(100)).map((a) => a.id)
        if (users.length > 0 && !force) throw new InUseError('section', users)
        if (force) await writes.detach(tx, 'section', row.id, row.path, force.meta)
        await tx.delete(sections).where(eq(sections.id, row.id))
        await writes.event(tx, 'section.deleted', { id: row.id, version: row.version }, at)
      })
    },
  }
}
