import { and, desc, eq, inArray, isNull, lt, lte, or, type SQL } from 'drizzle-orm'
import type { Db } from '../client.js'
import { articleCredits, articleMedia, articleRevisions, articleTopics, articles, contributors, media, topics } from '../schema.js'
import { NotFoundError, PreconditionFailedError, ValidationError, type Issue } from '../../errors.js'
import { rethrowUnique } from './util.js'

export type ArticleRow = typeof articles.$inferSelect
export type MediaRow = typeof media.$inferSelect
export type ContributorRow = typeof contributors.$inferSelect
export type TopicRow = typeof topics.$inferSelect
export type CreditRoleValue = (typeof articleCredits.$inferSelect)['role']

export interface ArticleAggregate {
  article: ArticleRow
  credits: { role: CreditRoleValue; contributor: ContributorRow }[]
  topics: { primary: boolean; topic: TopicRow }[]
  media: Map<string, MediaRow>
}

/** A reference to another resource, with the request path that named it (for error messages). */
export interface Reference {
  id: string
  path: string
}

export interface ArticleRelations {
  credits: { contributorId: string; role: CreditRoleValue; path: string }[]
  topics: { topicId: string; primary: boolean; path: string }[]
  media: Reference[]
}

export type ArticleFields = Omit<ArticleRow, 'id' | 'version' | 'createdAt'>

export interface RevisionMeta {
  at: string
  actorKeyId: string | null
  message: string | null
}

export interface ArticleChange {
  fields: Partial<ArticleFields>
  relations?: ArticleRelations
}

export interface Visibility {
  /** Only published articles whose embargo has passed at `now`. */
  publicOnly: boolean
  now: string
}

export interface ListQuery {
  visibility: Visibility
  limit: number
  after: { listedAt: string; id: string } | null
}

export interface ArticleRepository {
  create(id: string, fields: ArticleFields, relations: ArticleRelations, meta: RevisionMeta): Promise<ArticleAggregate>
  /** Applies `change(current)` if the article is at `expectedVersion` (null: any version), in one transaction. */
  update(key: string, expectedVersion: number | null, change: (current: ArticleAggregate) => ArticleChange, meta: RevisionMeta): Promise<ArticleAggregate>
  remove(key: string, expectedVersion: number | null): Promise<void>
  find(idOrSlug: string, visibility: Visibility): Promise<ArticleAggregate | null>
  list(query: ListQuery): Promise<ArticleAggregate[]>
  findIdByContentHash(hash: string): Promise<string | null>
}

function visible(v: Visibility): SQL | undefined {
  if (!v.publicOnly) return undefined
  return and(eq(articles.status, 'published'), or(isNull(articles.embargoUntil), lte(articles.embargoUntil, v.now)))
}

export function createArticleRepository(db: Db): ArticleRepository {
  function assertReferencesExist(relations: ArticleRelations): void {
    const issues: Issue[] = []
    const check = (refs: Reference[], table: typeof media | typeof contributors | typeof topics, what: string) => {
      const ids = [...new Set(refs.map((r) => r.id))]
      if (ids.length === 0) return
      const found = new Set(db.select({ id: table.id }).from(table).where(inArray(table.id, ids)).all().map((r) => r.id))
      for (const r of refs) if (!found.has(r.id)) issues.push({ path: r.path, message: `no ${what} with id '${r.id}'` })
    }
    check(relations.media, media, 'media')
    check(relations.credits.map((c) => ({ id: c.contributorId, path: c.path })), contributors, 'contributor')
    check(relations.topics.map((t) => ({ id: t.topicId, path: t.path })), topics, 'topic')
    if (issues.length > 0) throw new ValidationError('The article refers to resources that do not exist.', issues)
  }

  function writeRelations(articleId: string, relations: ArticleRelations): void {
    db.delete(articleCredits).where(eq(articleCredits.articleId, articleId)).run()
    db.delete(articleTopics).where(eq(articleTopics.articleId, articleId)).run()
    db.delete(articleMedia).where(eq(articleMedia.articleId, articleId)).run()
    if (relations.credits.length > 0) {
      db.insert(articleCredits)
        .values(relations.credits.map((c, position) => ({ articleId, position, contributorId: c.contributorId, role: c.role })))
        .run()
    }
    if (relations.topics.length > 0) {
      db.insert(articleTopics)
        .values(relations.topics.map((t, position) => ({ articleId, position, topicId: t.topicId, primary: t.primary })))
        .run()
    }
    const mediaIds = [...new Set(relations.media.map((m) => m.id))]
    if (mediaIds.length > 0) db.insert(articleMedia).values(mediaIds.map((mediaId) => ({ articleId, mediaId }))).run()
  }

  function relationsOf(articleId: string): Omit<ArticleRelations, 'media'> & { media: string[] } {
    return {
      credits: db
        .select({ contributorId: articleCredits.contributorId, role: articleCredits.role })
        .from(articleCredits)
        .where(eq(articleCredits.articleId, articleId))
        .orderBy(articleCredits.position)
        .all()
        .map((c) => ({ ...c, path: '' })),
      topics: db
        .select({ topicId: articleTopics.topicId, primary: articleTopics.primary })
        .from(articleTopics)
        .where(eq(articleTopics.articleId, articleId))
        .orderBy(articleTopics.position)
        .all()
        .map((t) => ({ ...t, path: '' })),
      media: db.select({ id: articleMedia.mediaId }).from(articleMedia).where(eq(articleMedia.articleId, articleId)).all().map((m) => m.id),
    }
  }

  function writeRevision(row: ArticleRow, meta: RevisionMeta): void {
    const rel = relationsOf(row.id)
    const snapshot = {
      ...row,
      credits: rel.credits.map(({ contributorId, role }) => ({ contributorId, role })),
      topics: rel.topics.map(({ topicId, primary }) => ({ topicId, primary })),
    }
    db.insert(articleRevisions)
      .values({ articleId: row.id, version: row.version, createdAt: meta.at, actorKeyId: meta.actorKeyId, message: meta.message, snapshot })
      .run()
  }

  function byKey(key: string): SQL {
    return or(eq(articles.id, key), eq(articles.slug, key))!
  }

  /** Loads relations for many articles with a fixed number of statements, whatever their size. */
  function aggregate(rows: ArticleRow[]): ArticleAggregate[] {
    if (rows.length === 0) return []
    const ids = rows.map((r) => r.id)
    const creditRows = db
      .select({ articleId: articleCredits.articleId, role: articleCredits.role, contributor: contributors })
      .from(articleCredits)
      .innerJoin(contributors, eq(contributors.id, articleCredits.contributorId))
      .where(inArray(articleCredits.articleId, ids))
      .orderBy(articleCredits.articleId, articleCredits.position)
      .all()
    const topicRows = db
      .select({ articleId: articleTopics.articleId, primary: articleTopics.primary, topic: topics })
      .from(articleTopics)
      .innerJoin(topics, eq(topics.id, articleTopics.topicId))
      .where(inArray(articleTopics.articleId, ids))
      .orderBy(articleTopics.articleId, articleTopics.position)
      .all()
    const mediaRows = db
      .select({ articleId: articleMedia.articleId, media })
      .from(articleMedia)
      .innerJoin(media, eq(media.id, articleMedia.mediaId))
      .where(inArray(articleMedia.articleId, ids))
      .all()
    return rows.map((article) => ({
      article,
      credits: creditRows.filter((c) => c.articleId === article.id).map(({ role, contributor }) => ({ role, contributor })),
      topics: topicRows.filter((t) => t.articleId === article.id).map(({ primary, topic }) => ({ primary, topic })),
      media: new Map(mediaRows.filter((m) => m.articleId === article.id).map((m) => [m.media.id, m.media])),
    }))
  }

  function loadOne(id: string): ArticleAggregate {
    const row = db.select().from(articles).where(eq(articles.id, id)).get()
    if (!row) throw new NotFoundError('article', id)
    return aggregate([row])[0]!
  }

  function current(key: string, expectedVersion: number | null): ArticleRow {
    const row = db.select().from(articles).where(byKey(key)).get()
    if (!row) throw new NotFoundError('article', key)
    if (expectedVersion !== null && row.version !== expectedVersion) throw new PreconditionFailedError(row.version)
    return row
  }

  return {
    async create(id, fields, relations, meta) {
      try {
        return db.transaction(
          () => {
            assertReferencesExist(relations)
            const row = db
              .insert(articles)
              .values({ ...fields, id, version: 1, createdAt: meta.at })
              .returning()
              .all()[0]!
            writeRelations(id, relations)
            writeRevision(row, meta)
            return loadOne(id)
          },
          { behavior: 'immediate' },
        )
      } catch (err) {
        return rethrowUnique(err, 'slug', fields.slug)
      }
    },

    async update(key, expectedVersion, change, meta) {
      let slug = ''
      try {
        return db.transaction(
          () => {
            const row = current(key, expectedVersion)
            const { fields, relations } = change(aggregate([row])[0]!)
            slug = fields.slug ?? row.slug
            if (relations) assertReferencesExist(relations)
            const updated = db
              .update(articles)
              .set({ ...fields, version: row.version + 1 })
              .where(and(eq(articles.id, row.id), eq(articles.version, row.version)))
              .returning()
              .all()[0]!
            if (relations) writeRelations(row.id, relations)
            writeRevision(updated, meta)
            return loadOne(row.id)
          },
          { behavior: 'immediate' },
        )
      } catch (err) {
        return rethrowUnique(err, 'slug', slug)
      }
    },

    async remove(key, expectedVersion) {
      db.transaction(
        () => {
          const row = current(key, expectedVersion)
          db.delete(articles).where(eq(articles.id, row.id)).run()
        },
        { behavior: 'immediate' },
      )
    },

    async find(idOrSlug, visibility) {
      const row = db.select().from(articles).where(and(byKey(idOrSlug), visible(visibility))).get()
      return row ? aggregate([row])[0]! : null
    },

    async list({ visibility, limit, after }) {
      const page = after
        ? or(lt(articles.listedAt, after.listedAt), and(eq(articles.listedAt, after.listedAt), lt(articles.id, after.id)))
        : undefined
      const rows = db
        .select()
        .from(articles)
        .where(and(visible(visibility), page))
        .orderBy(desc(articles.listedAt), desc(articles.id))
        .limit(limit)
        .all()
      return aggregate(rows)
    },

    async findIdByContentHash(hash) {
      return db.select({ id: articles.id }).from(articles).where(eq(articles.contentHash, hash)).get()?.id ?? null
    },
  }
}

