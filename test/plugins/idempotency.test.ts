import t from 'tap'
import { manualClock, minimalArticle, testApp } from '../helpers.js'

/* Issue 11, defect 4: a claim left by a process that died expires; old keys are purged on a schedule. */

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

t.test('a claim never completed (its process was killed) answers 409 until it expires, then the key can be used again', async (t) => {
  const clock = manualClock()
  const h = await testApp(t, { idempotencyClaimTimeoutMs: MINUTE }, clock)
  const post = () => h.app.inject({ method: 'POST', url: '/v1/articles', headers: { ...h.as.write, 'idempotency-key': 'retry-1' }, payload: minimalArticle() })
  t.equal((await post()).statusCode, 201)
  // What a process killed between claim and completion leaves: the claim without an answer.
  await h.sql('update idempotency_keys set status_code = null, response_body = null')
  const stuck = await post()
  t.equal(stuck.statusCode, 409)
  t.equal(stuck.json().type, '/problems/idempotency-key-in-progress')
  clock.advance(MINUTE - 1000)
  t.equal((await post()).statusCode, 409, 'still within the claim timeout')
  clock.advance(2000)
  const retried = await post()
  t.equal(retried.statusCode, 201, 'the stale claim has expired: the request runs')
  const replay = await post()
  t.equal(replay.statusCode, 201)
  t.equal(replay.headers['idempotent-replayed'], 'true', 'and its answer is kept as usual')
  t.equal(replay.json().id, retried.json().id)
})

t.test('a process killed after its write committed but before the answer was stored: a retry never runs the create again', async (t) => {
  const clock = manualClock()
  const h = await testApp(t, { idempotencyClaimTimeoutMs: MINUTE }, clock)
  const post = () => h.app.inject({ method: 'POST', url: '/v1/articles', headers: { ...h.as.write, 'idempotency-key': 'cut-off' }, payload: minimalArticle('Cut off before its answer') })
  // What the kill leaves: the answer is never stored (storing it fails here); the write's own commit marked the claim.
  const complete = h.services.idempotency.complete
  h.services.idempotency.complete = async () => {
    throw new Error('killed')
  }
  const first = await post()
  h.services.idempotency.complete = complete
  t.equal(first.statusCode, 201, 'the write is done, so its answer goes out')
  const [row] = await h.sql("select status_code, response_body from idempotency_keys where key = 'cut-off'")
  t.same(row, { status_code: 0, response_body: null }, 'the claim is marked as carried out, without an answer')
  t.equal((await post()).json().type, '/problems/idempotency-key-in-progress', 'within the claim timeout: in progress')
  clock.advance(MINUTE + 1000)
  const retried = await post()
  t.equal(retried.statusCode, 409)
  t.equal(retried.json().type, '/problems/idempotency-key-unanswered', 'after it: not run again, and not stuck')
  const [count] = await h.sql<{ n: number }>("select cast(count(*) as integer) as n from articles where headline = 'Cut off before its answer'")
  t.equal(count!.n, 1, 'one article')
  const other = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: { ...h.as.write, 'idempotency-key': 'not-cut-off' }, payload: minimalArticle('Answered') })
  t.equal(other.statusCode, 201)
  t.same(await h.sql("select status_code from idempotency_keys where key = 'not-cut-off'"), [{ status_code: 201 }], 'an answered claim keeps its answer')
})

t.test('keys older than the retention are purged by the app, and the purge runs on a timer', async (t) => {
  const clock = manualClock()
  const h = await testApp(t, { idempotencyRetentionMs: DAY, idempotencyPurgeIntervalMs: 0 }, clock)
  const post = (key: string) => h.app.inject({ method: 'POST', url: '/v1/articles', headers: { ...h.as.write, 'idempotency-key': key }, payload: minimalArticle() })
  await post('old')
  clock.advance(DAY - MINUTE)
  await post('recent')
  clock.advance(2 * MINUTE)
  t.equal(await h.services.idempotency.purgeExpired(), 1, 'only the key older than a day')
  const keys = await h.sql('select key from idempotency_keys')
  t.same(keys, [{ key: 'recent' }])
})

t.test('the purge timer runs by itself when configured, and stops with the app', async (t) => {
  const clock = manualClock()
  const h = await testApp(t, { idempotencyRetentionMs: DAY, idempotencyPurgeIntervalMs: 20 }, clock)
  await h.app.inject({ method: 'POST', url: '/v1/articles', headers: { ...h.as.write, 'idempotency-key': 'old' }, payload: minimalArticle() })
  clock.advance(DAY + MINUTE)
  const count = async () => (await h.sql<{ n: number }>('select cast(count(*) as integer) as n from idempotency_keys'))[0]!.n
  // Polls until the timer has purged the key, bounded far above the 20 ms it takes (not a fixed sleep).
  const deadline = Date.now() + 60_000
  while ((await count()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(await count(), 0)
})
