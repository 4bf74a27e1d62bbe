import { ValidationError } from '../errors.js'

interface ArticleCursor {
  listedAt: string
  id: string
}

function isArticleCursor(v: unknown): v is ArticleCursor {
  return typeof v === 'object' && v !== null && typeof (v as ArticleCursor).listedAt === 'string' && typeof (v as ArticleCursor).id === 'string'
}

/** Opaque cursors: base64url JSON of the last item's sort key. */
export function encodeArticleCursor(row: ArticleCursor): string {
  return Buffer.from(JSON.stringify({ listedAt: row.listedAt, id: row.id })).toString('base64url')
}

export function decodeArticleCursor(cursor: string): ArticleCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (isArticleCursor(value)) return value
  } catch {
    // fall through
  }
  throw new ValidationError('The cursor is not one this API gave out.', [{ path: '/cursor', message: 'invalid cursor' }])
}

export function encodeIdCursor(id: string): string {
  return Buffer.from(JSON.stringify({ id })).toString('base64url')
}

export function decodeIdCursor(cursor: string): string {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string') return (value as { id: string }).id
  } catch {
    // fall through
  }
  throw new ValidationError('The cursor is not one this API gave out.', [{ path: '/cursor', message: 'invalid cursor' }])
}
