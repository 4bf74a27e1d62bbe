import slugify from 'slugify'
import type { CatalogRepository } from '../db/index.js'
import { NotFoundError } from '../errors.js'
import { decodeIdCursor, encodeIdCursor, DEFAULT_PAGE_SIZE, type PageRequest } from './cursor.js'
import { expectedVersion } from './preconditions.js'
import { systemRuntime, type Runtime } from './clock.js'
import type { Actor } from './actor.js'

/**
 * The service for a catalogue resource (media, contributors, topics): the
 * server sets ids, versions and timestamps; writes to existing items need If-Match;
 * a null in a patch clears the field.
 */
export function createCatalogService<Row extends { id: string; version: number }, Fields, Create extends object, Patch extends object>(
  repo: CatalogRepository<Row, Fields>,
  resource: string,
  toFields: (input: Create) => Fields,
  runtime: Runtime = systemRuntime,
) {
  const nowIso = () => runtime.now().toISOString()
  return {
    async create(input: Create): Promise<Row> {
      const at = nowIso()
      return repo.create({ ...toFields(input), id: runtime.newId(), createdAt: at, updatedAt: at })
    },
    async get(key: string): Promise<Row> {
      const row = await repo.find(key)
      if (!row) throw new NotFoundError(resource, key)
      return row
    },
    async list(query: PageRequest): Promise<{ items: Row[]; next: string | null }> {
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const rows = await repo.list(limit + 1, query.cursor === undefined ? null : decodeIdCursor(query.cursor))
      const items = rows.slice(0, limit)
      const last = items[items.length - 1]
      return { items, next: rows.length > limit && last ? encodeIdCursor(last.id) : null }
    },
    async patch(key: string, ifMatch: string | undefined, input: Patch): Promise<Row> {
      return repo.update(key, expectedVersion(ifMatch), () => input as unknown as Partial<Fields>, nowIso())
    },
    async remove(key: string, ifMatch: string | undefined, options: { force?: boolean | undefined; actor?: Actor } = {}): Promise<void> {
      const force = options.force ? { meta: { at: nowIso(), actorKeyId: options.actor?.keyId ?? null, message: null } } : null
      await repo.remove(key, expectedVersion(ifMatch), force)
    },
  }
}

export type CatalogService<Row extends { id: string; version: number }, Create extends object, Patch extends object> = ReturnType<
  typeof createCatalogService<Row, unknown, Create, Patch>
>

export const slugOf = (name: string): string => slugify(name, { lower: true, strict: true, trim: true }).slice(0, 80) || 'item'
