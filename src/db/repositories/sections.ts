import { and, asc, eq, gt, inArray, like, or, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import type { Db } from '../sqlite/client.js'
import { articles, sections } from '../schema.js'
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../errors.js'
import { InUseError, MissingReferencesError, SectionCycleError } from '../errors.js'
import { rethrowUnique } from './util.js'
import { sectionPath, type Writes } from '../writes.js'
import type { Renderings } from './renderings.js'
import type { RevisionMeta, SectionRow } from '../rows.js'
import { visible } from './articleQuery.js'

export interface SectionChange {
  name?: string
  slug?: string
  description?: string | null
  /** undefined: keep; null: make it a root section. */
  parentId?: string | null
}

export interface SectionRepository {
  create(row: { id: string; name: string; slug: string; parentId: string | null; description: string | null; at: string }): Promise<SectionRow>
  find(idOrPath: string): Promise<SectionRow | null>
  /** Tree order: by path. */
  list(limit: number, afterPath: string | null): Promise<SectionRow[]>
  update(key: string, expectedVersion: number | null, change: SectionChange, at: string): Promise<SectionRow>
  /**
   * Refuses while the section has subsections (409), or articles (InUseError) unless `force` moves them out of it first.
   * create and update throw MissingReferencesError for a parent that does not exist, SectionCycleError for a move under itself.
   */
  remove(key: string, expectedVersion: number | null, force?: { meta: RevisionMeta } | null, at?: string): Promise<void>
  /** How many articles readers can see in each section and its subsections. */
  publishedCounts(ids: string[], now: string): Promise<Map<string, number>>
}

/**
 * Sections form a tree; each keeps its full slug path (news/world/asia) so a
 * subtree is one index range. Moving or renaming a section rewrites the paths
 * below it in the same transaction.
 */
export function createSectionRepository(db: Db, renderings: Renderings, writes: Writes): SectionRepository {
  const byKey = (key: string) => or(eq(sections.id, key), eq(sections.path, key))!
  const current = (key: string, expectedVersion: number | null): SectionRow => {
    const row = db.select().from(sections).where(byKey(key)).get()
    if (!row) throw new NotFoundError('section', key)
    if (expectedVersion !== null && row.version !== expectedVersion) throw new PreconditionFailedError(row.version)
    return row
  }
  const parentPath = (parentId: string | null): string | null => {
    if (parentId === null) return null
    const parent = db.select({ path: sections.path }).from(sections).where(eq(sections.id, parentId)).get()
    if (!parent) throw new MissingReferencesError([{ kind: 'section', id: parentId }])
    return parent.path
  }

  return {
    async create(row) {
      let path = ''
      try {
        return db.transaction(
          () => {
            path = sectionPath(parentPath(row.parentId), row.slug)
            const created = db
              .insert(sections)
              .values({ id: row.id, name: row.name, slug: row.slug, parentId: row.parentId, path, description: row.description, version: 1, createdAt: row.at, updatedAt: row.at })
              .returning()
              .all()[0]!
            writes.event('section.created', { id: created.id, version: 1 }, row.at)
            return created
          },
          { behavior: 'immediate' },
        )
      } catch (err) {
        return rethrowUnique(err, 'section path', path)
      }
    },
    async find(key) {
      return db.select().from(sections).where(byKey(key)).get() ?? null
    },
    async list(limit, afterPath) {
      return db
        .select()
        .from(sections)
        .where(afterPath === null ? undefined : gt(sections.path, afterPath))
        .orderBy(asc(sections.path))
        .limit(limit)
        .all()
    },
    async update(key, expectedVersion, change, at) {
      let path = ''
      try {
        return db.transaction(
          () => {
            const row = current(key, expectedVersion)
            const parentId = change.parentId === undefined ? row.parentId : change.parentId
            const slug = change.slug ?? row.slug
            path = sectionPath(parentPath(parentId), slug)
            if ((path === row.path || path.startsWith(`${row.path}/`)) && parentId !== null && parentId !== row.parentId) {
              throw new SectionCycleError(row.id, parentId)
            }
            if (path !== row.path) writes.moveSubtree(row.path, path, at)
            const updated = db
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
              .all()[0]!
            // Articles embed the section's name and path; a new path moves the sections below it too.
            renderings.refreshUsersOf('section', row.id)
            writes.event('section.updated', { id: updated.id, version: updated.version }, at)
            return updated
          },
          { behavior: 'immediate' },
        )
      } catch (err) {
        return rethrowUnique(err, 'section path', path)
      }
    },
    async publishedCounts(ids, now) {
      if (ids.length === 0) return new Map()
      const sub = alias(sections, 'sub')
      const rows = db
        .select({ id: sections.id, n: sql<number>`count(${articles.id})` })
        .from(sections)
        .innerJoin(sub, or(eq(sub.path, sections.path), like(sub.path, sql`${sections.path} || '/%'`)))
        .innerJoin(articles, and(eq(articles.sectionId, sub.id), visible({ publicOnly: true, now })))
        .where(inArray(sections.id, ids))
        .groupBy(sections.id)
        .all()
      return new Map(rows.map((r) => [r.id, r.n]))
    },
    async remove(key, expectedVersion, force = null, at = force?.meta.at ?? new Date().toISOString()) {
      db.transaction(
        () => {
          const row = current(key, expectedVersion)
          const child = db.select({ id: sections.id }).from(sections).where(eq(sections.parentId, row.id)).limit(1).get()
          if (child) throw new ConflictError('This section has subsections; move or delete them first.')
          const users = db.select({ id: articles.id }).from(articles).where(eq(articles.sectionId, row.id)).limit(100).all().map((a) => a.id)
          if (users.length > 0 && !force) throw new InUseError('section', users)
          if (force) writes.detach('section', row.id, row.path, force.meta)
          db.delete(sections).where(eq(sections.id, row.id)).run()
          writes.event('section.deleted', { id: row.id, version: row.version }, at)
        },
        { behavior: 'immediate' },
      )
    },
  }
}
