import { createHash } from 'node:crypto'
import slugify from 'slugify'
import type { ArticleAggregate, ArticleFields, ArticleRelations, ArticleRepository, Reference, RevisionMeta } from '../db/index.js'
import type { ArticleCreateBody, ArticlePatchBody, BodyBlockValue } from '../schemas/article.js'
import { NotFoundError, ValidationError, type Issue } from '../errors.js'
import { decodeArticleCursor, encodeArticleCursor } from './cursor.js'
import { checkInlineHtml, textOf } from './html.js'
import { expectedVersion } from './preconditions.js'
import { systemRuntime, type Runtime } from './clock.js'
import { canSeeUnpublished, type Actor } from './actor.js'

type Editable = Required<Omit<ArticleCreateBody, 'slug'>> & { slug: string | undefined }
type Nullableize<T> = { [K in keyof T]: T[K] | null }
export type ArticleReplaceBody = Nullableize<Omit<ArticleCreateBody, 'headlines' | 'body'>> &
  Pick<ArticleCreateBody, 'headlines' | 'body'> & { message?: string }

export interface ArticlePage {
  items: ArticleAggregate[]
  next: string | null
}

const DEFAULTS = { type: 'news', language: 'en' } as const

export function wordCount(body: BodyBlockValue[]): number {
  let count = 0
  for (const block of body) {
    const text =
      block.type === 'paragraph' ? textOf(block.html)
      : block.type === 'heading' || block.type === 'quote' ? block.text
      : block.type === 'list' ? block.items.join(' ')
      : ''
    count += text.split(/\s+/).filter((w) => w.length > 0).length
  }
  return count
}

/** Checks what JSON Schema cannot and sanitises paragraph HTML; every problem names its path. */
function normaliseBody(body: BodyBlockValue[]): BodyBlockValue[] {
  const issues: Issue[] = []
  const out = body.map((block, i) => {
    if (block.type === 'paragraph') {
      const { html, violations } = checkInlineHtml(block.html)
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

function relationsOf(input: Pick<Editable, 'credits' | 'topics' | 'body'> & { leadMedia: Editable['leadMedia'] | null }): ArticleRelations {
  const primaries = input.topics.filter((t) => t.primary).length
  if (primaries > 1) {
    throw new ValidationError('An article has at most one primary topic.', [{ path: '/topics', message: `${primaries} topics are marked primary` }])
  }
  const seen = new Set<string>()
  input.topics.forEach((t, i) => {
    if (seen.has(t.topicId)) throw new ValidationError('A topic is listed twice.', [{ path: `/topics/${i}/topicId`, message: 'duplicate topic' }])
    seen.add(t.topicId)
  })
  const media: Reference[] = []
  if (input.leadMedia) media.push({ id: input.leadMedia.mediaId, path: '/leadMedia/mediaId' })
  input.body.forEach((b, i) => {
    if ((b.type === 'image' || b.type === 'video') && b.mediaId !== undefined) media.push({ id: b.mediaId, path: `/body/${i}/mediaId` })
  })
  return {
    credits: input.credits.map((c, i) => ({ ...c, path: `/credits/${i}/contributorId` })),
    topics: input.topics.map((t, i) => ({ topicId: t.topicId, primary: t.primary ?? false, path: `/topics/${i}/topicId` })),
    media,
  }
}

/** A slug from the headline: whole words, at most 80 characters. */
function slugFrom(headline: string, fallback: string): string {
  let slug = slugify(headline, { lower: true, strict: true, trim: true })
  if (slug.length > 80) slug = slug.slice(0, 81).replace(/-[^-]*$/, '')
  return slug.length > 0 ? slug : fallback
}

export function createArticleService(repo: ArticleRepository, runtime: Runtime = systemRuntime) {
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
      headline: input.headlines.basic,
      headlines: input.headlines,
      summary: input.summary ?? null,
      leadMedia: input.leadMedia ?? null,
      body,
      printEdition: input.printEdition ?? null,
      canonicalUrl: input.canonicalUrl ?? null,
      embargoUntil: input.embargoUntil ? new Date(input.embargoUntil).toISOString() : null,
      wordCount: wordCount(body),
    }
  }

  async function applyEdit(key: string, ifMatch: string | undefined, actor: Actor, message: string | undefined, edit: (current: ArticleAggregate) => Editable) {
    const version = expectedVersion(ifMatch)
    return repo.update(
      key,
      version,
      (current) => {
        const next = edit(current)
        const slug = next.slug ?? current.article.slug
        return {
          fields: { ...contentFields({ ...next, slug }), updatedAt: nowIso() },
          relations: relationsOf(next),
        }
      },
      meta(actor, message),
    )
  }

  /** The editable state of a stored article, as a replace body would give it. */
  function editableOf(agg: ArticleAggregate): Editable {
    const a = agg.article
    return {
      slug: a.slug,
      type: a.type,
      language: a.language,
      headlines: a.headlines,
      summary: a.summary ?? undefined,
      leadMedia: a.leadMedia ?? undefined,
      body: a.body,
      credits: agg.credits.map((c) => ({ contributorId: c.contributor.id, role: c.role })),
      topics: agg.topics.map((t) => ({ topicId: t.topic.id, primary: t.primary })),
      printEdition: a.printEdition ?? undefined,
      canonicalUrl: a.canonicalUrl ?? undefined,
      embargoUntil: a.embargoUntil ?? undefined,
    } as Editable
  }

  const undefinedIfNull = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v)

  return {
    async create(input: ArticleCreateBody, actor: Actor, options: { contentHash?: string } = {}): Promise<ArticleAggregate> {
      const id = runtime.newId()
      const at = nowIso()
      let slug = input.slug
      if (slug === undefined) {
        slug = slugFrom(input.headlines.basic, id.toLowerCase())
        if (await repo.find(slug, { publicOnly: false, now: at })) slug = `${slug}-${id.slice(-8).toLowerCase()}`
      }
      const full: Editable = {
        type: input.type ?? DEFAULTS.type,
        language: input.language ?? DEFAULTS.language,
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
      } as Editable
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
      return repo.create(id, fields, relationsOf(full), meta(actor, 'created', at))
    },

    async get(idOrSlug: string, actor: Actor): Promise<ArticleAggregate> {
      const found = await repo.find(idOrSlug, visibility(actor))
      if (!found) throw new NotFoundError('article', idOrSlug)
      return found
    },

    async list(query: { limit: number; cursor?: string | undefined }, actor: Actor): Promise<ArticlePage> {
      const after = query.cursor === undefined ? null : decodeArticleCursor(query.cursor)
      const items = await repo.list({ visibility: visibility(actor), limit: query.limit + 1, after })
      const page = items.slice(0, query.limit)
      const last = page[page.length - 1]
      return { items: page, next: items.length > query.limit && last ? encodeArticleCursor(last.article) : null }
    },

    async replace(key: string, ifMatch: string | undefined, input: ArticleReplaceBody, actor: Actor) {
      return applyEdit(key, ifMatch, actor, input.message, () => ({
        slug: input.slug ?? undefined,
        type: input.type ?? DEFAULTS.type,
        language: input.language ?? DEFAULTS.language,
        headlines: input.headlines,
        summary: undefinedIfNull(input.summary),
        leadMedia: undefinedIfNull(input.leadMedia),
        body: input.body,
        credits: input.credits ?? [],
        topics: input.topics ?? [],
        printEdition: undefinedIfNull(input.printEdition),
        canonicalUrl: undefinedIfNull(input.canonicalUrl),
        embargoUntil: undefinedIfNull(input.embargoUntil),
      }) as Editable)
    },

    async patch(key: string, ifMatch: string | undefined, input: ArticlePatchBody, actor: Actor) {
      const { message, ...changes } = input
      return applyEdit(key, ifMatch, actor, message, (current) => {
        // The repository has checked the version, so this is the state the client saw.
        const merged: Record<string, unknown> = { ...editableOf(current) }
        for (const [k, v] of Object.entries(changes)) merged[k] = v === null ? undefined : v
        return merged as Editable
      })
    },

    async setStatus(key: string, ifMatch: string | undefined, action: 'publish' | 'unpublish' | 'archive', actor: Actor, message?: string) {
      const version = expectedVersion(ifMatch)
      return repo.update(
        key,
        version,
        ({ article: row }) => {
          const at = nowIso()
          if (action === 'publish') {
            return { fields: { status: 'published', publishedAt: at, firstPublishedAt: row.firstPublishedAt ?? at, listedAt: at, scheduledAt: null, updatedAt: at } }
          }
          return { fields: { status: action === 'archive' ? 'archived' : 'draft', listedAt: row.listedAt, updatedAt: at } }
        },
        meta(actor, message ?? action),
      )
    },

    async remove(key: string, ifMatch: string | undefined): Promise<void> {
      await repo.remove(key, expectedVersion(ifMatch))
    },

    contentHashOf(text: string): string {
      return createHash('sha256').update(text).digest('hex')
    },
  }
}

export type ArticleService = ReturnType<typeof createArticleService>
