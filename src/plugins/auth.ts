import fp from 'fastify-plugin'
import { createHash, timingSafeEqual } from 'node:crypto'
import { DomainError, ForbiddenError, UnauthorizedError } from '../errors.js'
import { anonymous, hasScope, isReader, readerActor } from '../services/actor.js'
import type { ApiKeyService } from '../services/apiKeys.js'
import { READER_TOKEN_PREFIX } from '../services/readers.js'

export interface AuthOptions {
  apiKeys: ApiKeyService
  /** Finds the reader a reader token (rd_...) belongs to. */
  readers: { authenticate(token: string): Promise<string | null> }
  anonymousReads: boolean
}

/**
 * `Authorization: Bearer <key>` identifies the caller: an API key, or a
 * myNEWS reader token (told apart by its `rd_` prefix). Each route names the
 * scope it needs (read by default); anonymous callers may read when the
 * deployment allows it. A reader token opens only the routes that ask for a
 * reader (/v1/me/...), and those take nothing else: an API key never acts as
 * a reader. Checked before the body is read.
 */
const digest = (s: string) => createHash('sha256').update(s).digest()
/** Compares secrets in constant time (their hashes have one length). */
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b))

export default fp<AuthOptions>(
  async (app, { apiKeys, readers, anonymousReads }) => {
    app.decorateRequest('actor', null as never)
    app.addHook('onRequest', async (request) => {
      request.actor = anonymous
      // Unknown routes answer 404 to everyone; the docs pages are public.
      const docs = request.routeOptions.url?.startsWith('/docs') ?? false
      const needed = request.is404 || docs ? 'none' : (request.routeOptions.config.scope ?? 'read')
      const header = request.headers.authorization
      if (header !== undefined) {
        const match = /^Bearer[ ]+(\S{1,300})$/i.exec(header)
        const token = request.routeOptions.config.bearerToken
        // A route's own token (the metrics scraper's) opens that route and nothing else.
        if (match && token && sameSecret(match[1]!, token)) return
        if (match && match[1]!.startsWith(READER_TOKEN_PREFIX)) {
          const readerId = await readers.authenticate(match[1]!)
          if (!readerId) throw new UnauthorizedError('The reader token is not valid (unknown, or its reader was deleted).')
          request.actor = readerActor(readerId)
        } else {
          const actor = match ? await apiKeys.authenticate(match[1]!) : null
          if (!actor) throw new UnauthorizedError('The API key is not valid (unknown, revoked or malformed Authorization header).')
          request.actor = actor
        }
      }
      if (needed === 'none') return
      if (needed === 'reader') {
        if (isReader(request.actor)) return
        if (request.actor.scope === null) throw new UnauthorizedError('This operation needs a reader token (myNEWS): send Authorization: Bearer rd_...')
        throw new DomainError('forbidden', 'This operation is for a reader (myNEWS) and needs a reader token: an API key never acts as a reader.')
      }
      if (isReader(request.actor)) throw new DomainError('forbidden', 'A reader token opens only the /v1/me/ operations.')
      if (request.actor.scope === null) {
        if (needed === 'read' && anonymousReads && !request.routeOptions.config.keyRequired) return
        throw new UnauthorizedError()
      }
      if (!hasScope(request.actor, needed)) throw new ForbiddenError(needed, request.actor.scope)
    })
  },
  { name: 'auth' },
)
