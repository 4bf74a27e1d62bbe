import { ValidationError } from '../errors.js'

/** Where a page of articles ended, under which sort. */
export interface ArticleCursor {
  sort: string
  key: string | number
  id: string
}

function isArticleCursor(v: unknown): v is ArticleCursor {
  const c = v as ArticleCursor
  return typeof v === 'object' && v !== null && typeof c.sort === 'string' && typeof c.id === 'string' && (typeof c.key === 'string' || typeof c.key === 'number')
}

/** Opaque cursors: base64url JSON of the last item's sort key. */
export function encodeArticleCursor(cursor: ArticleCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url')
}

/** `param` is the query parameter the client sent the cursor in, so that the error names it. */
export function decodeArticleCursor(cursor: string, sort: string, param = 'cursor'): ArticleCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (isArticleCursor(value) && value.sort === sort) return value
  } catch {
    // fall through
  }
  throw new ValidationError('The cursor is not one this API gave out for this sort.', [{ path: `/query/${param}`, message: 'is not a cursor this API gave out' }])
}

export function encodeIdCursor(id: string): string {
  return Buffer.from(JSON.stringify({ id })).toString('base64url')
}

export function decodeIdCursor(cursor: string, param = 'cursor'): string {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string') return (value as { id: string }).id
  } catch {
    // fall through
  }
  throw new ValidationError(`The ${param} value is not a cursor this API gave out: pass the \`next\` of an earlier answer.`, [{ path: `/query/${param}`, message: 'is not a cursor this API gave out' }])
}

/** A page request as clients send it; the schema's default fills `limit` at run time. */
export interface PageRequest {
  limit?: number | undefined
  cursor?: string | undefined
}
export const DEFAULT_PAGE_SIZE = 20

/** The value of the sort key for the cursor after this row. */
export function sortKeyOf(sort: string, row: { listedAt: string; updatedAt: string }, rank: number | undefined): string | number {
  return sort === 'updated' ? row.updatedAt : sort === 'relevance' ? (rank ?? 0) : row.listedAt
}
