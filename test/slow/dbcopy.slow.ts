import t from 'tap'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { writeArchive } from '../../bench/generate.js'
import { copyBetween, copyDatabase, locate, sessionSide, sqliteSide, type CopyResult } from '../../src/db/copy.js'
import { runArchiveCli } from '../../src/cli/archive.js'
import { pgliteTarget, serverTarget } from '../pg.js'
import { checkDatabase } from './lib.js'

/**
 * db:copy at archive scale: 10,000 generated articles (with sections, topics,
 * credits, photos and revisions) imported into SQLite, copied to PostgreSQL (the
 * server when there is one, else PGlite) and back; every table's count and
 * checksum agree both ways, and the copy back passes SQLite's checks.
 */
const ARTICLES = 10_000

t.test(`db:copy round-trips a ${ARTICLES.toLocaleString('en-GB')}-article archive between SQLite and PostgreSQL`, async (t) => {
  const dir = t.testdir()
  const archive = join(dir, 'archive.ndjson')
  const original = join(dir, 'newsdesk.db')
  await writeArchive(archive, ARTICLES)
  const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() })
  const code = await runArchiveCli(['import', archive], { stdin: process.stdin, stdout: sink(), stderr: sink(), env: { DATABASE_PATH: original } })
  t.equal(code, 0, 'imported')

  const server = await serverTarget(t)
  const back = join(dir, 'back.db')
  let engine: string
  let there: CopyResult
  let returned: CopyResult
  if ('skip' in server) {
    // PGlite is one session: both copies run on it.
    const pglite = await pgliteTarget(t)
    const side = () => sessionSide({ db: pglite.db, query: (text) => pglite.query(text), close: async () => {} })
    engine = `PGlite (${server.skip})`
    there = await copyBetween(sqliteSide(original, false), side())
    returned = await copyBetween(side(), sqliteSide(back, true))
  } else {
    engine = 'a PostgreSQL server'
    there = await copyDatabase(locate(original), locate(server.url))
    returned = await copyDatabase(locate(server.url), locate(back))
  }
  t.comment(`PostgreSQL: ${engine}`)
  t.equal(there.tables.find((x) => x.table === 'articles')!.rows, ARTICLES)
  t.same(returned.tables, there.tables, 'the same counts and checksums both ways')
  const rows = there.tables.reduce((sum, x) => sum + x.rows, 0)
  t.comment(`${rows.toLocaleString('en-GB')} rows: SQLite -> PostgreSQL in ${(there.milliseconds / 1000).toFixed(1)} s, back in ${(returned.milliseconds / 1000).toFixed(1)} s`)
  const checked = checkDatabase(back)
  t.equal(checked.integrity, 'ok')
  t.equal(checked.search, 'ok')
  t.equal(checked.articles, ARTICLES)
})
