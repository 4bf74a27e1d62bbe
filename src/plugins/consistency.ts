import fp from 'fastify-plugin'
import type { ReadRouting } from '../db/index.js'
import { ValidationError } from '../errors.js'

/** The header that carries a consistency token: in a write's answer, and back in the client's next reads. */
export const CONSISTENCY_TOKEN = 'consistency-token'
/** What a token looks like (it is opaque to clients: they send back what they were given). */
export const CONSISTENCY_TOKEN_PATTERN = '^[0-9A-Za-z/._:-]{1,64}$'
const TOKEN = new RegExp(CONSISTENCY_TOKEN_PATTERN)

const SAFE = new Set(['GET', 'HEAD'])

/**
 * Reads your writes when reads go to a replica (DATABASE_REPLICA_URL).
 *  - A write that succeeds answers with `Consistency-Token`: the primary's
 *    position after its commit.
 *  - A GET or HEAD runs as a read-only request (ReadRouting.reading): its reads
 *    go to the replica, or to the primary when it carries a token the replica
 *    has not caught up with yet.
 * Without a replica (and on SQLite) no token is given, and one sent is
 * accepted and changes nothing. A malformed one is a 400 everywhere (under
 * /v1, the API's routes; health, metrics and docs ignore the header).
 */
export default fp<{ reads: ReadRouting }>(
  async (app, { reads }) => {
    app.addHook('onRequest', async (request) => {
      const token = request.headers[CONSISTENCY_TOKEN]
      if (token !== undefined && request.url.startsWith('/v1/') && (typeof token !== 'string' || !TOKEN.test(token))) {
        throw new ValidationError('Consistency-Token must be a token from a write\'s answer, sent back unchanged.', [
          { path: `/headers/${CONSISTENCY_TOKEN}`, message: `must match ${CONSISTENCY_TOKEN_PATTERN}` },
        ])
      }
    })
    if (!reads.replicated) return

    // A callback hook: `done` runs the rest of the request (its handler) inside the read scope.
    app.addHook('preHandler', (request, _reply, done) => {
      if (!SAFE.has(request.method)) return done()
      const token = request.headers[CONSISTENCY_TOKEN]
      reads.reading(typeof token === 'string' ? token : undefined, done)
    })

    app.addHook('onSend', async (request, reply, payload) => {
      if (SAFE.has(request.method) || reply.statusCode < 200 || reply.statusCode >= 300 || reply.hasHeader(CONSISTENCY_TOKEN)) return payload
      try {
        const token = await reads.token()
        if (token !== undefined) reply.header(CONSISTENCY_TOKEN, token)
      } catch (err) {
        // The write has committed: its answer goes out without a token (the client's next read may then be stale).
        request.log.warn({ err }, 'could not read the primary\'s position for a Consistency-Token')
      }
      return payload
    })
  },
  { name: 'consistency' },
)
