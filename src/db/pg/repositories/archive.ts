import { and, asc, eq, getTableColumns, gt, gte, lte, or, sql, type Placeholder, type Table } from 'drizzle-orm'
import pg from 'pg'
import { isDeepStrictEqual } from 'node:util'
import type { PgDb } from '../client.js'
import { articleRowColumns } from '../columns.js'
import { brokenConstraint } from '../errors.js'
import { articleCredits, articleRevisions, articleTopics, articles, contributors, media, sections, topics } from '../schema.js'
import { nextSearchRowid, takeSearchRowTurn, writeTransaction, type PgWrites } from '../writes.js'
import type { PgRenderings } from '../renderings.js'
import { sectionPath, visibleAt } from '../../writes.js'
import { articleRecord, zeroCounts, type ArchiveArticleRecord, type ArchiveBatchOptions, type ArchiveEntry, type ArchiveProblem, type ArchiveReader, type ArchiveRepository, type ArchiveRevisionRecord } from '../../repositories/archive.js'
import type { ArticleRow, ContributorRow, MediaRow, SectionRow, TopicRow } from '../../rows.js'
import { SECTION_TREE_LOCK } from './sections.js'
import { LOCKS } from '../locks.js'

/**
 * Bulk archive export and import on PostgreSQL, with the semantics of
 * src/db/repositories/archive.ts (read its comment): export reads page by page
 * from one snapshot; import adds what the database lacks, leaves what it holds
 * exactly, and stops at a record stored with different content, one
 * transaction per batch.
 */

/** Imports take turns (one batch at a time), as on SQLite, so that two of them never both find a record missing. */
const ARCHIVE_IMPORT_LOCK = LOCKS.archiveImport

const PLURAL = { section: 'sections', topic: 'topics', contributor: 'contributors', media: 'media', article: 'articles', revision: 'revisions' } as const

/**
 * One consistent view for a whole export: on a server, a REPEATABLE READ, READ
 * ONLY transaction held on one pooled connection until the reader is closed
 * (every page sees the snapshot of its first query while writers carry on).
 * PGlite has a single connection that an open transaction would hold from
 * every other caller: there, as with SQLite's in-memory database, the reader
 * reads the live database page by page.
 */
async function openSnapshot(db: PgDb): Promise<{ db: PgDb; release(): Promise<void> }> {
  if (!((db as unknown as { $client?: unknown }).$client instanceof pg.Pool)) return { db, release: async () => {} }
  let finish!: () => void
  const finished = new Promise<void>((resolve) => (finish = resolve))
  let opened!: (tx: PgDb) => void
  const ready = new Promise<PgDb>((resolve) => (opened = resolve))
  const running = db.transaction(
    async (tx) => {
      await tx.execute(sql`select 1`) // the snapshot is taken at the transaction's first query
      opened(tx)
      await finished
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  )
  const ended = running.then(() => {
    throw new Error('the export snapshot ended before it opened')
  })
  ended.catch(() => undefined)
  const tx = await Promise.race([ready, ended])
  return {
    db: tx,
    release: async () => {
      finish()
      await running
    },
  }
}

function readerOn(db: PgDb, release: () => Promise<void>): ArchiveReader {
  const total = async (table: typeof sections | typeof topics | typeof contributors | typeof media | typeof articles | typeof articleRevisions) =>
    (await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(table))[0]!.n
  const byId = <T extends typeof topics | typeof contributors | typeof media>(table: T, afterId: string | null, limit: number) => {
    const t = table as typeof topics
    return db
      .select()
      .from(t)
      .where(afterId === null ? undefined : gt(t.id, afterId))
      .orderBy(asc(t.id))
      .limit(limit)
  }
  return {
    async counts(withRevisions) {
      return {
        sections: await total(sections),
        topics: await total(topics),
        contributors: await total(contributors),
        media: await total(media),
        articles: await total(articles),
        revisions: withRevisions ? await total(articleRevisions) : 0,
      }
    },
    async sections(afterPath, limit) {
      return db
        .select()
        .from(sections)
        .where(afterPath === null ? undefined : gt(sections.path, afterPath))
        .orderBy(asc(sections.path))
        .limit(limit)
    },
    async topics(afterId, limit) {
      return (await byId(topics, afterId, limit)) as TopicRow[]
    },
    async contributors(afterId, limit) {
      return (await byId(contributors, afterId, limit)) as unknown as ContributorRow[]
    },
    async media(afterId, limit) {
      return (await byId(media, afterId, limit)) as unknown as MediaRow[]
    },
    async articles(afterId, limit) {
      const rows = await db
        .select(articleRowColumns)
        .from(articles)
        .where(afterId === null ? undefined : gt(articles.id, afterId))
        .orderBy(asc(articles.id))
        .limit(limit)
      if (rows.length === 0) return []
      const first = rows[0]!.id
      const last = rows[rows.length - 1]!.id
      // The relations of the page by id range: the primary keys (article_id, position) serve both.
      const credits = await db
        .select({ articleId: articleCredits.articleId, contributorId: articleCredits.contributorId, role: articleCredits.role })
        .from(articleCredits)
        .where(and(gte(articleCredits.articleId, first), lte(articleCredits.articleId, last)))
        .orderBy(asc(articleCredits.articleId), asc(articleCredits.position))
      const topicRows = await db
        .select({ articleId: articleTopics.articleId, topicId: articleTopics.topicId, primary: articleTopics.primary })
        .from(articleTopics)
        .where(and(gte(articleTopics.articleId, first), lte(articleTopics.articleId, last)))
        .orderBy(asc(articleTopics.articleId), asc(articleTopics.position))
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
      return (await db
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
        .limit(limit)) as ArchiveRevisionRecord[]
    },
    close: release,
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

/**
 * A UNIQUE or FOREIGN KEY violation, as a problem of the record; null for any
 * other error. The columns are named as SQLite names them (table.column), from
 * the constraint's name (articles_slug_unique, articles_content_hash).
 */
function constraintProblem(err: unknown): ArchiveProblem | null {
  const broken = brokenConstraint(err)
  if (broken === null) return null
  if (broken.kind === 'foreign-key') return { kind: 'dangling' }
  if (broken.kind === 'primary-key') return { kind: 'taken', columns: `${broken.table} primary key` }
  const column = broken.constraint.startsWith(`${broken.table}_`) ? broken.constraint.slice(broken.table.length + 1).replace(/_unique$/, '') : broken.constraint
  return { kind: 'taken', columns: `${broken.table}.${column}` }
}

/** A placeholder for every column of a table (but `except`), for statements prepared once per batch and run per record. */
function placeholders(table: Table, except: string[] = []): Record<string, Placeholder> {
  return Object.fromEntries(
    Object.keys(getTableColumns(table))
      .filter((c) => !except.includes(c))
      .map((c) => [c, sql.placeholder(c)]),
  )
}

/**
 * The statements an import runs for every record, prepared on the batch's
 * transaction (a statement prepared on the pool would run outside it). Named,
 * so that node-postgres prepares each once per connection and reuses it.
 */
function importStatements(tx: PgDb) {
  const id = sql.placeholder('id')
  const exists = (table: typeof sections | typeof topics | typeof contributors | typeof media | typeof articles, name: string) => {
    const t = table as typeof topics
    return tx.select({ id: t.id }).from(t).where(eq(t.id, id)).prepare(`archive_exists_${name}`)
  }
  const catalog = (table: typeof topics | typeof contributors | typeof media, name: string) => {
    const t = table as typeof topics
    return {
      find: tx.select().from(t).where(eq(t.id, id)).prepare(`archive_find_${name}`),
      insert: tx.insert(t).values(placeholders(t) as never).prepare(`archive_insert_${name}`),
    }
  }
  return {
    exists: {
      section: exists(sections, 'section'),
      topic: exists(topics, 'topic'),
      contributor: exists(contributors, 'contributor'),
      media: exists(media, 'media'),
      article: exists(articles, 'article'),
    },
    topic: catalog(topics, 'topic'),
    contributor: catalog(contributors, 'contributor'),
    media: catalog(media, 'media'),
    section: {
      find: tx.select().from(sections).where(eq(sections.id, id)).prepare('archive_find_section'),
      insert: tx.insert(sections).values(placeholders(sections) as never).prepare('archive_insert_section'),
    },
    article: {
      find: tx.select(articleRowColumns).from(articles).where(eq(articles.id, id)).prepare('archive_find_article'),
      // A new article's search row is assigned as every writer does it; the search vector is generated.
      insert: tx
        .insert(articles)
        .values({ ...placeholders(articles, ['searchRowid', 'search']), searchRowid: nextSearchRowid } as never)
        .returning(articleRowColumns)
        .prepare('archive_insert_article'),
    },
    revision: {
      find: tx
        .select()
        .from(articleRevisions)
        .where(and(eq(articleRevisions.articleId, sql.placeholder('articleId')), eq(articleRevisions.version, sql.placeholder('version'))))
        .prepare('archive_find_revision'),
    },
  }
}

export function createArchiveRepository(db: PgDb, renderings: PgRenderings, writes: PgWrites): ArchiveRepository {
  const fail = (entry: ArchiveEntry, problem: ArchiveProblem): never => {
    throw new LineFailure(entry.line, problem)
  }
  const differs = (entry: ArchiveEntry, storedVersion: number): never => fail(entry, { kind: 'differs', storedVersion })

  /** One batch, in its transaction `tx`; `rendered` collects the articles it wrote. */
  function batchOn(tx: PgDb, options: ArchiveBatchOptions, rendered: Set<string>) {
    const s = importStatements(tx)
    const first = async <T>(rows: Promise<T[]>): Promise<T | undefined> => (await rows)[0]

    async function importSection(entry: Extract<ArchiveEntry, { kind: 'section' }>): Promise<boolean> {
      const d = entry.data
      let parentPath: string | null = null
      if (d.parentId !== null) {
        const parent = await first(s.section.find.execute({ id: d.parentId }))
        if (!parent) fail(entry, { kind: 'missing', field: ['parentId'], resource: 'section', id: d.parentId })
        parentPath = parent!.path
      }
      const path = sectionPath(parentPath, d.slug)
      if (path !== d.path) fail(entry, { kind: 'section-path', expected: path })
      const stored = (await first(s.section.find.execute({ id: d.id }))) as SectionRow | undefined
      if (!stored) {
        await s.section.insert.execute(d)
        await writes.event(tx, 'section.created', { id: d.id, version: d.version }, options.at)
        return true
      }
      if (isDeepStrictEqual(stored, d)) return false
      return differs(entry, stored.version)
    }

    async function importCatalog(entry: Extract<ArchiveEntry, { kind: 'topic' | 'contributor' | 'media' }>): Promise<boolean> {
      const statements = s[entry.kind]
      const d = entry.data
      const stored = (await first(statements.find.execute({ id: d.id }))) as { version: number } | undefined
      if (!stored) {
        await statements.insert.execute(d)
        await writes.event(tx, `${entry.kind}.created`, { id: d.id, version: d.version }, options.at)
        return true
      }
      if (isDeepStrictEqual(stored, d)) return false
      return differs(entry, stored.version)
    }

    async function checkArticleReferences(entry: Extract<ArchiveEntry, { kind: 'article' }>): Promise<string[]> {
      const d = entry.data
      const check = async (resource: 'section' | 'topic' | 'contributor' | 'media', key: string, field: (string | number)[]) => {
        if (!(await first(s.exists[resource].execute({ id: key })))) fail(entry, { kind: 'missing', field, resource, id: key })
      }
      if (d.sectionId !== null) await check('section', d.sectionId, ['sectionId'])
      for (const [i, c] of d.credits.entries()) await check('contributor', c.contributorId, ['credits', i, 'contributorId'])
      const seen = new Set<string>()
      for (const [i, t] of d.topics.entries()) {
        if (seen.has(t.topicId)) fail(entry, { kind: 'topic-repeated', index: i })
        seen.add(t.topicId)
        await check('topic', t.topicId, ['topics', i, 'topicId'])
      }
      if (d.topics.filter((t) => t.primary).length > 1) fail(entry, { kind: 'primary-topics' })
      const mediaIds: string[] = []
      if (d.leadMedia) {
        await check('media', d.leadMedia.mediaId, ['leadMedia', 'mediaId'])
        mediaIds.push(d.leadMedia.mediaId)
      }
      for (const [i, b] of d.body.entries()) {
        if ((b.type === 'image' || b.type === 'video') && b.mediaId !== undefined) {
          await check('media', b.mediaId, ['body', i, 'mediaId'])
          mediaIds.push(b.mediaId)
        }
      }
      return [...new Set(mediaIds)]
    }

    async function importArticle(entry: Extract<ArchiveEntry, { kind: 'article' }>): Promise<boolean> {
      const d = entry.data
      const mediaIds = await checkArticleReferences(entry)
      const stored = (await first(s.article.find.execute({ id: d.id }))) as ArticleRow | undefined
      if (stored) {
        const { credits, topics: topicList } = await writes.links(tx, d.id)
        if (isDeepStrictEqual(articleRecord(stored, credits, topicList), d)) return false
        differs(entry, stored.version)
      }

      const { credits, topics: topicList, ...columns } = d
      const publicVisible = visibleAt(d, options.at)
      const after = (await s.article.insert.execute({ ...columns, headline: d.headlines.basic, bodyText: entry.bodyText, publicVisible }))[0] as ArticleRow
      await writes.relations(tx, d.id, { credits, topics: topicList, mediaIds }, false)

      // The change feed records the import like any write: readers' feed hears of what they can now see;
      // drafts and the other unpublished states reach only the editors' feed.
      await writes.change(tx, null, after, options.at)

      rendered.add(d.id)
      if (!options.revisionsIncluded && !(await first(s.revision.find.execute({ articleId: d.id, version: d.version })))) {
        await writes.revision(tx, after, { at: options.at, actorKeyId: null, message: 'imported from an archive' })
      }
      return true
    }

    async function importRevision(entry: Extract<ArchiveEntry, { kind: 'revision' }>): Promise<boolean> {
      const d = entry.data
      if (!(await first(s.exists.article.execute({ id: d.articleId })))) fail(entry, { kind: 'missing', field: ['articleId'], resource: 'article', id: d.articleId })
      const stored = await first(s.revision.find.execute({ articleId: d.articleId, version: d.version }))
      if (stored) {
        if (isDeepStrictEqual(stored, d)) return false
        differs(entry, d.version)
      }
      await writes.storeRevision(tx, d)
      return true
    }

    return async (entry: ArchiveEntry): Promise<boolean> => {
      if (entry.kind === 'section') return importSection(entry)
      if (entry.kind === 'article') return importArticle(entry)
      if (entry.kind === 'revision') return importRevision(entry)
      return importCatalog(entry)
    }
  }

  return {
    async openReader() {
      const snapshot = await openSnapshot(db)
      return readerOn(snapshot.db, snapshot.release)
    },

    async importBatch(entries, options) {
      const imported = zeroCounts()
      const unchanged = zeroCounts()
      try {
        await writeTransaction(db, async (tx) => {
          await tx.execute(sql`select pg_advisory_xact_lock(${ARCHIVE_IMPORT_LOCK})`)
          // Sections written by the import must not meet a section move half way (see sections.ts).
          if (entries.some((e) => e.kind === 'section')) await tx.execute(sql`select pg_advisory_xact_lock(${SECTION_TREE_LOCK})`)
          // New articles take their search row (max + 1) in turn with the API's creates (see writes.ts).
          if (entries.some((e) => e.kind === 'article')) await takeSearchRowTurn(tx)
          const rendered = new Set<string>()
          const importEntry = batchOn(tx, options, rendered)
          for (const entry of entries) {
            let written: boolean
            try {
              written = await importEntry(entry)
            } catch (err) {
              const problem = constraintProblem(err)
              if (problem !== null) throw new LineFailure(entry.line, problem)
              throw err
            }
            ;(written ? imported : unchanged)[PLURAL[entry.kind]] += 1
          }
          await renderings.refresh(tx, rendered)
        })
      } catch (err) {
        if (err instanceof LineFailure) return { imported: zeroCounts(), unchanged: zeroCounts(), failed: { line: err.line, problem: err.problem } }
        throw err
      }
      return { imported, unchanged, failed: null }
    },
  }
}
