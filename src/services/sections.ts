import { InUseError, MissingReferencesError, SectionCycleError, type SectionRepository, type SectionRow } from '../db/index.js'
import type { SectionCreateBody, SectionPatchBody } from '../schemas/section.js'
import { ConflictError, NotFoundError, ValidationError } from '../errors.js'
import { slugOf, withCounts, type Counted } from './catalog.js'
import { decodeIdCursor, encodeIdCursor, DEFAULT_PAGE_SIZE, type PageRequest } from './cursor.js'
import { expectedVersion, type Precondition } from './preconditions.js'
import { systemRuntime, type Runtime } from './clock.js'
import type { Actor } from './actor.js'

/** The repository's refusals in the words of the request: the parent is the body's parentId; force is the ?force=true of a delete. */
function rethrowRefusal(err: unknown): never {
  if (err instanceof MissingReferencesError) {
    throw new ValidationError('The parent section does not exist.', err.missing.map((m) => ({ path: '/parentId', message: `no section with id '${m.id}'` })))
  }
  if (err instanceof SectionCycleError) throw new ValidationError('A section cannot move under itself.', [{ path: '/parentId', message: 'would make a cycle' }])
  if (err instanceof InUseError) {
    throw new ConflictError(`This section holds ${err.usedBy.length} article(s); move them first, or delete with ?force=true.`, { usedBy: err.usedBy })
  }
  throw err
}

/** Sections: a tree addressed by id or slug path; the same shape of service as the other catalogues. */
export function createSectionService(repo: SectionRepository, runtime: Runtime = systemRuntime) {
  const nowIso = () => runtime.now().toISOString()
  const counted = (rows: SectionRow[]) => withCounts(repo, rows, nowIso())
  const one = async (row: SectionRow): Promise<Counted<SectionRow>> => (await counted([row]))[0]!
  const found = async (key: string): Promise<SectionRow> => {
    const row = await repo.find(key)
    if (!row) throw new NotFoundError('section', key)
    return row
  }
  return {
    async create(input: SectionCreateBody): Promise<Counted<SectionRow>> {
      const row = await repo
        .create({
          id: runtime.newId(),
          name: input.name,
          slug: input.slug ?? slugOf(input.name),
          parentId: input.parentId ?? null,
          description: input.description ?? null,
          at: nowIso(),
        })
        .catch(rethrowRefusal)
      return one(row)
    },
    async get(key: string): Promise<Counted<SectionRow>> {
      return one(await found(key))
    },
    /** By id or slug, without the article counts `get` adds (which cost a count over the archive): a feed's subject. */
    lookup: found,
    async list(query: PageRequest) {
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const rows = await repo.list(limit + 1, query.cursor === undefined ? null : decodeIdCursor(query.cursor))
      const items = rows.slice(0, limit)
      const last = items[items.length - 1]
      return { items: await counted(items), next: rows.length > limit && last ? encodeIdCursor(last.path) : null }
    },
    async patch(key: string, expected: Precondition, input: SectionPatchBody): Promise<Counted<SectionRow>> {
      return one(await repo.update(key, expectedVersion(expected), input, nowIso()).catch(rethrowRefusal))
    },
    async remove(key: string, expected: Precondition, options: { force?: boolean | undefined; actor?: Actor } = {}): Promise<void> {
      const force = options.force ? { meta: { at: nowIso(), actorKeyId: options.actor?.keyId ?? null, message: null } } : null
      await repo.remove(key, expectedVersion(expected), force, nowIso()).catch(rethrowRefusal)
    },
  }
}
