import fp from 'fastify-plugin'
import { createHash } from 'node:crypto'
import type { IdempotencyService } from '../services/idempotency.js'
import { IdempotencyInProgressError, IdempotencyMismatchError, IdempotencyUnansweredError } from '../errors.js'

const REPLAYED_HEADERS = ['content-type', 'location', 'etag', 'last-modified']

/**
 * `Idempotency-Key` on a POST: the first request claims the key (per API key);
 * a retry with the same body gets the first answer again, a reuse with a
 * different body a 422. Claims are rows in the database, so they hold across
 * processes. A 5xx releases the key so the client may retry; a claim whose
 * process died before answering expires (config idempotencyClaimTimeoutMs),
 * unless its write was committed (the write marks the claim in its own commit):
 * then a retry gets 409 idempotency-key-unanswered and nothing runs twice.
 */
export default fp<{ service: IdempotencyService }>(
  async (app, { service: repo }) => {
    app.decorateRequest('idempotency', null)

    app.addHook('preHandler', async (request, reply) => {
      const key = request.headers['idempotency-key']
      if (!request.routeOptions.config.idempotent || typeof key !== 'string' || request.actor.keyId === null) return
      const requestHash = createHash('sha256')
        .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
        .digest('hex')
      const claim = await repo.claim({
        apiKeyId: request.actor.keyId,
        key,
        method: request.method,
        path: request.url,
        requestHash,
      })
      if (claim.state === 'mismatch') throw new IdempotencyMismatchError()
      if (claim.state === 'in-progress') throw new IdempotencyInProgressError()
      if (claim.state === 'unanswered') throw new IdempotencyUnansweredError()
      if (claim.state === 'replay') {
        return reply.code(claim.statusCode).headers(claim.headers).header('idempotent-replayed', 'true').send(claim.body)
      }
      request.idempotency = { apiKeyId: request.actor.keyId, key }
    })

    // The rest of the request (the handler) runs as the holder of the claim, so that its write marks the claim in
    // the same commit (see IdempotencyService.within). A callback hook: `done` runs the handler inside the scope.
    app.addHook('preHandler', (request, _reply, done) => {
      const claim = request.idempotency
      if (claim) repo.within({ apiKeyId: claim.apiKeyId, key: claim.key }, done)
      else done()
    })

    app.addHook('onSend', async (request, reply, payload) => {
      const claim = request.idempotency
      if (!claim || reply.getHeader('idempotent-replayed')) return payload
      request.idempotency = null
      if (reply.statusCode >= 500 || typeof payload !== 'string') {
        // When the release itself fails (the database still busy or full), the claim expires after claimTimeoutMs instead.
        await repo.release(claim.apiKeyId, claim.key).catch((err: unknown) => request.log.warn({ err }, 'could not release an Idempotency-Key; its claim will expire'))
        return payload
      }
      const headers: Record<string, string> = {}
      for (const name of REPLAYED_HEADERS) {
        const value = reply.getHeader(name)
        if (value !== undefined) headers[name] = String(value)
      }
      const answer = { statusCode: reply.statusCode, body: payload, headers }
      const record = request.routeOptions.config.idempotencyRecord
      const stored = record ? record(answer) : answer
      // The write is done: its answer goes out even when storing it fails (busy or full database). The claim
      // then expires after claimTimeoutMs, and a retry after that would run the request again.
      await repo.complete(claim.apiKeyId, claim.key, stored.statusCode, stored.body, stored.headers).catch((err: unknown) => request.log.warn({ err }, 'could not store the answer of an Idempotency-Key'))
      return payload
    })
  },
  { name: 'idempotency', dependencies: ['auth'] },
)
