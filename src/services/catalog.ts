import slugify from 'slugify'
import type { CatalogRepository } from '../db/index.js'
import { NotFoundError } from '../errors.js'
import { decodeIdCursor, encodeIdCursor } from './cursor.js'
import { expectedVersion } from './preconditions.js'
import { systemRuntime, type Runtime } from './clock.js'

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
    async list(query: { limit: number; cursor?: string | undefined }): Promise<{ items: Row[]; next: string | null }> {
      const rows = await repo.list(query.limit + 1, query.cursor === undefined ? null : decodeIdCursor(query.cursor))
      const items = rows.slice(0, query.limit)
      const last = items[items.length - 1]
      return { items, next: rows.length > query.limit && last ? encodeIdCursor(last.id) : null }
    },
    async patch(key: string, ifMatch: string | undefined, input: Patch): Promise<Row> {
      return repo.update(key, expectedVersion(ifMatch), () => input as unknown as Partial<Fields>, nowIso())
    },
    async remove(key: string, ifMatch: string | undefined): Promise<void> {
      await repo.remove(key, expectedVersion(ifMatch))
    },
  }
}

export type CatalogService<Row extends { id: string; version: number }, Create extends object, Patch extends object> = ReturnType<
  typeof createCatalogService<Row, unknown, Create, Patch>
>

export const slugOf = (name: string): string => slugify(name, { lower: true, strict: true, trim: true }).slice(0, 80) || 'item'
