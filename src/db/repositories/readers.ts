import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../sqlite/client.js'
import { articleRenderings, articles, contributors, readerFollows, readerMutes, readerReads, readers, sections, topics } from '../schema.js'
import type { StoredRendering } from '../rows.js'
import { NotFoundError } from '../../errors.js'

export type FollowKind = 'topic' | 'contributor' | 'section'
export type MuteKind = 'topic' | 'contributor'

export interface ReaderRow {
  id: string
  createdAt: string
  /** Whether a private feed token is set. */
  hasFeedToken: boolean
}

/** A follow or a mute, with what it names (a section is named by its path). */
export interface FollowView {
  id: string
  kind: FollowKind
  target: { id: string; slug: string; name: string }
  createdAt: string
}

/** What the feed asks for: the newest `limit` matches listed before `before` (and after `since`, at or before `asOf`). */
export interface FeedQuery {
  readerId: string
  now: string
  limit: number
  before: { listedAt: string; id: string } | null
  since: string | null
  asOf: string | null
  unread: boolean
}

export interface FeedRow extends StoredRendering {
  listedAt: string
  /** The ids of the reader's follows this article matched. */
  matched: string[]
}

/** The reader already has the maximum number of follows (or mutes). */
export class FollowLimitError extends Error {
  constructor(readonly max: number) {
    super(`at most ${max}`)
  }
}

export interface ReaderRepository {
  create(row: { id: string; tokenHash: string; createdAt: string }): Promise<ReaderRow>
  find(id: string): Promise<ReaderRow | null>
  findByTokenHash(hash: string): Promise<string | null>
  findByFeedTokenHash(hash: string): Promise<string | null>
  /** Sets (or, with null, removes) the private feed token's hash. */
  setFeedToken(readerId: string, hash: string | null): Promise<void>
  /** Deletes the reader and every follow, mute and read mark of it, in one transaction. False when there was none. */
  remove(id: string): Promise<boolean>
  /** Follows a target (by id or slug; a section by id or path), idempotently; NotFoundError for an unknown target, FollowLimitError past `max`. */
  follow(readerId: string, kind: FollowKind, target: string, row: { id: string; createdAt: string }, max: number): Promise<{ follow: FollowView; created: boolean }>
  unfollow(readerId: string, followId: string): Promise<boolean>
  follows(readerId: string): Promise<FollowView[]>
  mute(readerId: string, kind: MuteKind, target: string, row: { id: string; createdAt: string }, max: number): Promise<{ follow: FollowView; created: boolean }>
  unmute(readerId: string, muteId: string): Promise<boolean>
  mutes(readerId: string): Promise<FollowView[]>
  /** Marks published articles read (ids only; unknown ones: NotFoundError, nothing written). */
  markRead(readerId: string, articleIds: string[], at: string): Promise<void>
  unmarkRead(readerId: string, articleId: string): Promise<boolean>
  /** The page of the feed: newest first, each with the follows it matched. */
  feed(query: FeedQuery): Promise<FeedRow[]>
  /** The topics most readers follow, the reader's own follows and mutes left out (the empty feed's suggestions). */
  popularTopics(readerId: string, limit: number): Promise<{ id: string; slug: string; name: string; followers: number }[]>
  /** The engine's plan for one kind of follow's part of the feed (tests pin that it walks an index). */
  explainFeed(kind: FollowKind, q: FeedQuery): Promise<string[]>
}

/** Target resolution and names, by kind: the table, and the column people type (slug; a section's path). */
const TARGETS = {
  topic: { table: topics, key: topics.slug, name: topics.name },
  contributor: { table: contributors, key: contributors.slug, name: contributors.name },
  section: { table: sections, key: sections.path, name: sections.name },
} as const

/**
 * The feed, per follow: each followed topic, contributor and section (with
 * its subsections) gives its newest `limit` visible, unmuted (and, asked,
 * unread) articles from its own index, (target, listed_at, article_id); the
 * page is the newest `limit` of their union. The top of a union is in the
 * union of the tops, so the page is exact, and its cost is bounded by
 * follows x limit index steps, whatever the size of the archive. An article
 * in the page is in the top `limit` of every follow it matches, so the
 * follows each answer names are exact too.
 */
const FEED_FILTER = `
  and r.status = 'published' and (r.embargo_until is null or r.embargo_until <= :now)
  and not exists (select 1 from article_topics x where x.article_id = r.article_id
    and x.topic_id in (select m.topic_id from reader_mutes m where m.reader_id = :reader and m.topic_id is not null))
  and not exists (select 1 from article_credits x where x.article_id = r.article_id
    and x.contributor_id in (select m.contributor_id from reader_mutes m where m.reader_id = :reader and m.contributor_id is not null))
  and (:unread = 0 or not exists (select 1 from reader_reads rr where rr.reader_id = :reader and rr.article_id = r.article_id))`

/** The listed_at range of a page: after `since`, at or before `upTo`, and before the cursor's (listed_at, id). */
const range = (col: string, idCol: string) => `${col} > :since and ${col} <= :upTo and (${col} < :upTo or ${idCol} < :beforeId)`

/** One statement per kind of follow, run once per followed target (SQLite named parameters). */
export const FEED_STATEMENTS: Record<FollowKind, string> = {
  topic: `select t.article_id as articleId, t.listed_at as listedAt from article_topics t
    join article_renderings r on r.article_id = t.article_id
    where t.topic_id = :target and ${range('t.listed_at', 't.article_id')} ${FEED_FILTER}
    order by t.listed_at desc, t.article_id desc limit :limit`,
  // An article may credit one contributor twice (byline and photo): counted once, at its first credit.
  contributor: `select c.article_id as articleId, c.listed_at as listedAt from article_credits c
    join article_renderings r on r.article_id = c.article_id
    where c.contributor_id = :target and ${range('c.listed_at', 'c.article_id')}
      and c.position = (select min(c2.position) from article_credits c2 where c2.article_id = c.article_id and c2.contributor_id = c.contributor_id)
      ${FEED_FILTER}
    order by c.listed_at desc, c.article_id desc limit :limit`,
  section: `select r.article_id as articleId, r.listed_at as listedAt from article_renderings r
    where r.section_id = :target and ${range('r.listed_at', 'r.article_id')} ${FEED_FILTER}
    order by r.listed_at desc, r.article_id desc limit :limit`,
}

type Candidate = { articleId: string; listedAt: string }

export function createReaderRepository(db: Db): ReaderRepository {
  const client = db.$client
  const perTarget = {
    topic: client.prepare<Record<string, unknown>, Candidate>(FEED_STATEMENTS.topic),
    contributor: client.prepare<Record<string, unknown>, Candidate>(FEED_STATEMENTS.contributor),
    section: client.prepare<Record<string, unknown>, Candidate>(FEED_STATEMENTS.section),
  }
  const followsOf = db
    .select({ id: readerFollows.id, topicId: readerFollows.topicId, contributorId: readerFollows.contributorId, sectionId: readerFollows.sectionId })
    .from(readerFollows)
    .where(eq(readerFollows.readerId, sql.placeholder('reader')))
    .prepare()
  const subtree = client.prepare<{ id: string }, { id: string }>(
    `select s.id from sections s, sections root where root.id = :id and (s.id = root.id or substr(s.path, 1, length(root.path) + 1) = root.path || '/')`,
  )
  const byToken = db.select({ id: readers.id }).from(readers).where(eq(readers.tokenHash, sql.placeholder('hash'))).prepare()
  const byFeedToken = db.select({ id: readers.id }).from(readers).where(eq(readers.feedTokenHash, sql.placeholder('hash'))).prepare()
  const renderingColumns = {
    articleId: articleRenderings.articleId, slug: articleRenderings.slug, version: articleRenderings.version, etag: articleRenderings.etag,
    updatedAt: articleRenderings.updatedAt, surrogateKeys: articleRenderings.surrogateKeys, relatedIds: articleRenderings.relatedIds,
    listedAt: articleRenderings.listedAt, json: articleRenderings.json,
  }

  const renderingsOf = db
    .select(renderingColumns)
    .from(articleRenderings)
    .where(sql`${articleRenderings.articleId} in (select value from json_each(${sql.placeholder('ids')}))`)
    .prepare()

  const toReader = (row: { id: string; createdAt: string; feedTokenHash: string | null }): ReaderRow => ({ id: row.id, createdAt: row.createdAt, hasFeedToken: row.feedTokenHash !== null })

  function resolve(kind: FollowKind, target: string) {
    const t = TARGETS[kind]
    const found = db
      .select({ id: t.table.id, slug: t.key, name: t.name })
      .from(t.table)
      .where(sql`${t.table.id} = ${target} or ${t.key} = ${target}`)
      .get()
    if (!found) throw new NotFoundError(kind, target)
    return found
  }

  /** Follows and mutes share one shape: a row per target, its column by kind. */
  function listOf(table: typeof readerFollows | typeof readerMutes, readerId: string): FollowView[] {
    const rows = db.select().from(table).where(eq(table.readerId, readerId)).orderBy(asc(table.createdAt), asc(table.id)).all()
    const out: FollowView[] = []
    for (const kind of ['topic', 'contributor', 'section'] as const) {
      const mine = rows.filter((r) => r.kind === kind)
      if (mine.length === 0) continue
      const t = TARGETS[kind]
      const ids = mine.map((r) => targetOf(r))
      const names = new Map(db.select({ id: t.table.id, slug: t.key, name: t.name }).from(t.table).where(inArray(t.table.id, ids)).all().map((n) => [n.id, n]))
      for (const r of mine) out.push({ id: r.id, kind, target: names.get(targetOf(r))!, createdAt: r.createdAt })
    }
    return out.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1))
  }

  function add(table: typeof readerFollows | typeof readerMutes, readerId: string, kind: FollowKind, target: string, row: { id: string; createdAt: string }, max: number) {
    return db.transaction(
      () => {
        const found = resolve(kind, target)
        const column = kind === 'topic' ? table.topicId : kind === 'contributor' ? table.contributorId : (table as typeof readerFollows).sectionId
        const existing = db.select().from(table).where(and(eq(table.readerId, readerId), eq(column, found.id))).get()
        if (existing) return { follow: { id: existing.id, kind, target: found, createdAt: existing.createdAt }, created: false }
        const count = db.select({ n: sql<number>`count(*)` }).from(table).where(eq(table.readerId, readerId)).get()!.n
        if (count >= max) throw new FollowLimitError(max)
        const columns = { topicId: null, contributorId: null, ...(table === readerFollows ? { sectionId: null } : {}), [`${kind}Id`]: found.id }
        db.insert(table).values({ id: row.id, readerId, kind: kind as MuteKind, createdAt: row.createdAt, ...columns }).run()
        return { follow: { id: row.id, kind, target: found, createdAt: row.createdAt }, created: true }
      },
      { behavior: 'immediate' },
    )
  }

  const removeOne = (table: typeof readerFollows | typeof readerMutes, readerId: string, id: string) =>
    db.transaction(() => db.delete(table).where(and(eq(table.readerId, readerId), eq(table.id, id))).run().changes > 0, { behavior: 'immediate' })

  return {
    async create(row) {
      db.transaction(() => db.insert(readers).values(row).run(), { behavior: 'immediate' })
      return { id: row.id, createdAt: row.createdAt, hasFeedToken: false }
    },
    async find(id) {
      const row = db.select().from(readers).where(eq(readers.id, id)).get()
      return row ? toReader(row) : null
    },
    async findByTokenHash(hash) {
      return byToken.get({ hash })?.id ?? null
    },
    async findByFeedTokenHash(hash) {
      return byFeedToken.get({ hash })?.id ?? null
    },
    async setFeedToken(readerId, hash) {
      db.transaction(() => db.update(readers).set({ feedTokenHash: hash }).where(eq(readers.id, readerId)).run(), { behavior: 'immediate' })
    },
    async remove(id) {
      return db.transaction(
        () => {
          db.delete(readerReads).where(eq(readerReads.readerId, id)).run()
          db.delete(readerMutes).where(eq(readerMutes.readerId, id)).run()
          db.delete(readerFollows).where(eq(readerFollows.readerId, id)).run()
          return db.delete(readers).where(eq(readers.id, id)).run().changes > 0
        },
        { behavior: 'immediate' },
      )
    },
    async follow(readerId, kind, target, row, max) {
      return add(readerFollows, readerId, kind, target, row, max)
    },
    async unfollow(readerId, followId) {
      return removeOne(readerFollows, readerId, followId)
    },
    async follows(readerId) {
      return listOf(readerFollows, readerId)
    },
    async mute(readerId, kind, target, row, max) {
      return add(readerMutes, readerId, kind, target, row, max)
    },
    async unmute(readerId, muteId) {
      return removeOne(readerMutes, readerId, muteId)
    },
    async mutes(readerId) {
      return listOf(readerMutes, readerId)
    },
    async markRead(readerId, articleIds, at) {
      db.transaction(
        () => {
          const known = new Set(db.select({ id: articles.id }).from(articles).where(inArray(articles.id, articleIds)).all().map((r) => r.id))
          const missing = articleIds.find((id) => !known.has(id))
          if (missing !== undefined) throw new NotFoundError('article', missing)
          db.insert(readerReads).values(articleIds.map((articleId) => ({ readerId, articleId, readAt: at }))).onConflictDoNothing().run()
        },
        { behavior: 'immediate' },
      )
    },
    async unmarkRead(readerId, articleId) {
      return db.transaction(() => db.delete(readerReads).where(and(eq(readerReads.readerId, readerId), eq(readerReads.articleId, articleId))).run().changes > 0, {
        behavior: 'immediate',
      })
    },
    async feed(q) {
      // Which follow each target stands for (a section also stands for its subsections: several follows may share one).
      const targets = { topic: new Map<string, string[]>(), contributor: new Map<string, string[]>(), section: new Map<string, string[]>() }
      const put = (kind: FollowKind, target: string, followId: string) => targets[kind].set(target, [...(targets[kind].get(target) ?? []), followId])
      for (const f of followsOf.all({ reader: q.readerId })) {
        if (f.topicId) put('topic', f.topicId, f.id)
        else if (f.contributorId) put('contributor', f.contributorId, f.id)
        else if (f.sectionId) for (const s of subtree.all({ id: f.sectionId })) put('section', s.id, f.id)
      }
      const params = feedParams(q)
      const found = new Map<string, { listedAt: string; matched: Set<string> }>()
      // Once `limit` articles are found, a later target only matters for articles listed at or after the
      // limit-th newest so far: each further statement starts there, so most of them read an index entry or two.
      const newest: string[] = []
      for (const kind of ['topic', 'contributor', 'section'] as const) {
        for (const [target, followIds] of targets[kind]) {
          const floor = newest.length >= q.limit ? new Date(Date.parse(newest[q.limit - 1]!) - 1).toISOString() : ''
          for (const row of perTarget[kind].all({ ...params, since: floor > params.since ? floor : params.since, target })) {
            if (!found.has(row.articleId)) keepNewest(newest, row.listedAt, q.limit)
            const entry = found.get(row.articleId) ?? { listedAt: row.listedAt, matched: new Set<string>() }
            for (const id of followIds) entry.matched.add(id)
            found.set(row.articleId, entry)
          }
        }
      }
      const page = [...found.entries()].sort(([a, x], [b, y]) => (x.listedAt === y.listedAt ? (a < b ? 1 : -1) : x.listedAt < y.listedAt ? 1 : -1)).slice(0, q.limit)
      if (page.length === 0) return []
      const rows = new Map(renderingsOf.all({ ids: JSON.stringify(page.map(([id]) => id)) }).map((r) => [r.articleId, r]))
      return page.flatMap(([id, entry]) => {
        const row = rows.get(id)
        return row ? [{ ...row, listedAt: entry.listedAt, matched: [...entry.matched] }] : []
      })
    },
    async popularTopics(readerId, limit) {
      // Every topic, by its followers (an index count each), without those the reader already follows or mutes.
      const followers = sql<number>`(select count(*) from ${readerFollows} where ${readerFollows.topicId} = ${topics.id})`
      const mine = (table: typeof readerFollows | typeof readerMutes) =>
        sql`${topics.id} not in (select ${table.topicId} from ${table} where ${table.readerId} = ${readerId} and ${table.topicId} is not null)`
      return db
        .select({ id: topics.id, slug: topics.slug, name: topics.name, followers })
        .from(topics)
        .where(and(mine(readerFollows), mine(readerMutes)))
        .orderBy(desc(followers), asc(topics.slug))
        .limit(limit)
        .all()
    },
    async explainFeed(kind, q) {
      const plan = client.prepare(`EXPLAIN QUERY PLAN ${FEED_STATEMENTS[kind]}`).all({ ...feedParams(q), target: '' }) as { detail: string }[]
      return plan.map((r) => r.detail)
    },
  }
}

/** Keeps `newest` the `limit` latest times seen, latest first. */
function keepNewest(newest: string[], at: string, limit: number): void {
  if (newest.length >= limit && at <= newest[limit - 1]!) return
  let i = newest.length
  while (i > 0 && newest[i - 1]! < at) i--
  newest.splice(i, 0, at)
  if (newest.length > limit) newest.pop()
}

/** The page's bounds: listed at or before the earlier of `asOf` and the cursor, and before the cursor's id at its time. */
export function pageBounds(q: FeedQuery): { upTo: string; beforeId: string } {
  const upTo = [q.asOf, q.before?.listedAt].filter((v): v is string => v !== null && v !== undefined).sort()[0] ?? '9999'
  return { upTo, beforeId: q.before && q.before.listedAt === upTo ? q.before.id : '~' }
}

const feedParams = (q: FeedQuery) => ({ now: q.now, reader: q.readerId, unread: q.unread ? 1 : 0, since: q.since ?? '', ...pageBounds(q), limit: q.limit })

function targetOf(row: { topicId: string | null; contributorId: string | null; sectionId?: string | null }): string {
  return (row.topicId ?? row.contributorId ?? row.sectionId)!
}

