import fp from 'fastify-plugin'
import { createHash, timingSafeEqual } from 'node:crypto'
import { ForbiddenError, UnauthorizedError } from '../errors.js'
import { anonymous, hasScope } from '../services/actor.js'
import type { ApiKeyService } from '../services/apiKeys.js'

export interface AuthOptions {
  apiKeys: ApiKeyService
  anonymousReads: boolean
}

/**
 * `Authorization: Bearer <key>` identifies the caller. Each route names the
 * scope it needs (read by default); anonymous callers may read when the
 * deployment allows it. Checked before the body is read.
 */
const digest = (s: string) => createHash('sha256').update(s).digest()
/** Compares secrets in constant time (their hashes have one length). */
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b))

export default fp<AuthOptions>(
  async (app, { apiKeys, anonymousReads }) => {
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
        const actor = match ? await apiKeys.authenticate(match[1]!) : null
        if (!actor) throw new UnauthorizedError('The API key is not valid (unknown, revoked or malformed Authorization header).')
        request.actor = actor
      }
      if (needed === 'none') return
      if (request.actor.scope === null) {
        if (needed === 'read' && anonymousReads) return
        throw new UnauthorizedError()
      }
      if (!hasScope(request.actor, needed)) throw new ForbiddenError(needed, request.actor.scope)
    })
  },
  { name: 'auth' },
)
