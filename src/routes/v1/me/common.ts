import type { FastifyRequest } from 'fastify'
import { isReader } from '../../../services/actor.js'
import { UnauthorizedError } from '../../../errors.js'

export const tags = ['myNEWS']
/** Every /v1/me operation: a reader token (src/plugins/auth.ts), documented under the reader security scheme. */
export const readerConfig = { scope: 'reader' } as const
/** A reader operation's problems: 401 without a reader token, 403 for an API key. */
export const READER_ERRORS = [400, 401, 403]

/** The reader the request is from (the auth hook let only readers reach these routes). */
export function readerOf(request: FastifyRequest): string {
  if (!isReader(request.actor)) throw new UnauthorizedError('This operation needs a reader token (myNEWS): send Authorization: Bearer rd_...')
  return request.actor.readerId
}
