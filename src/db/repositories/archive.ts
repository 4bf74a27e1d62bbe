import { and, asc, eq, getTableColumns, getTableName, gt, gte, lte, or, sql, type Placeholder, type Table } from 'drizzle-orm'
import { isDeepStrictEqual } from 'node:util'
import type { Db } from '../sqlite/client.js'
import { openSnapshot } from '../sqlite/snapshot.js'
import { brokenConstraint } from '../sqlite/errors.js'
import { articleCredits, articleRevisions, articleTopics, articles, contributors, media, sections, topics } from '../schema.js'
import { nextSearchRowid, sectionPath, visibleAt, type Writes } from '../writes.js'
import type { ArticleRow, ContributorRow, CreditRoleValue, MediaRow, RevisionRow, SectionRow, TopicRow } from '../rows.js'
import { loadAggregates, type Renderings } from './renderings.js'

/**
 * Bulk archive export and import (see src/schemas/archive.ts for the format).
 *
 * Export reads page by page (keyset pagination, never a whole table) from a
 * read-only snapshot (see sqlite/snapshot.ts), so the archive is consistent (no
 * article refers to a topic created after the topics were read) while writers
 * carry on.
 *
 * Import is a restore, and never rewrites history: it writes a batch of records
 * in one transaction, adding each record the database lacks with its ids,
 * versions and timestamps; a record the database already holds exactly is left
 * alone (re-running an archive, or finishing an interrupted one, writes
 * nothing twice); a record stored with different content (an article, a
 * revision or a catalogue row, whatever the versions) stops the import at its
 * line: it is never overwritten, so no edit is lost and an editor's If-Match
 * keeps meaning what they saw. The first bad record rolls the whole batch back
 * and is reported by line.
 */

export interface ArchiveCounts {
  sections: number
  topics: number
  contributors: number
  media: number
  articles: number
  revisions: number
}

export const zeroCounts = (): ArchiveCounts => ({ sections: 0, topics: 0, contributors: 0, media: 0, articles: 0, revisions: 0 })

/** An article as archived: every stored column that cannot be recomputed, its credits and topics in order. */
export type ArchiveArticleRecord = Pick<
  ArticleRow,
  | 'id' | 'slug' | 'type' | 'status' | 'language' | 'sectionId' | 'headlines' | 'summary' | 'leadMedia' | 'body' | 'printEdition'
  | 'corrections' | 'canonicalUrl' | 'wordCount' | 'contentHash' | 'version' | 'createdAt' | 'updatedAt' | 'listedAt'
  | 'firstPublishedAt' | 'publishedAt' | 'scheduledAt' | 'embargoUntil'
> & {
  credits: { contributorId: string; role: CreditRoleValue }[]
  topics: { topicId: string; primary: boolean }[]
}

export type ArchiveRevisionRecord = RevisionRow

/** A record to import, with the line it came from. Articles bring their search text (derived from the body by the service). */
export type ArchiveEntry = { line: number } & (
  | { kind: 'section'; data: SectionRow }
  | { kind: 'topic'; data: TopicRow }
  | { kind: 'contributor'; data: ContributorRow }
  | { kind: 'media'; data: MediaRow }
  | { kind: 'article'; data: ArchiveArticleRecord; bodyText: string }
  | { kind: 'revision'; data: ArchiveRevisionRecord }
)

export interface ArchiveBatchOptions {
  /** The time of the import: change-feed rows and public visibility are computed at it. */
  at: string
  /**
   * Whether the archive carries revisions. When it does not, an article written
   * by the import gets one revision of its imported state (unless it has one at
   * that version), so that every article has its current version in its history.
   */
  revisionsIncluded: boolean
}

export interface ArchiveBatchResult {
  /** Records written (new, or different from the stored row); all zero when the batch failed. */
  imported: ArchiveCounts
  /** Records the database already held exactly. */
  unchanged: ArchiveCounts
  /** The record that failed, and why; the whole batch was rolled back. */
  failed: { line: number; problem: ArchiveProblem } | null
}

/** Why a record cannot be imported, as facts about it (the archive service words them, with the record). */
export type ArchiveProblem =
  /** `field` (a path into the record's data) names a row that is neither stored nor earlier in the archive. */
  | { kind: 'missing'; field: (string | number)[]; resource: 'section' | 'topic' | 'contributor' | 'media' | 'article'; id: string }
  /** A section's path is not its parent's path and its slug: `expected`. */
  | { kind: 'section-path'; expected: string }
  /** The article's topic at `index` is listed before it. */
  | { kind: 'topic-repeated'; index: number }
  /** More than one of the article's topics is primary. */
  | { kind: 'primary-topics' }
  /** A stored row differs from the record (whatever the versions; a higher stored version means the stored row is newer): it is never overwritten. */
  | { kind: 'differs'; storedVersion: number }
  /** The record takes a unique value a stored row holds; `columns` names them (table.column). */
  | { kind: 'taken'; columns: string }
  /** The record refers to a row that does not exist. */
  | { kind: 'dangling' }

/** A consistent, read-only view of the archive, read page by page. Close it when done. */
export interface ArchiveReader {
  counts(withRevisions: boolean): Promise<ArchiveCounts>
  /** In tree order: by path, so that parents come before their children. */
  sections(afterPath: string | null, limit: number): Promise<SectionRow[]>
  topics(afterId: string | null, limit: number): Promise<TopicRow[]>
  contributors(afterId: string | null, limit: number): Promise<ContributorRow[]>
  media(afterId: string | null, limit: number): Promise<MediaRow[]>
  /** By id. */
  articles(afterId: string | null, limit: number): Promise<ArchiveArticleRecord[]>
  /** Revisions of the articles with ids from `firstId` to `lastId`, by article id then version, after `after`. */
  revisions(firstId: string, lastId: string, after: { articleId: string; version: number } | null, limit: number): Promise<ArchiveRevisionRecord[]>
  close(): Promise<void>
}

export interface ArchiveRepository {
  openReader(): Promise<ArchiveReader>
  importBatch(entries: ArchiveEntry[], options: ArchiveBatchOptions): Promise<ArchiveBatchResult>
}

/** Articles rendered together (loadAggregates reads what they embed with one statement per kind). */
const RENDER_CHUNK = 500

const PLURAL = { section: 'sections', topic: 'topics', contributor: 'contributors', media: 'media', article: 'articles', revision: 'revisions' } as const

/** The archive record of a stored article (the key order is the line's). */
export function articleRecord(row: ArticleRow, credits: ArchiveArticleRecord['credits'], topicList: ArchiveArticleRecord['topics']): ArchiveArticleRecord {
  return {
    id: row.id,
    slug: row.slug,
    type: row.type,
    status: row.status,
    language: row.language,
    sectionId: row.sectionId,
    headlines: row.headlines,
    summary: row.summary,
    leadMedia: row.leadMedia,
    body: row.body,
    credits,
    topics: topicList,
    printEdition: row.printEdition,
    corrections: row.corrections,
    canonicalUrl: row.canonicalUrl,
    wordCount: row.wordCount,
    contentHash: row.contentHash,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    listedAt: row.listedAt,
    firstPublishedAt: row.firstPublishedAt,
    publishedAt: row.publishedAt,
    scheduledAt: row.scheduledAt,
    embargoUntil: row.embargoUntil,
  }
}

function readerOn(db: Db, release: () => void): ArchiveReader {
  const total = (table: typeof sections | typeof topics | typeof contributors | typeof media | typeof articles | typeof articleRevisions) =>
    db.select({ n: sql<number>`count(*)` }).from(table).get()!.n
  const byId = <T extends typeof topics | typeof contributors | typeof media>(table: T, afterId: string | null, limit: number) => {
    const t = table as typeof topics
    return db
      .select()
      .from(t)
      .where(afterId === null ? undefined : gt(t.id, afterId))
      .orderBy(asc(t.id))
      .limit(limit)
      .all()
  }
  return {
    async counts(withRevisions) {
      return {
        sections: total(sections),
        topics: total(topics),
        contributors: total(contributors),
        media: total(media),
        articles: total(articles),
        revisions: withRevisions ? total(articleRevisions) : 0,
      }
    },
    async sections(afterPath, limit) {
      return db
        .select()
        .from(sections)
        .where(afterPath === null ? undefined : gt(sections.path, afterPath))
        .orderBy(asc(sections.path))
        .limit(limit)
        .all()
    },
    async topics(afterId, limit) {
      return byId(topics, afterId, limit) as TopicRow[]
    },
    async contributors(afterId, limit) {
      return byId(contributors, afterId, limit) as unknown as ContributorRow[]
    },
    async media(afterId, limit) {
      return byId(media, afterId, limit) as unknown as MediaRow[]
    },
    async articles(afterId, limit) {
      const rows = db
        .select()
        .from(articles)
        .where(afterId === null ? undefined : gt(articles.id, afterId))
        .orderBy(asc(articles.id))
        .limit(limit)
        .all()
      if (rows.length === 0) return []
      const first = rows[0]!.id
      const last = rows[rows.length - 1]!.id
      // The relations of the page by id range: the primary keys (article_id, position) serve both.
      const credits = db
        .select({ articleId: articleCredits.articleId, contributorId: articleCredits.contributorId, role: articleCredits.role })
        .from(articleCredits)
        .where(and(gte(articleCredits.articleId, first), lte(articleCredits.articleId, last)))
        .orderBy(asc(articleCredits.articleId), asc(articleCredits.position))
        .all()
      const topicRows = db
        .select({ articleId: articleTopics.articleId, topicId: articleTopics.topicId, primary: articleTopics.primary })
        .from(articleTopics)
        .where(and(gte(articleTopics.articleId, first), lte(articleTopics.articleId, last)))
        .orderBy(asc(articleTopics.articleId), asc(articleTopics.position))
        .all()
      const creditsOf = new Map<string, ArchiveArticleRecord['credits']>()
      for (const c of credits) {
        const list = creditsOf.get(c.articleId) ?? []
        list.push({ contributorId: c.contributorId, role: c.role })
        creditsOf.set(c.articleId, list)
      }
      const topicsOf = new Map<string, ArchiveArticleRecord['topics']>()
      for (const t of topicRows) {
        const list = topicsOf.get(t.articleId) ?? []
        list.push({ topicId: t.topicId, primary: t.primary })
        topicsOf.set(t.articleId, list)
      }
      return rows.map((row) => articleRecord(row, creditsOf.get(row.id) ?? [], topicsOf.get(row.id) ?? []))
    },
    async revisions(firstId, lastId, after, limit) {
      const r = articleRevisions
      return db
        .select()
        .from(r)
        .where(
          and(
            gte(r.articleId, firstId),
            lte(r.articleId, lastId),
            after === null ? undefined : or(gt(r.articleId, after.articleId), and(eq(r.articleId, after.articleId), gt(r.version, after.version))),
          ),
        )
        .orderBy(asc(r.articleId), asc(r.version))
        .limit(limit)
        .all() as ArchiveRevisionRecord[]
    },
    async close() {
      release()
    },
  }
}

/** A record that cannot be imported; it rolls its batch back. */
class LineFailure extends Error {
  constructor(
    readonly line: number,
    readonly problem: ArchiveProblem,
  ) {
    super(problem.kind)
  }
}

/** A UNIQUE or FOREIGN KEY violation, as a problem of the record; null for any other error. */
function constraintProblem(err: unknown): ArchiveProblem | null {
  const broken = brokenConstraint(err)
  if (broken === null) return null
  return broken.kind === 'foreign-key' ? { kind: 'dangling' } : { kind: 'taken', columns: broken.columns }
}

/** A placeholder for every column of a table (but `except`), for statements prepared once and run per record. */
function placeholders(table: Table, except: string[] = []): Record<string, Placeholder> {
  return Object.fromEntries(
    Object.keys(getTableColumns(table))
      .filter((c) => !except.includes(c))
      .map((c) => [c, sql.placeholder(c)]),
  )
}

export function createArchiveRepository(db: Db, renderings: Renderings, writes: Writes): ArchiveRepository {
  /** The articles a batch wrote, as the insert returned them: they are rendered from these rows before the batch commits. */
  const written: ArticleRow[] = []
  const fail = (entry: ArchiveEntry, problem: ArchiveProblem): never => {
    throw new LineFailure(entry.line, problem)
  }
  const differs = (entry: ArchiveEntry, storedVersion: number): never => fail(entry, { kind: 'differs', storedVersion })

  const id = sql.placeholder('id')
  const articleId = sql.placeholder('articleId')
  const version = sql.placeholder('version')
  // Statements prepared once: an import runs them for every record, and preparing is most of a query's cost.
  // Whether a row exists, as plain statements: an article's references are a dozen lookups, and drizzle's
  // placeholder filling and row mapping cost more than the lookup itself.
  const existsIn = (table: typeof sections | typeof topics | typeof contributors | typeof media | typeof articles) => {
    const statement = db.$client.prepare<[string], number>(`select 1 from ${getTableName(table)} where ${table.id.name} = ?`).pluck()
    return { get: ({ id: key }: { id: string }) => statement.get(key) !== undefined }
  }
  const exists = { section: existsIn(sections), topic: existsIn(topics), contributor: existsIn(contributors), media: existsIn(media), article: existsIn(articles) }
  const catalog = (t: typeof topics | typeof contributors | typeof media) => {
    const table = t as typeof topics
    return {
      find: db.select().from(table).where(eq(table.id, id)).prepare(),
      insert: db.insert(table).values(placeholders(table) as never).prepare(),
    }
  }
  const statements = {
    topic: catalog(topics),
    contributor: catalog(contributors),
    media: catalog(media),
    section: {
      find: db.select().from(sections).where(eq(sections.id, id)).prepare(),
      insert: db.insert(sections).values(placeholders(sections) as never).prepare(),
    },
    article: {
      find: db.select().from(articles).where(eq(articles.id, id)).prepare(),
      // A new article's search row is assigned as every writer does it.
      insert: db
        .insert(articles)
        .values({ ...placeholders(articles, ['searchRowid']), searchRowid: nextSearchRowid } as never)
        .returning()
        .prepare(),
    },
    revision: {
      find: db
        .select()
        .from(articleRevisions)
        .where(and(eq(articleRevisions.articleId, articleId), eq(articleRevisions.version, version)))
        .prepare(),
    },
  }

  function importSection(entry: Extract<ArchiveEntry, { kind: 'section' }>, at: string): boolean {
    const d = entry.data
    let parentPath: string | null = null
    if (d.parentId !== null) {
      const parent = statements.section.find.get({ id: d.parentId })
      if (!parent) fail(entry, { kind: 'missing', field: ['parentId'], resource: 'section', id: d.parentId })
      parentPath = parent!.path
    }
    const path = sectionPath(parentPath, d.slug)
    if (path !== d.path) fail(entry, { kind: 'section-path', expected: path })
    const stored = statements.section.find.get({ id: d.id })
    if (!stored) {
      statements.section.insert.run(d)
      writes.event('section.created', { id: d.id, version: d.version }, at)
      return true
    }
    if (isDeepStrictEqual(stored, d)) return false
    return differs(entry, stored.version)
  }

  function importCatalog(entry: Extract<ArchiveEntry, { kind: 'topic' | 'contributor' | 'media' }>, at: string): boolean {
    const s = statements[entry.kind]
    const d = entry.data
    const stored = s.find.get({ id: d.id })
    if (!stored) {
      s.insert.run(d)
      writes.event(`${entry.kind}.created`, { id: d.id, version: d.version }, at)
      return true
    }
    if (isDeepStrictEqual(stored, d)) return false
    return differs(entry, stored.version)
  }

  function storedArticle(articleKey: string): { row: ArticleRow; record: ArchiveArticleRecord } | null {
    const row = statements.article.find.get({ id: articleKey })
    if (!row) return null
    const { credits, topics: topicList } = writes.links(articleKey)
    return { row, record: articleRecord(row, credits, topicList) }
  }

  function checkArticleReferences(entry: Extract<ArchiveEntry, { kind: 'article' }>): string[] {
    const d = entry.data
    const check = (resource: 'section' | 'topic' | 'contributor' | 'media', key: string, field: (string | number)[]) => {
      if (!exists[resource].get({ id: key })) fail(entry, { kind: 'missing', field, resource, id: key })
    }
    if (d.sectionId !== null) check('section', d.sectionId, ['sectionId'])
    d.credits.forEach((c, i) => check('contributor', c.contributorId, ['credits', i, 'contributorId']))
    const seen = new Set<string>()
    d.topics.forEach((t, i) => {
      if (seen.has(t.topicId)) fail(entry, { kind: 'topic-repeated', index: i })
      seen.add(t.topicId)
      check('topic', t.topicId, ['topics', i, 'topicId'])
    })
    if (d.topics.filter((t) => t.primary).length > 1) fail(entry, { kind: 'primary-topics' })
    const mediaIds: string[] = []
    if (d.leadMedia) {
      check('media', d.leadMedia.mediaId, ['leadMedia', 'mediaId'])
      mediaIds.push(d.leadMedia.mediaId)
    }
    d.body.forEach((b, i) => {
      if ((b.type === 'image' || b.type === 'video') && b.mediaId !== undefined) {
        check('media', b.mediaId, ['body', i, 'mediaId'])
        mediaIds.push(b.mediaId)
      }
    })
    return [...new Set(mediaIds)]
  }

  function importArticle(entry: Extract<ArchiveEntry, { kind: 'article' }>, options: ArchiveBatchOptions): boolean {
    const s = statements.article
    const d = entry.data
    const mediaIds = checkArticleReferences(entry)
    const before = storedArticle(d.id)
    if (before) {
      if (isDeepStrictEqual(before.record, d)) return false
      differs(entry, before.row.version)
    }

    const { credits, topics: topicList, ...columns } = d
    const publicVisible = visibleAt(d, options.at)
    const values = { ...columns, headline: d.headlines.basic, bodyText: entry.bodyText, publicVisible }
    const after = s.insert.all(values)[0] as ArticleRow
    writes.relations(d.id, { credits, topics: topicList, mediaIds }, false)

    // The change feed records the import like any write: readers' feed hears of what they can now see;
    // drafts and the other unpublished states reach only the editors' feed.
    writes.change(null, after, options.at)

    written.push(after)
    if (!options.revisionsIncluded && !statements.revision.find.get({ articleId: d.id, version: d.version })) {
      writes.revision(after, { at: options.at, actorKeyId: null, message: 'imported from an archive' })
    }
    return true
  }

  function importRevision(entry: Extract<ArchiveEntry, { kind: 'revision' }>): boolean {
    const s = statements.revision
    const d = entry.data
    if (!exists.article.get({ id: d.articleId })) fail(entry, { kind: 'missing', field: ['articleId'], resource: 'article', id: d.articleId })
    const stored = s.find.get({ articleId: d.articleId, version: d.version })
    if (stored) {
      if (isDeepStrictEqual(stored, d)) return false
      differs(entry, d.version)
    }
    writes.storeRevision(d)
    return true
  }

  return {
    async openReader() {
      const snapshot = openSnapshot(db)
      return readerOn(snapshot.db, snapshot.release)
    },

    async importBatch(entries, options) {
      const imported = zeroCounts()
      const unchanged = zeroCounts()
      written.length = 0
      try {
        db.transaction(
          () => {
            for (const entry of entries) {
              let written: boolean
              try {
                if (entry.kind === 'section') written = importSection(entry, options.at)
                else if (entry.kind === 'article') written = importArticle(entry, options)
                else if (entry.kind === 'revision') written = importRevision(entry)
                else written = importCatalog(entry, options.at)
              } catch (err) {
                const problem = constraintProblem(err)
                if (problem !== null) throw new LineFailure(entry.line, problem)
                throw err
              }
              ;(written ? imported : unchanged)[PLURAL[entry.kind]] += 1
            }
            // The rows are the stored ones (an imported article is written once per batch, and nothing after its insert changes
            // its row): render them as they are, rather than read them back as refresh would.
            for (let i = 0; i < written.length; i += RENDER_CHUNK) renderings.store(loadAggregates(db, written.slice(i, i + RENDER_CHUNK)))
          },
          { behavior: 'immediate' },
        )
      } catch (err) {
        if (err instanceof LineFailure) return { imported: zeroCounts(), unchanged: zeroCounts(), failed: { line: err.line, problem: err.problem } }
        throw err
      }
      return { imported, unchanged, failed: null }
    },
  }
}
