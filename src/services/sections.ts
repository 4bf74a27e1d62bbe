import type { SectionRepository, SectionRow } from '../db/index.js'
import type { SectionCreateBody, SectionPatchBody } from '../schemas/section.js'
import { NotFoundError } from '../errors.js'
import { slugOf } from './catalog.js'
import { decodeIdCursor, encodeIdCursor, DEFAULT_PAGE_SIZE, type PageRequest } from './cursor.js'
import { expectedVersion } from './preconditions.js'
import { systemRuntime, type Runtime } from './clock.js'
import type { Actor } from './actor.js'

/** Sections: a tree addressed by id or slug path; the same shape of service as the other catalogues. */
export function createSectionService(repo: SectionRepository, runtime: Runtime = systemRuntime) {
  const nowIso = () => runtime.now().toISOString()
  return {
    create(input: SectionCreateBody): Promise<SectionRow> {
      return repo.create({
        id: runtime.newId(),
        name: input.name,
        slug: input.slug ?? slugOf(input.name),
        parentId: input.parentId ?? null,
        description: input.description ?? null,
        at: nowIso(),
      })
    },
    async get(key: string): Promise<SectionRow> {
      const row = await repo.find(key)
      if (!row) throw new NotFoundError('section', key)
      return row
    },
    async list(query: PageRequest) {
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const rows = await repo.list(limit + 1, query.cursor === undefined ? null : decodeIdCursor(query.cursor))
      const items = rows.slice(0, limit)
      const last = items[items.length - 1]
      return { items, next: rows.length > limit && last ? encodeIdCursor(last.path) : null }
    },
    patch(key: string, ifMatch: string | undefined, input: SectionPatchBody): Promise<SectionRow> {
      return repo.update(key, expectedVersion(ifMatch), input, nowIso())
    },
    async remove(key: string, ifMatch: string | undefined, options: { force?: boolean | undefined; actor?: Actor } = {}): Promise<void> {
      const force = options.force ? { meta: { at: nowIso(), actorKeyId: options.actor?.keyId ?? null, message: null } } : null
      await repo.remove(key, expectedVersion(ifMatch), force)
    },
  }
}
