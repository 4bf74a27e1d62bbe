import { randomBytes } from 'node:crypto'
import { FollowLimitError, type FeedRow, type FollowKind, type FollowView, type MuteKind, type ReaderRepository, type ReaderRow } from '../db/index.js'
import { ConflictError, NotFoundError, ValidationError } from '../errors.js'
import { hashKey } from './apiKeys.js'
import { systemRuntime, type Runtime } from './clock.js'
import { decodeArticleCursor, encodeArticleCursor, DEFAULT_PAGE_SIZE } from './cursor.js'

import { MAX_FOLLOWS, MAX_MUTES, RELEVANCE_HALF_LIFE_HOURS, RELEVANCE_WINDOW } from './readerRules.js'

export { MAX_FOLLOWS, MAX_MUTES, RELEVANCE_HALF_LIFE_HOURS, RELEVANCE_WINDOW }
/** Reader tokens and private feed tokens are told apart from API keys by their prefix. */
export const READER_TOKEN_PREFIX = 'rd_'
export const FEED_TOKEN_PREFIX = 'rf_'

const secret = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`

export interface FeedRequest {
  limit?: number | undefined
  cursor?: string | undefined
  since?: string | undefined
  unread?: boolean | undefined
  order?: 'newest' | 'relevance' | undefined
}

export interface FeedItem extends FeedRow {
  /** The follows the article matched, as the reader's follow list names them. */
  reasons: FollowView[]
  /** With order=relevance: the score (see relevance). */
  score?: number
}

export interface FeedPage {
  items: FeedItem[]
  next: string | null
  /** On an empty first page: topics to follow, the most followed first. */
  suggestions?: { id: string; slug: string; name: string; followers: number }[]
}

/**
 * The relevance of a feed item: the number of the reader's follows it
 * matched, halved for every RELEVANCE_HALF_LIFE_HOURS of age at `asOf`:
 * score = matches x 2^(-ageHours / 24). Two matches a day old rank with one
 * match just published; more matches and fresher articles rank higher.
 */
export function relevance(matches: number, listedAt: string, asOf: string): number {
  const ageHours = Math.max(0, Date.parse(asOf) - Date.parse(listedAt)) / 3_600_000
  return matches * 2 ** (-ageHours / RELEVANCE_HALF_LIFE_HOURS)
}

/**
 * myNEWS: readers, their follows, mutes and read marks, and their feed.
 * Every method takes the reader's id from the authenticated actor, never from
 * the request, and every repository call is scoped by it: another reader's
 * follow or mute id is simply not found (404).
 */
export function createReaderService(repo: ReaderRepository, runtime: Runtime = systemRuntime) {
  const now = () => runtime.now().toISOString()

  async function existing(readerId: string): Promise<ReaderRow> {
    const reader = await repo.find(readerId)
    if (!reader) throw new NotFoundError('reader', readerId)
    return reader
  }

  async function added<T>(work: () => Promise<T>, max: number, what: string): Promise<T> {
    try {
      return await work()
    } catch (err) {
      if (err instanceof FollowLimitError) throw new ConflictError(`A reader has at most ${max} ${what}: remove one first.`, { limit: max })
      throw err
    }
  }

  return {
    /** A new reader and its token, shown once (only its hash is stored). */
    async create(): Promise<{ reader: ReaderRow; token: string }> {
      const token = secret(READER_TOKEN_PREFIX)
      const reader = await repo.create({ id: runtime.newId(), tokenHash: hashKey(token), createdAt: now() })
      return { reader, token }
    },
    /** The reader a token belongs to, or null. */
    authenticate: (token: string) => repo.findByTokenHash(hashKey(token)),
    get: existing,
    async remove(readerId: string): Promise<void> {
      if (!(await repo.remove(readerId))) throw new NotFoundError('reader', readerId)
    },

    follow: (readerId: string, kind: FollowKind, target: string) =>
      added(() => repo.follow(readerId, kind, target, { id: runtime.newId(), createdAt: now() }, MAX_FOLLOWS), MAX_FOLLOWS, 'follows'),
    async unfollow(readerId: string, followId: string): Promise<void> {
      if (!(await repo.unfollow(readerId, followId))) throw new NotFoundError('follow', followId)
    },
    follows: (readerId: string) => repo.follows(readerId),
    mute: (readerId: string, kind: MuteKind, target: string) =>
      added(() => repo.mute(readerId, kind, target, { id: runtime.newId(), createdAt: now() }, MAX_MUTES), MAX_MUTES, 'mutes'),
    async unmute(readerId: string, muteId: string): Promise<void> {
      if (!(await repo.unmute(readerId, muteId))) throw new NotFoundError('mute', muteId)
    },
    mutes: (readerId: string) => repo.mutes(readerId),

    markRead: (readerId: string, articleIds: string[]) => repo.markRead(readerId, [...new Set(articleIds)], now()),
    async unmarkRead(readerId: string, articleId: string): Promise<void> {
      if (!(await repo.unmarkRead(readerId, articleId))) throw new NotFoundError('read mark', articleId)
    },

    /**
     * The reader's feed. Newest first (by publication), keyset-paged on
     * (listedAt, id), so that new articles never shift a later page. With
     * order=relevance: the RELEVANCE_WINDOW newest matches as of the first
     * page, ranked by `relevance`; the cursor keeps that instant, so paging
     * stays stable while articles arrive.
     */
    async feed(readerId: string, request: FeedRequest): Promise<FeedPage> {
      const limit = request.limit ?? DEFAULT_PAGE_SIZE
      const order = request.order ?? 'newest'
      // `since` is compared as an instant: stored times are UTC ISO strings.
      const base = { readerId, now: now(), since: request.since ? new Date(request.since).toISOString() : null, unread: request.unread ?? false }
      let page: FeedPage
      if (order === 'newest') {
        const c = request.cursor ? decodeArticleCursor(request.cursor, 'feed-newest') : null
        const rows = await repo.feed({ ...base, limit: limit + 1, before: c ? { listedAt: String(c.key), id: c.id } : null, asOf: null })
        const items = rows.slice(0, limit)
        const last = items.at(-1)
        const next = rows.length > limit && last ? encodeArticleCursor({ sort: 'feed-newest', key: last.listedAt, id: last.articleId }) : null
        page = { items: await withReasons(readerId, items), next }
      } else {
        const c = request.cursor ? decodeArticleCursor(request.cursor, 'feed-relevance') : null
        const asOf = c ? c.id : base.now
        const offset = c ? Number(c.key) : 0
        if (!Number.isInteger(offset) || offset < 0 || Number.isNaN(Date.parse(asOf))) {
          throw new ValidationError('The cursor is not one this API gave out.', [{ path: '/query/cursor', message: 'is not a cursor this API gave out' }])
        }
        const rows = await repo.feed({ ...base, limit: RELEVANCE_WINDOW, before: null, asOf })
        const ranked = rows
          .map((row) => ({ ...row, score: relevance(row.matched.length, row.listedAt, asOf) }))
          .sort((a, b) => b.score - a.score || (a.listedAt === b.listedAt ? (a.articleId < b.articleId ? 1 : -1) : a.listedAt < b.listedAt ? 1 : -1))
        const items = ranked.slice(offset, offset + limit)
        const next = offset + limit < ranked.length ? encodeArticleCursor({ sort: 'feed-relevance', key: offset + limit, id: asOf }) : null
        page = { items: await withReasons(readerId, items), next }
      }
      if (page.items.length === 0 && !request.cursor) page.suggestions = await repo.popularTopics(readerId, 10)
      return page
    },

    /** A new private feed token (the previous one, if any, stops working): shown once, stored hashed. */
    async rotateFeedToken(readerId: string): Promise<string> {
      await existing(readerId)
      const token = secret(FEED_TOKEN_PREFIX)
      await repo.setFeedToken(readerId, hashKey(token))
      return token
    },
    async revokeFeedToken(readerId: string): Promise<void> {
      await repo.setFeedToken(readerId, null)
    },
    /** The reader of a private feed token; NotFoundError (404, so tokens can't be told from nothing) otherwise. */
    async readerOfFeedToken(token: string): Promise<string> {
      const readerId = token.startsWith(FEED_TOKEN_PREFIX) ? await repo.findByFeedTokenHash(hashKey(token)) : null
      if (!readerId) throw new NotFoundError('feed', `${token.slice(0, 6)}...`)
      return readerId
    },
  }

  async function withReasons<T extends FeedRow>(readerId: string, rows: T[]): Promise<(T & { reasons: FollowView[] })[]> {
    if (rows.length === 0) return []
    const follows = new Map((await repo.follows(readerId)).map((f) => [f.id, f]))
    return rows.map((row) => ({ ...row, reasons: row.matched.flatMap((id) => follows.get(id) ?? []) }))
  }
}

export type ReaderService = ReturnType<typeof createReaderService>
