import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm'
import type { PgDb } from '../client.js'
import { articleRenderings, articles, contributors, readerFollows, readerMutes, readerReads, readers, sections, topics } from '../schema.js'
import { NotFoundError } from '../../../errors.js'
import { writeTransaction } from '../writes.js'
import { asBuffer } from '../renderings.js'
import { FollowLimitError, pageBounds, type FeedQuery, type FollowKind, type FollowView, type ReaderRepository, type ReaderRow } from '../../repositories/readers.js'

const TARGETS = {
  topic: { table: topics, key: topics.slug, name: topics.name },
  contributor: { table: contributors, key: contributors.slug, name: contributors.name },
  section: { table: sections, key: sections.path, name: sections.name },
} as const

/** Rows of a raw query, whichever driver (node-postgres gives { rows }, PGlite's drizzle the same or an array). */
async function rowsOf<T>(db: PgDb, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] } | T[]
  return Array.isArray(result) ? result : result.rows
}

/**
 * The feed on PostgreSQL, as on SQLite (src/db/repositories/readers.ts): each
 * followed target gives its newest `limit` matches from its own index, here
 * in one statement per kind (a LATERAL subquery per target), and the page is
 * the newest `limit` of their union.
 */
function feedStatement(kind: FollowKind, targets: string[], q: FeedQuery, upTo: string, beforeId: string): SQL {
  const filter = sql`
    and r.status = 'published' and (r.embargo_until is null or r.embargo_until <= ${q.now})
    and not exists (select 1 from article_topics x where x.article_id = r.article_id
      and x.topic_id in (select m.topic_id from reader_mutes m where m.reader_id = ${q.readerId} and m.topic_id is not null))
    and not exists (select 1 from article_credits x where x.article_id = r.article_id
      and x.contributor_id in (select m.contributor_id from reader_mutes m where m.reader_id = ${q.readerId} and m.contributor_id is not null))
    and (${!q.unread} or not exists (select 1 from reader_reads rr where rr.reader_id = ${q.readerId} and rr.article_id = r.article_id))`
  const range = (col: string, idCol: string) =>
    sql`${sql.raw(col)} > ${q.since ?? ''} and ${sql.raw(col)} <= ${upTo} and (${sql.raw(col)} < ${upTo} or ${sql.raw(idCol)} < ${beforeId})`
  const inner =
    kind === 'topic'
      ? sql`select t.article_id, t.listed_at from article_topics t join article_renderings r on r.article_id = t.article_id
          where t.topic_id = f.target and ${range('t.listed_at', 't.article_id')} ${filter}
          order by t.listed_at desc, t.article_id desc limit ${q.limit}`
      : kind === 'contributor'
        ? sql`select c.article_id, c.listed_at from article_credits c join article_renderings r on r.article_id = c.article_id
          where c.contributor_id = f.target and ${range('c.listed_at', 'c.article_id')}
            and c.position = (select min(c2.position) from article_credits c2 where c2.article_id = c.article_id and c2.contributor_id = c.contributor_id)
            ${filter}
          order by c.listed_at desc, c.article_id desc limit ${q.limit}`
        : sql`select r.article_id, r.listed_at from article_renderings r
          where r.section_id = f.target and ${range('r.listed_at', 'r.article_id')} ${filter}
          order by r.listed_at desc, r.article_id desc limit ${q.limit}`
  return sql`select f.target as "target", m.article_id as "articleId", m.listed_at as "listedAt"
    from unnest(${sql.param(targets)}::text[]) as f(target) cross join lateral (${inner}) m`
}

export function createReaderRepository(db: PgDb): ReaderRepository {
  const toReader = (row: { id: string; createdAt: string; feedTokenHash: string | null }): ReaderRow => ({ id: row.id, createdAt: row.createdAt, hasFeedToken: row.feedTokenHash !== null })
  const byToken = db.select({ id: readers.id }).from(readers).where(eq(readers.tokenHash, sql.placeholder('hash'))).prepare('readers_by_token')
  const byFeedToken = db.select({ id: readers.id }).from(readers).where(eq(readers.feedTokenHash, sql.placeholder('hash'))).prepare('readers_by_feed_token')

  async function resolve(tx: PgDb, kind: FollowKind, target: string) {
    const t = TARGETS[kind]
    const [found] = await tx
      .select({ id: t.table.id, slug: t.key, name: t.name })
      .from(t.table)
      .where(sql`${t.table.id} = ${target} or ${t.key} = ${target}`)
      .limit(1)
    if (!found) throw new NotFoundError(kind, target)
    return found
  }

  async function listOf(table: typeof readerFollows | typeof readerMutes, readerId: string): Promise<FollowView[]> {
    const rows = await db.select().from(table).where(eq(table.readerId, readerId)).orderBy(asc(table.createdAt), asc(table.id))
    const names = new Map<string, { id: string; slug: string; name: string }>()
    for (const kind of ['topic', 'contributor', 'section'] as const) {
      const ids = rows.filter((r) => r.kind === kind).map(targetOf)
      if (ids.length === 0) continue
      const t = TARGETS[kind]
      for (const n of await db.select({ id: t.table.id, slug: t.key, name: t.name }).from(t.table).where(inArray(t.table.id, ids))) names.set(`${kind}:${n.id}`, n)
    }
    return rows.map((r) => ({ id: r.id, kind: r.kind, target: names.get(`${r.kind}:${targetOf(r)}`)!, createdAt: r.createdAt }))
  }

  function add(table: typeof readerFollows | typeof readerMutes, readerId: string, kind: FollowKind, target: string, row: { id: string; createdAt: string }, max: number) {
    return writeTransaction(db, async (tx) => {
      const found = await resolve(tx, kind, target)
      // One reader's follows are written one at a time: the count below cannot be passed by two requests at once.
      await tx.select({ id: readers.id }).from(readers).where(eq(readers.id, readerId)).for('update')
      const column = kind === 'topic' ? table.topicId : kind === 'contributor' ? table.contributorId : (table as typeof readerFollows).sectionId
      const [existing] = await tx.select().from(table).where(and(eq(table.readerId, readerId), eq(column, found.id)))
      if (existing) return { follow: { id: existing.id, kind, target: found, createdAt: existing.createdAt }, created: false }
      const [{ n }] = (await tx.select({ n: sql<number>`count(*)::int` }).from(table).where(eq(table.readerId, readerId))) as [{ n: number }]
      if (n >= max) throw new FollowLimitError(max)
      const columns = { topicId: null, contributorId: null, ...(table === readerFollows ? { sectionId: null } : {}), [`${kind}Id`]: found.id }
      await tx.insert(table).values({ id: row.id, readerId, kind: kind as 'topic', createdAt: row.createdAt, ...columns })
      return { follow: { id: row.id, kind, target: found, createdAt: row.createdAt }, created: true }
    })
  }

  const removeOne = (table: typeof readerFollows | typeof readerMutes, readerId: string, id: string) =>
    writeTransaction(db, async (tx) => (await tx.delete(table).where(and(eq(table.readerId, readerId), eq(table.id, id))).returning({ id: table.id })).length > 0)

  return {
    async create(row) {
      await writeTransaction(db, async (tx) => {
        await tx.insert(readers).values(row)
      })
      return { id: row.id, createdAt: row.createdAt, hasFeedToken: false }
    },
    async find(id) {
      const [row] = await db.select().from(readers).where(eq(readers.id, id))
      return row ? toReader(row) : null
    },
    async findByTokenHash(hash) {
      return (await byToken.execute({ hash }))[0]?.id ?? null
    },
    async findByFeedTokenHash(hash) {
      return (await byFeedToken.execute({ hash }))[0]?.id ?? null
    },
    async setFeedToken(readerId, hash) {
      await writeTransaction(db, async (tx) => {
        await tx.update(readers).set({ feedTokenHash: hash }).where(eq(readers.id, readerId))
      })
    },
    async remove(id) {
      return writeTransaction(db, async (tx) => {
        await tx.delete(readerReads).where(eq(readerReads.readerId, id))
        await tx.delete(readerMutes).where(eq(readerMutes.readerId, id))
        await tx.delete(readerFollows).where(eq(readerFollows.readerId, id))
        return (await tx.delete(readers).where(eq(readers.id, id)).returning({ id: readers.id })).length > 0
      })
    },
    follow: (readerId, kind, target, row, max) => add(readerFollows, readerId, kind, target, row, max),
    unfollow: (readerId, followId) => removeOne(readerFollows, readerId, followId),
    follows: (readerId) => listOf(readerFollows, readerId),
    mute: (readerId, kind, target, row, max) => add(readerMutes, readerId, kind, target, row, max),
    unmute: (readerId, muteId) => removeOne(readerMutes, readerId, muteId),
    mutes: (readerId) => listOf(readerMutes, readerId),
    async markRead(readerId, articleIds, at) {
      await writeTransaction(db, async (tx) => {
        const known = new Set((await tx.select({ id: articles.id }).from(articles).where(inArray(articles.id, articleIds))).map((r) => r.id))
        const missing = articleIds.find((id) => !known.has(id))
        if (missing !== undefined) throw new NotFoundError('article', missing)
        await tx
          .insert(readerReads)
          .values(articleIds.map((articleId) => ({ readerId, articleId, readAt: at })))
          .onConflictDoNothing()
      })
    },
    async unmarkRead(readerId, articleId) {
      return writeTransaction(
        db,
        async (tx) =>
          (await tx.delete(readerReads).where(and(eq(readerReads.readerId, readerId), eq(readerReads.articleId, articleId))).returning({ id: readerReads.articleId })).length > 0,
      )
    },
    async feed(q) {
      const follows = await db
        .select({ id: readerFollows.id, topicId: readerFollows.topicId, contributorId: readerFollows.contributorId, sectionId: readerFollows.sectionId })
        .from(readerFollows)
        .where(eq(readerFollows.readerId, q.readerId))
      const targets = { topic: new Map<string, string[]>(), contributor: new Map<string, string[]>(), section: new Map<string, string[]>() }
      const put = (kind: FollowKind, target: string, followId: string) => targets[kind].set(target, [...(targets[kind].get(target) ?? []), followId])
      const sectionFollows = new Map<string, string>()
      for (const f of follows) {
        if (f.topicId) put('topic', f.topicId, f.id)
        else if (f.contributorId) put('contributor', f.contributorId, f.id)
        else if (f.sectionId) sectionFollows.set(f.sectionId, f.id)
      }
      if (sectionFollows.size > 0) {
        const tree = await rowsOf<{ root: string; id: string }>(
          db,
          sql`select root.id as "root", s.id as "id" from sections root join sections s on s.id = root.id or left(s.path, length(root.path) + 1) = root.path || '/'
              where root.id = any(${sql.param([...sectionFollows.keys()])}::text[])`,
        )
        for (const { root, id } of tree) put('section', id, sectionFollows.get(root)!)
      }
      const { upTo, beforeId } = pageBounds(q)
      const found = new Map<string, { listedAt: string; matched: Set<string> }>()
      for (const kind of ['topic', 'contributor', 'section'] as const) {
        if (targets[kind].size === 0) continue
        for (const row of await rowsOf<{ target: string; articleId: string; listedAt: string }>(db, feedStatement(kind, [...targets[kind].keys()], q, upTo, beforeId))) {
          const entry = found.get(row.articleId) ?? { listedAt: row.listedAt, matched: new Set<string>() }
          for (const id of targets[kind].get(row.target)!) entry.matched.add(id)
          found.set(row.articleId, entry)
        }
      }
      const page = [...found.entries()].sort(([a, x], [b, y]) => (x.listedAt === y.listedAt ? (a < b ? 1 : -1) : x.listedAt < y.listedAt ? 1 : -1)).slice(0, q.limit)
      if (page.length === 0) return []
      const r = articleRenderings
      const rows = new Map(
        (
          await db
            .select({ articleId: r.articleId, slug: r.slug, version: r.version, etag: r.etag, updatedAt: r.updatedAt, surrogateKeys: r.surrogateKeys, relatedIds: r.relatedIds, json: r.json })
            .from(r)
            .where(inArray(r.articleId, page.map(([id]) => id)))
        ).map((row) => [row.articleId, row]),
      )
      return page.flatMap(([id, entry]) => {
        const row = rows.get(id)
        return row ? [{ ...row, json: asBuffer(row.json), listedAt: entry.listedAt, matched: [...entry.matched] }] : []
      })
    },
    async popularTopics(readerId, limit) {
      // Every topic, by its followers (an index count each), without those the reader already follows or mutes.
      const followers = sql<number>`(select count(*)::int from ${readerFollows} where ${readerFollows.topicId} = ${topics.id})`
      const mine = (table: typeof readerFollows | typeof readerMutes) =>
        sql`${topics.id} not in (select ${table.topicId} from ${table} where ${table.readerId} = ${readerId} and ${table.topicId} is not null)`
      return db
        .select({ id: topics.id, slug: topics.slug, name: topics.name, followers })
        .from(topics)
        .where(and(mine(readerFollows), mine(readerMutes)))
        .orderBy(desc(followers), asc(topics.slug))
        .limit(limit)
    },
    async explainFeed(kind, q) {
      const { upTo, beforeId } = pageBounds(q)
      const plan = await rowsOf<{ 'QUERY PLAN': string }>(db, sql`explain ${feedStatement(kind, ['x'], q, upTo, beforeId)}`)
      return plan.map((r) => r['QUERY PLAN'])
    },
  }
}

function targetOf(row: { topicId: string | null; contributorId: string | null; sectionId?: string | null }): string {
  return (row.topicId ?? row.contributorId ?? row.sectionId)!
}
