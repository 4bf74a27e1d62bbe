import slugify from 'slugify'
import type {
  ArticleChange,
  ArticleAggregate,
  ArticleFields,
  ArticleFilter,
  ArticleRelations,
  ArticleRepository,
  ListedArticle,
  RevisionMeta,
  RevisionRow,
  RevisionSnapshot,
  RenderingMeta,
  StoredRendering,
} from '../db/index.js'
import { MissingReferencesError, SearchQueryError } from '../db/index.js'
import type { ArticleCreateBody, ArticleListQueryValue, ArticlePatchBody, BodyBlockValue } from '../schemas/article.js'
import { ConflictError, DatabaseBusyError, NotFoundError, PreconditionFailedError, ValidationError, type Issue } from '../errors.js'
import { isDeepStrictEqual } from 'node:util'
import { decodeArticleCursor, decodeIdCursor, encodeArticleCursor, encodeIdCursor, sortKeyOf, DEFAULT_PAGE_SIZE, type PageRequest } from './cursor.js'
import { checkEmbedHtml, checkInlineHtml } from './html.js'
import { bodyText, wordCount } from './bodyText.js'
import { expectedVersion, type Precondition } from './preconditions.js'
import { systemRuntime, type Runtime } from './clock.js'
import { canSeeUnpublished, type Actor } from './actor.js'
import { transition, type WorkflowAction } from './workflow.js'
import { toInstant } from './time.js'

/** An article's editable content with defaults applied; optional fields may be absent. */
type Editable = Omit<ArticleCreateBody, 'slug' | 'type' | 'language' | 'credits' | 'topics'> & {
  slug: string | undefined
  type: NonNullable<ArticleCreateBody['type']>
  language: string
  credits: NonNullable<ArticleCreateBody['credits']>
  topics: NonNullable<ArticleCreateBody['topics']>
}
type Nullableize<T> = { [K in keyof T]: T[K] | null }
export type ArticleReplaceBody = Nullableize<Omit<ArticleCreateBody, 'headlines' | 'body'>> &
  Pick<ArticleCreateBody, 'headlines' | 'body'> & { message?: string }

export interface ArticlePage {
  items: ListedArticle[]
  next: string | null
  total: number | undefined
  /** With include=: what the page's articles embed, to list the related resources in full. */
  embedded: ArticleAggregate[] | undefined
  /** A search that matched more than the candidate limit: only the newest matches were ranked. */
  partial: boolean
}

const split = (v: string | undefined) => (v === undefined ? undefined : v.split(','))
const iso = (v: string | undefined) => (v === undefined ? undefined : toInstant(v))

/** The repository filter for a list query (values were validated by the schema). */
function filterOf(q: ArticleListQueryValue): ArticleFilter {
  const f: ArticleFilter = {}
  const set = <K extends keyof ArticleFilter>(k: K, v: ArticleFilter[K] | undefined) => {
    if (v !== undefined) f[k] = v
  }
  set('search', q.q)
  set('section', q.section)
  set('topicsAny', split(q.topic))
  set('topicsAll', split(q.topicAll))
  set('topicsNone', split(q.topicNone))
  set('contributors', split(q.contributor))
  set('types', split(q.type))
  set('languages', split(q.language))
  set('statuses', split(q.status))
  set('publishedFrom', iso(q.publishedFrom))
  set('publishedTo', iso(q.publishedTo))
  set('updatedFrom', iso(q.updatedFrom))
  set('updatedTo', iso(q.updatedTo))
  return f
}

const DEFAULTS = { type: 'news', language: 'en' } as const

/** Revisions are an editor's view: they see every status. */
const writer: Actor = { keyId: null, scope: 'write' }

/** Checks what JSON Schema cannot and sanitises paragraph HTML; every problem names its path. */
function normaliseBody(body: BodyBlockValue[]): BodyBlockValue[] {
  const issues: Issue[] = []
  const out = body.map((block, i) => {
    if (block.type === 'paragraph') {
      const { html, violations } = checkInlineHtml(block.html)
      for (const v of violations) issues.push({ path: `/body/${i}/html`, message: v })
      return { ...block, html }
    }
    if (block.type === 'embed' && block.html !== undefined) {
      const { html, violations } = checkEmbedHtml(block.html)
      for (const v of violations) issues.push({ path: `/body/${i}/html`, message: v })
      return { ...block, html }
    }
    if (block.type === 'video' && (block.mediaId === undefined) === (block.url === undefined)) {
      issues.push({ path: `/body/${i}`, message: 'a video block needs exactly one of mediaId and url' })
    }
    return block
  })
  if (issues.length > 0) throw new ValidationError('The article body has blocks that are not allowed.', issues)
  return out
}

type Linked = Pick<Editable, 'credits' | 'topics' | 'body' | 'sectionId' | 'leadMedia'>

/** A resource the article refers to, with where the request named it. */
interface Reference {
  kind: MissingReferencesError['missing'][number]['kind']
  id: string
  path: string
}

/** The article's references in the order the repository checks them: section, media (lead, then blocks), credits, topics. */
function referencesOf(input: Linked): Reference[] {
  const refs: Reference[] = []
  if (input.sectionId) refs.push({ kind: 'section', id: input.sectionId, path: '/sectionId' })
  if (input.leadMedia) refs.push({ kind: 'media', id: input.leadMedia.mediaId, path: '/leadMedia/mediaId' })
  input.body.forEach((b, i) => {
    if ((b.type === 'image' || b.type === 'video') && b.mediaId !== undefined) refs.push({ kind: 'media', id: b.mediaId, path: `/body/${i}/mediaId` })
  })
  input.credits.forEach((c, i) => refs.push({ kind: 'contributor', id: c.contributorId, path: `/credits/${i}/contributorId` }))
  input.topics.forEach((t, i) => refs.push({ kind: 'topic', id: t.topicId, path: `/topics/${i}/topicId` }))
  return refs
}

function relationsOf(input: Linked): ArticleRelations {
  const primaries = input.topics.filter((t) => t.primary).length
  if (primaries > 1) {
    throw new ValidationError('An article has at most one primary topic.', [{ path: '/topics', message: `${primaries} topics are marked primary` }])
  }
  const seen = new Set<string>()
  input.topics.forEach((t, i) => {
    if (seen.has(t.topicId)) throw new ValidationError('A topic is listed twice.', [{ path: `/topics/${i}/topicId`, message: 'duplicate topic' }])
    seen.add(t.topicId)
  })
  return {
    sectionId: input.sectionId ? input.sectionId : null,
    credits: input.credits.map((c) => ({ contributorId: c.contributorId, role: c.role })),
    topics: input.topics.map((t) => ({ topicId: t.topicId, primary: t.primary ?? false })),
    mediaIds: referencesOf(input).flatMap((r) => (r.kind === 'media' ? [r.id] : [])),
  }
}

/** The repository's missing references as a 400 naming every field of the request that names one. */
function rethrowMissing(err: unknown, input: Linked | undefined): never {
  if (!(err instanceof MissingReferencesError) || input === undefined) throw err
  const missing = new Set(err.missing.map((m) => `${m.kind} ${m.id}`))
  const issues = referencesOf(input)
    .filter((r) => missing.has(`${r.kind} ${r.id}`))
    .map((r) => ({ path: r.path, message: `no ${r.kind} with id '${r.id}'` }))
  throw new ValidationError('The article refers to resources that do not exist.', issues)
}

/** A search the engine could not parse is the client's q parameter. */
async function searching<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof SearchQueryError) throw new ValidationError('The search query is not valid.', [{ path: '/query/q', message: err.problem }])
    throw err
  }
}

/** The shape of an id (ids are UUIDv7): no slug may have it, so a slug never shadows an id. */
const ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A slug from the headline: whole words, at most 80 characters. */
function slugFrom(headline: string, fallback: string): string {
  let slug = slugify(headline, { lower: true, strict: true, trim: true })
  if (slug.length > 80) slug = slug.slice(0, 81).replace(/-[^-]*$/, '')
  if (ID_SHAPE.test(slug)) slug = `article-${slug}`
  return slug.length > 0 ? slug : fallback
}

/** See Config.searchCandidateLimit. */
export const DEFAULT_SEARCH_CANDIDATES = 10_000

export function createArticleService(repo: ArticleRepository, runtime: Runtime = systemRuntime, searchCandidates = DEFAULT_SEARCH_CANDIDATES) {
  const nowIso = () => runtime.now().toISOString()
  const meta = (actor: Actor, message?: string | null, at = nowIso()): RevisionMeta => ({ at, actorKeyId: actor.keyId, message: message ?? null })
  const visibility = (actor: Actor) => ({ publicOnly: !canSeeUnpublished(actor), now: nowIso() })

  /** Fields derived from editable content. */
  function contentFields(input: Omit<Editable, 'credits' | 'topics' | 'slug'> & { slug: string }): Omit<ArticleFields, 'status' | 'updatedAt' | 'listedAt' | 'firstPublishedAt' | 'publishedAt' | 'scheduledAt' | 'contentHash' | 'corrections'> {
    const body = normaliseBody(input.body)
    return {
      slug: input.slug,
      type: input.type,
      language: input.language,
      sectionId: input.sectionId ?? null,
      headline: input.headlines.basic,
      headlines: input.headlines,
      summary: input.summary ?? null,
      leadMedia: input.leadMedia ?? null,
      body,
      printEdition: input.printEdition ?? null,
      canonicalUrl: input.canonicalUrl ?? null,
      embargoUntil: input.embargoUntil ? toInstant(input.embargoUntil) : null,
      wordCount: wordCount(body),
      bodyText: bodyText(body, { captions: true }),
    }
  }

  /**
   * A write to an existing article: load it, check the version the client
   * expects, compute the change, and let the repository write it if the
   * article is still at the version loaded (else PreconditionFailedError).
   * When any version will do, a write that lost a race to another is computed
   * again from the newer version, a few times at most.
   */
  async function write(key: string, expected: Precondition, compute: (current: ArticleAggregate) => ArticleChange, revision: RevisionMeta): Promise<ArticleAggregate> {
    for (let attempt = 1; ; attempt++) {
      const current = await repo.load(key)
      if (!current) throw new NotFoundError('article', key)
      if (expected.kind === 'version' && current.article.version !== expected.version) throw new PreconditionFailedError(current.article.version)
      try {
        return await repo.update(current.article.id, current.article.version, compute(current), revision)
      } catch (err) {
        if (!(expected.kind === 'any' && err instanceof PreconditionFailedError && attempt < 3)) throw err
      }
    }
  }

  async function applyEdit(key: string, expected: Precondition, actor: Actor, message: string | undefined, edit: (current: ArticleAggregate) => Editable) {
    const last: { edit?: Editable } = {}
    try {
      return await write(
        key,
        expected,
        (current) => {
          const next = (last.edit = edit(current))
          const slug = next.slug ?? current.article.slug
          return {
            fields: { ...contentFields({ ...next, slug }), updatedAt: nowIso() },
            relations: relationsOf(next),
          }
        },
        meta(actor, message),
      )
    } catch (err) {
      return rethrowMissing(err, last.edit)
    }
  }

  /** The editable state of a stored article or a revision snapshot, as a replace body would give it. */
  function editableOf(s: Omit<RevisionSnapshot, 'status' | 'corrections' | 'scheduledAt' | 'publishedAt' | 'firstPublishedAt' | 'wordCount'>): Editable {
    return {
      slug: s.slug,
      type: s.type,
      language: s.language,
      sectionId: s.sectionId ?? undefined,
      headlines: s.headlines,
      summary: s.summary ?? undefined,
      leadMedia: s.leadMedia ?? undefined,
      body: s.body,
      credits: s.credits,
      topics: s.topics,
      printEdition: s.printEdition ?? undefined,
      canonicalUrl: s.canonicalUrl ?? undefined,
      embargoUntil: s.embargoUntil ?? undefined,
    }
  }

  const editableOfAggregate = (agg: ArticleAggregate): Editable =>
    editableOf({
      ...agg.article,
      credits: agg.credits.map((c) => ({ contributorId: c.contributor.id, role: c.role })),
      topics: agg.topics.map((t) => ({ topicId: t.topic.id, primary: t.primary })),
    })

  const undefinedIfNull = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v)

  /**
   * A slug never looks like an id (a validation error) nor equals another article's id (a conflict; ids
   * from an archive need not be UUIDs): articles are found by id or slug, and such
   * a slug would make one of the two unreachable.
   */
  async function assertSlugUsable(slug: string | undefined, selfId: string | null): Promise<void> {
    if (slug === undefined) return
    if (ID_SHAPE.test(slug)) {
      throw new ValidationError('A slug may not look like an article id.', [{ path: '/slug', message: 'looks like an article id (a UUID); use words' }])
    }
    const other = await repo.readMeta(slug, { publicOnly: false, now: nowIso() })
    if (other && other.articleId === slug && other.articleId !== selfId) {
      throw new ConflictError(`The slug '${slug}' is the id of another article; choose another slug.`)
    }
  }

  /** Every related block names an article that exists (any status; readers see only visible ones, src/mappers/related.ts). */
  async function assertRelatedExist(body: BodyBlockValue[] | undefined): Promise<void> {
    if (!body) return
    const issues: Issue[] = []
    const checked = new Map<string, boolean>()
    for (const [i, block] of body.entries()) {
      if (block.type !== 'related') continue
      if (!checked.has(block.articleId)) {
        const found = await repo.readMeta(block.articleId, { publicOnly: false, now: nowIso() })
        checked.set(block.articleId, found?.articleId === block.articleId)
      }
      if (!checked.get(block.articleId)) issues.push({ path: `/body/${i}/articleId`, message: `no article with id '${block.articleId}'` })
    }
    if (issues.length > 0) throw new ValidationError('The article refers to resources that do not exist.', issues)
  }

  /** Checks made before an edit's transaction: references to other articles and the slug. */
  async function checkEdit(key: string, edit: { slug?: string | null | undefined; body?: BodyBlockValue[] | undefined }): Promise<void> {
    await assertRelatedExist(edit.body)
    if (typeof edit.slug === 'string') {
      const self = await repo.readMeta(key, { publicOnly: false, now: nowIso() })
      // An unchanged slug is left alone (older articles may have their id as slug).
      if (self?.slug !== edit.slug) await assertSlugUsable(edit.slug, self?.articleId ?? null)
    }
  }

  return {
    async create(input: ArticleCreateBody, actor: Actor, options: { contentHash?: string } = {}): Promise<ArticleAggregate> {
      const id = runtime.newId()
      const at = nowIso()
      let slug = input.slug
      await assertSlugUsable(slug, null)
      await assertRelatedExist(input.body)
      if (slug === undefined) {
        slug = slugFrom(input.headlines.basic, `article-${id.toLowerCase()}`)
        if (await repo.readMeta(slug, { publicOnly: false, now: at })) slug = `${slug}-${id.slice(-8).toLowerCase()}`
      }
      const full: Editable = {
        type: input.type ?? DEFAULTS.type,
        language: input.language ?? DEFAULTS.language,
        sectionId: input.sectionId,
        headlines: input.headlines,
        summary: input.summary,
        leadMedia: input.leadMedia,
        body: input.body,
        credits: input.credits ?? [],
        topics: input.topics ?? [],
        printEdition: input.printEdition,
        canonicalUrl: input.canonicalUrl,
        embargoUntil: input.embargoUntil,
        slug,
      }
      const fields: ArticleFields = {
        ...contentFields({ ...full, slug }),
        status: 'draft',
        corrections: [],
        updatedAt: at,
        listedAt: at,
        firstPublishedAt: null,
        publishedAt: null,
        scheduledAt: null,
        contentHash: options.contentHash ?? null,
      }
      try {
        return await repo.create(id, fields, relationsOf(full), meta(actor, 'created', at))
      } catch (err) {
        return rethrowMissing(err, full)
      }
    },

    async get(idOrSlug: string, actor: Actor): Promise<ArticleAggregate> {
      const found = await repo.find(idOrSlug, visibility(actor))
      if (!found) throw new NotFoundError('article', idOrSlug)
      return found
    },

    /** The stored rendering of the article as this caller may see it. */
    async read(idOrSlug: string, actor: Actor): Promise<StoredRendering> {
      const found = await repo.read(idOrSlug, visibility(actor))
      if (!found) throw new NotFoundError('article', idOrSlug)
      return found
    },

    /** The ETag and headers of that rendering, without its body: enough to answer If-None-Match. */
    async readMeta(idOrSlug: string, actor: Actor): Promise<RenderingMeta> {
      const found = await repo.readMeta(idOrSlug, visibility(actor))
      if (!found) throw new NotFoundError('article', idOrSlug)
      return found
    },

    /** Lists articles by filters, search and sort; read keys and anonymous callers see published articles only. */
    async list(query: ArticleListQueryValue, actor: Actor): Promise<ArticlePage> {
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const filter = filterOf(query)
      if (filter.statuses && !canSeeUnpublished(actor)) {
        throw new ValidationError('Filtering by status needs a write key.', [{ path: '/query/status', message: 'needs a write key' }])
      }
      const sort = query.sort ?? (filter.search ? 'relevance' : 'newest')
      if (sort === 'relevance' && !filter.search) {
        throw new ValidationError('Sorting by relevance needs a search.', [{ path: '/query/sort', message: 'relevance needs q' }])
      }
      const cursor = query.cursor === undefined ? null : decodeArticleCursor(query.cursor, sort)
      const vis = visibility(actor)
      const { items, partial } = await searching(() =>
        repo.list({ visibility: vis, filter, sort, limit: limit + 1, after: cursor && { key: cursor.key, id: cursor.id }, candidates: searchCandidates }),
      )
      const page = items.slice(0, limit)
      const last = page[page.length - 1]
      const next = items.length > limit && last ? encodeArticleCursor({ sort, key: sortKeyOf(sort, last, last.rank), id: last.articleId }) : null
      const total = query.total ? await searching(() => repo.count(vis, filter)) : undefined
      const embedded = query.include ? await repo.aggregates(page.map((i) => i.articleId)) : undefined
      return { items: page, next, total, embedded, partial }
    },

    /**
     * The changes feed, in commit order: what readers saw (published,
     * updated, unpublished, deleted) for read keys and anonymous callers, every
     * change for write keys. `next` is the cursor to poll with.
     */
    async changes(query: { since?: string | undefined; limit?: number | undefined }, actor: Actor) {
      const limit = query.limit ?? 100
      const since = query.since === undefined ? 0 : Number(decodeIdCursor(query.since, 'since'))
      if (!Number.isInteger(since) || since < 0) {
        throw new ValidationError('The cursor is not one this API gave out.', [{ path: '/query/since', message: 'invalid cursor' }])
      }
      const publicOnly = !canSeeUnpublished(actor)
      const rows = await repo.changes(since, limit, publicOnly)
      const last = rows[rows.length - 1]
      return {
        items: rows.map((r) => ({ ...r, kind: publicOnly ? r.publicKind! : r.kind })),
        next: encodeIdCursor(String(last ? last.seq : since)),
        more: rows.length === limit,
      }
    },

    /**
     * Which of these article ids the caller may see (for related blocks on reads:
     * src/mappers/related.ts). Editors see every article that exists.
     */
    async visibleIds(ids: string[], actor: Actor): Promise<Set<string>> {
      const vis = visibility(actor)
      const visible = new Set<string>()
      for (const id of ids) if ((await repo.readMeta(id, vis))?.articleId === id) visible.add(id)
      return visible
    },

    /** Visible articles that share topics with this one. */
    async related(key: string, actor: Actor, limit: number): Promise<ListedArticle[]> {
      const { articleId } = await this.readMeta(key, actor)
      return repo.related(articleId, visibility(actor), limit)
    },

    async replace(key: string, expected: Precondition, input: ArticleReplaceBody, actor: Actor) {
      await checkEdit(key, input)
      return applyEdit(key, expected, actor, input.message, () => ({
        slug: input.slug ?? undefined,
        type: input.type ?? DEFAULTS.type,
        language: input.language ?? DEFAULTS.language,
        sectionId: undefinedIfNull(input.sectionId),
        headlines: input.headlines,
        summary: undefinedIfNull(input.summary),
        leadMedia: undefinedIfNull(input.leadMedia),
        body: input.body,
        credits: input.credits ?? [],
        topics: input.topics ?? [],
        printEdition: undefinedIfNull(input.printEdition),
        canonicalUrl: undefinedIfNull(input.canonicalUrl),
        embargoUntil: undefinedIfNull(input.embargoUntil),
      }))
    },

    async patch(key: string, expected: Precondition, input: ArticlePatchBody, actor: Actor) {
      const { message, ...changes } = input
      await checkEdit(key, changes)
      return applyEdit(key, expected, actor, message, (current) => {
        // The repository has checked the version, so this is the state the client saw.
        const merged: Record<string, unknown> = { ...editableOfAggregate(current) }
        for (const [k, v] of Object.entries(changes)) merged[k] = v === null ? undefined : v
        return merged as Editable
      })
    },

    async act(key: string, expected: Precondition, action: WorkflowAction, actor: Actor, options: { message?: string | undefined; at?: string } = {}) {
      return write(
        key,
        expected,
        ({ article }) => ({ fields: transition(action, article, nowIso(), options.at) }),
        meta(actor, options.message ?? (options.at ? `${action} for ${options.at}` : action)),
      )
    },

    /** Appends a correction shown to readers; the article's version moves on like any edit. */
    async correct(key: string, expected: Precondition, text: string, actor: Actor) {
      return write(
        key,
        expected,
        ({ article }) => {
          const at = nowIso()
          return { fields: { corrections: [...article.corrections, { at, text }], updatedAt: at } }
        },
        meta(actor, 'correction'),
      )
    },

    async revisions(key: string, query: PageRequest) {
      const limit = query.limit ?? DEFAULT_PAGE_SIZE
      const { article } = await this.get(key, writer)
      const before = query.cursor === undefined ? null : Number(decodeIdCursor(query.cursor))
      const rows = await repo.revisions(article.id, limit + 1, Number.isInteger(before) ? before : null)
      const items = rows.slice(0, limit)
      const last = items[items.length - 1]
      return { items, next: rows.length > limit && last ? encodeIdCursor(String(last.version)) : null }
    },

    async revision(key: string, version: number): Promise<RevisionRow> {
      const { article } = await this.get(key, writer)
      const found = await repo.revision(article.id, version)
      if (!found) throw new NotFoundError('revision', `${article.id}@${version}`)
      return found
    },

    /** The fields that differ between two revisions. */
    async diff(key: string, from: number, to: number) {
      const [a, b] = [await this.revision(key, from), await this.revision(key, to)]
      const fields = Object.keys(b.snapshot) as (keyof RevisionSnapshot)[]
      const changes = fields
        .filter((f) => !isDeepStrictEqual(a.snapshot[f], b.snapshot[f]))
        .map((field) => ({ field, from: a.snapshot[field], to: b.snapshot[field] }))
      return { from, to, changes }
    },

    /** Makes an old revision's content current again, as a new revision; status and corrections stay as they are. */
    async restoreRevision(key: string, version: number, expected: Precondition, actor: Actor, message?: string) {
      const { snapshot } = await this.revision(key, version)
      await checkEdit(key, snapshot)
      return applyEdit(key, expected, actor, message ?? `restored version ${version}`, () => editableOf(snapshot))
    },

    /** Rebuilds the search index from the stored articles (after a restore from backup, or an index change). */
    rebuildSearchIndex(): Promise<number> {
      return repo.rebuildSearchIndex()
    },

    /** Publishes every scheduled article that is due; each is claimed in the database, so it is published once. */
    async publishDue(): Promise<number> {
      const now = nowIso()
      let published = 0
      for (const row of await repo.dueScheduled(now, 100)) {
        try {
          // Published only if no one changed it since it was read: another process publishing it too gets the 412.
          await repo.update(row.id, row.version, { fields: transition('publish', row, now) }, { at: now, actorKeyId: null, message: 'published on schedule' })
          published++
        } catch (err) {
          // Changed or deleted since it was read (another process may have published it): not ours to publish.
          if (err instanceof PreconditionFailedError || err instanceof NotFoundError) continue
          // Another process holds the write lock: the next tick tries again.
          if (err instanceof DatabaseBusyError) return published
          throw err
        }
      }
      await repo.releaseEmbargoes(now)
      return published
    },

    async remove(key: string, expected: Precondition): Promise<void> {
      await repo.remove(key, expectedVersion(expected), nowIso())
    },

  }
}

export type ArticleService = ReturnType<typeof createArticleService>
