import type { ArticleFields, ArticleRow } from '../db/index.js'
import { ConflictError, ValidationError } from '../errors.js'
import { isInstant, toInstant } from './time.js'

export type WorkflowAction = 'publish' | 'unpublish' | 'schedule' | 'archive' | 'restore'
type Status = ArticleRow['status']

/**
 * The editorial workflow: draft -> scheduled -> published -> archived.
 * Which actions each status allows; anything else is a ConflictError that says so.
 */
const ALLOWED: Record<WorkflowAction, Status[]> = {
  publish: ['draft', 'scheduled', 'published'],
  unpublish: ['published', 'scheduled'],
  schedule: ['draft', 'scheduled'],
  archive: ['draft', 'scheduled', 'published'],
  restore: ['archived'],
}

/** The fields an action sets on an article, given its current row and the time. */
export function transition(action: WorkflowAction, row: ArticleRow, now: string, scheduleAt?: string): Partial<ArticleFields> {
  if (!ALLOWED[action].includes(row.status)) {
    throw new ConflictError(`An article that is ${row.status} cannot be ${action === 'restore' ? 'restored' : `${action}ed`}; allowed from: ${ALLOWED[action].join(', ')}.`)
  }
  switch (action) {
    case 'publish':
      // firstPublishedAt is set once and never changes; publishedAt moves with every publish.
      return { status: 'published', publishedAt: now, firstPublishedAt: row.firstPublishedAt ?? now, listedAt: now, scheduledAt: null, updatedAt: now }
    case 'schedule': {
      if (scheduleAt === undefined || !isInstant(scheduleAt)) throw new ValidationError('A schedule needs a real time.', [{ path: '/at', message: 'must be a date-time' }])
      const at = toInstant(scheduleAt)
      if (at <= now) throw new ValidationError('A schedule must be in the future.', [{ path: '/at', message: `must be after ${now}` }])
      return { status: 'scheduled', scheduledAt: at, updatedAt: now }
    }
    case 'unpublish':
      return { status: 'draft', scheduledAt: null, updatedAt: now }
    case 'archive':
      return { status: 'archived', scheduledAt: null, updatedAt: now }
    case 'restore':
      return { status: 'draft', updatedAt: now }
  }
}
