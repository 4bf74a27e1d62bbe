import fp from 'fastify-plugin'
import { createHash } from 'node:crypto'
import { etagFor } from '../mappers/etag.js'
import { canSeeUnpublished, isReader } from '../services/actor.js'

const hash = (payload: string | Buffer) => createHash('sha256').update(payload).digest('hex')

/** Does an If-None-Match list match this tag? (weak comparison, as RFC 9110 asks for GET) */
export function noneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true
  const bare = etag.replace(/^W\//, '')
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare)
}

/** Is the resource's Last-Modified at or before If-Modified-Since? (second precision, as HTTP dates have) */
function notModifiedSince(ifModifiedSince: string | undefined, lastModified: unknown): boolean {
  if (ifModifiedSince === undefined || typeof lastModified !== 'string') return false
  const since = Date.parse(ifModifiedSince)
  return !Number.isNaN(since) && Date.parse(lastModified) <= since
}

/**
 * HTTP caching for reads: a strong ETag on every successful GET (for a
 * versioned resource "<version>-<hash>", otherwise a hash of the body),
 * Last-Modified, Cache-Control by audience, and 304 for If-None-Match.
 * Writes that return a resource get its ETag too, ready for If-Match.
 */
export default fp(
  async (app) => {
    app.decorateReply('resourceVersion', null)
    app.decorateReply('lastModified', null)

    app.addHook('onSend', async (request, reply, payload) => {
      if (reply.statusCode < 200 || reply.statusCode >= 300) return payload
      if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload
      const resource = reply.resourceVersion
      if (resource) {
        reply.header('etag', etagFor(resource.version, hash(payload).slice(0, 16)))
        reply.header('last-modified', new Date(resource.modifiedAt).toUTCString())
      }
      if (reply.lastModified) reply.header('last-modified', new Date(reply.lastModified).toUTCString())
      if (request.method !== 'GET' && request.method !== 'HEAD') return payload
      if (!reply.hasHeader('etag')) reply.header('etag', `"${hash(payload).slice(0, 27)}"`)
      if (!reply.hasHeader('cache-control')) {
        reply.header(
          'cache-control',
          // A reader's answers are theirs alone (revalidated with the ETag); write keys may see drafts.
          isReader(request.actor) ? 'private, no-cache' : canSeeUnpublished(request.actor) ? 'private, no-store' : 'public, max-age=60, stale-while-revalidate=300',
        )
      }
      // A route that negotiates its representation has said `Vary: Accept` already; it is kept.
      const own = String(reply.getHeader('vary') ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '' && !/^(authorization|accept-encoding)$/i.test(v))
      reply.header('vary', ['Authorization', ...own, 'Accept-Encoding'].join(', '))
      const ifNoneMatch = request.headers['if-none-match']
      // If-None-Match wins; If-Modified-Since is used only without it (RFC 9110 13.1.3).
      const unchanged =
        ifNoneMatch !== undefined ? noneMatch(ifNoneMatch, String(reply.getHeader('etag'))) : notModifiedSince(request.headers['if-modified-since'], reply.getHeader('last-modified'))
      if (unchanged) {
        reply.code(304)
        reply.removeHeader('content-length')
        reply.removeHeader('content-type')
        // No payload at all: Fastify then adds no Content-Length (for '' it would send 0, which a 304 must not say).
        return null
      }
      return payload
    })
  },
  { name: 'caching', dependencies: ['auth'] },
)
