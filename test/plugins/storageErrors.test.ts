import t from 'tap'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { minimalArticle, testApp, testEngine } from '../helpers.js'
import { DatabaseBusyError, InsufficientStorageError } from '../../src/errors.js'
import { databaseErrorOf } from '../../src/db/sqlite/errors.js'

const PROBLEM_JSON = 'application/problem+json; charset=utf-8'
/** An article of some 20 kB, so that a few of them fill the free pages. */
const bulky = (headline: string) => ({
  ...minimalArticle(headline),
  summary: 'x'.repeat(1900),
  body: Array.from({ length: 12 }, (_, i) => ({ type: 'paragraph', html: `Paragraph ${i} ${'words and more words '.repeat(80)}` })),
})

t.test('database error codes map to 503 database-busy, 507 insufficient-storage, or nothing', async (t) => {
  for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_TIMEOUT', 'SQLITE_LOCKED', 'SQLITE_LOCKED_SHAREDCACHE']) {
    t.type(databaseErrorOf(code), DatabaseBusyError, code)
  }
  t.type(databaseErrorOf('SQLITE_FULL'), InsufficientStorageError)
  for (const code of ['SQLITE_IOERR_WRITE', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_BUSYNESS', 'ENOSPC', undefined, 5]) t.equal(databaseErrorOf(code), undefined, String(code))
})

t.test('POST /v1/articles answers 507 problem+json when the database is full; reads and /healthz keep working; writes resume with room', async (t) => {
  if (testEngine !== 'sqlite') {
    // SQLite's max_page_count stands in for a full disk; PostgreSQL's disk-full SQLSTATE (53100) maps to the same 507 in test/db/pg/errors.test.ts.
    t.comment(`SQLite only (TEST_ENGINE=${testEngine})`)
    return
  }
  const h = await testApp(t)
  const json = { ...h.as.write, 'content-type': 'application/json' }
  const before = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: json, payload: minimalArticle('Stored before the disk filled') })
  t.equal(before.statusCode, 201)
  const sqlite = h.data.sqlite!
  const pages = sqlite.pragma('page_count', { simple: true }) as number
  sqlite.pragma(`max_page_count = ${pages}`)

  // Several writes: a page or two may still be free when the limit is set.
  let full: Awaited<ReturnType<typeof h.app.inject>> | undefined
  for (let i = 0; i < 20 && full === undefined; i++) {
    const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: json, payload: bulky(`Filler ${i}`) })
    if (res.statusCode !== 201) full = res
  }
  t.ok(full, 'a write failed once the pages ran out')
  t.equal(full!.statusCode, 507)
  t.equal(full!.headers['content-type'], PROBLEM_JSON)
  const problem = full!.json()
  t.equal(problem.type, '/problems/insufficient-storage')
  t.equal(problem.status, 507)
  t.notMatch(full!.body, /insert|select|sqlite|SQLITE/i, 'no SQL or driver text reaches the client')

  const patch = await h.app.inject({
    method: 'PATCH',
    url: `/v1/articles/${before.json().id}`,
    headers: { ...json, 'if-match': String(before.json().version) },
    payload: { summary: 'y'.repeat(1900), body: bulky('').body },
  })
  t.equal(patch.statusCode, 507, 'an edit too')
  t.equal((await h.app.inject({ url: '/healthz' })).statusCode, 200)
  const read = await h.app.inject({ url: `/v1/articles/${before.json().id}`, headers: h.as.write })
  t.equal(read.statusCode, 200, 'an authenticated read still works')
  t.equal(read.json().version, 1, 'the refused edit changed nothing')

  sqlite.pragma('max_page_count = 1073741823')
  const after = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: json, payload: minimalArticle('Stored once there was room again') })
  t.equal(after.statusCode, 201)
})

t.test('POST /v1/articles answers 503 database-busy with Retry-After while another connection holds the write lock', async (t) => {
  const file = join(t.testdir(), 'newsdesk.db')
  const h = await testApp(t, { databasePath: file, dbBusyTimeoutMs: 20 })
  const json = { ...h.as.write, 'content-type': 'application/json' }
  const created = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: json, payload: minimalArticle() })
  t.equal(created.statusCode, 201)

  // A new key's first use records it (a write): that bookkeeping must not fail a read while the lock is held.
  const fresh = { authorization: `Bearer ${(await h.services.apiKeys.create('fresh', 'read')).key}` }
  const other = new Database(file)
  t.teardown(() => other.close())
  other.exec('BEGIN IMMEDIATE')
  const busy = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: json, payload: minimalArticle('Waits for the lock') })
  t.equal(busy.statusCode, 503)
  t.equal(busy.headers['retry-after'], '1')
  t.equal(busy.headers['content-type'], PROBLEM_JSON)
  t.equal(busy.json().type, '/problems/database-busy')
  t.notMatch(busy.body, /insert|sqlite|SQLITE/i)
  const read = await h.app.inject({ url: `/v1/articles/${created.json().id}`, headers: h.as.write })
  t.equal(read.statusCode, 200, 'reads go on (WAL)')
  t.equal((await h.app.inject({ url: '/v1/articles', headers: fresh })).statusCode, 200, "a key's first read does not wait for its bookkeeping")
  t.equal((await h.app.inject({ url: '/healthz' })).statusCode, 200)

  other.exec('COMMIT')
  const after = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: json, payload: minimalArticle('Once the lock is free') })
  t.equal(after.statusCode, 201)
})
