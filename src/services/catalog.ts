import slugify from 'slugify'
import { InUseError, type CatalogRepository } from '../db/index.js'
import { ConflictError, NotFoundError } from '../errors.js'
import { decodeIdCursor, encodeIdCursor, DEFAULT_PAGE_SIZE, type PageRequest } from './cursor.js'
import { expectedVersion, type Precondition } from './preconditions.js'
import { systemRuntime, type Runtime } from './clock.js'
import type { Actor } from './actor.js'

/** A catalogue item as the API shows it: with the number of articles readers can see that use it. */
export type Counted<Row> = Row & { articleCount: number }

/** Attaches published-article counts to catalogue rows (one query for all of them). */
export async function withCounts<Row extends { id: string }>(
  repo: { publishedCounts(ids: string[], now: string): Promise<Map<string, number>> },
  rows: Row[],
  now: string,
): Promise<Counted<Row>[]> {
  const counts = await repo.publishedCounts(rows.map((r) => r.id), now)
  return rows.map((r) => ({ ...r, articleCount: counts.get(r.id) ?? 0 }))
}

/**
 * The service for a catalogue resource (media, contributors, topics, sections
 * share its shape): the server sets ids, versions and timestamps; writes to
 * existing items need a Precondition; a null in a patch clears the field. Items come
 * back with the count of published articles using them.
 */
export function createCatalogService<Row extends { id: string; version: number }, Fields, Create extends object, Patch extends object>(
  repo: CatalogRepository<Row, Fields>,
  resource: string,
  toFields: (input: Create) => Fields,
  runtime: Runtime = systemRuntime,
) {
  const nowIso = () => runtime.now().toISOString()
  const counted = (rows: Row[]) => withCounts(repo, rows, nowIso())
  const one = async (row: Row): Promise<Counted<Row>> => (await counted([row]))[0]!
  const found = async (key: string): Promise<Row> => {
    const row = await repo.find(key)
    if (!row) throw new NotFoundError(resource, key)
    return row
  }
  return {
    async create(input: Create): Promise<Counted<Row>> {
      const at = nowIso()
      return one(await repo.create({ ...toFields(input), id: runtime.newId(), createdAt: at, updatedAt: at }))
    },
    async get(key: string): Promise<Counted<Row>> {
      return one(await found(key))
    },
    /** By id or slug, without the article counts `get` adds (which cost a count over the archive): a feed's subject. */
    lookup: found,
    async list(query: PageRequest): Promise<{ items: Counted<Row>[]; next: string | null }> {
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const rows = await repo.list(limit + 1, query.cursor === undefined ? null : decodeIdCursor(query.cursor))
      const items = rows.slice(0, limit)
      const last = items[items.length - 1]
      return { items: await counted(items), next: rows.length > limit && last ? encodeIdCursor(last.id) : null }
    },
    async patch(key: string, expected: Precondition, input: Patch): Promise<Counted<Row>> {
      return one(await repo.update(key, expectedVersion(expected), input as unknown as Partial<Fields>, nowIso()))
    },
    async remove(key: string, expected: Precondition, options: { force?: boolean | undefined; actor?: Actor } = {}): Promise<void> {
      const force = options.force ? { meta: { at: nowIso(), actorKeyId: options.actor?.keyId ?? null, message: null } } : null
      try {
        await repo.remove(key, expectedVersion(expected), force, nowIso())
      } catch (err) {
        if (err instanceof InUseError) {
          throw new ConflictError(`This ${resource} is used by ${err.usedBy.length} article(s); detach it from them first, or delete with ?force=true.`, { usedBy: err.usedBy })
        }
        throw err
      }
    },
  }
}

export type CatalogService<Row extends { id: string; version: number }, Create extends object, Patch extends object> = ReturnType<
  typeof createCatalogService<Row, unknown, Create, Patch>
>

export const slugOf = (name: string): string => slugify(name, { lower: true, strict: true, trim: true }).slice(0, 80) || 'item'
