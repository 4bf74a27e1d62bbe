import t from 'tap'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { migrationsFolder, openDatabase } from '../../../src/db/sqlite/client.js'

t.test('openDatabase sets WAL, synchronous=FULL, foreign keys and a busy timeout, and migrates', async (t) => {
  const dir = t.testdir()
  const handle = openDatabase(join(dir, 'nested', 'newsdesk.db'))
  t.teardown(() => handle.close())
  t.equal(handle.sqlite.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(handle.sqlite.pragma('synchronous', { simple: true }), 2)
  t.equal(handle.sqlite.pragma('foreign_keys', { simple: true }), 1)
  t.equal(handle.sqlite.pragma('busy_timeout', { simple: true }), 2000)
  const tables = handle.sqlite.prepare("select name from sqlite_master where type='table'").all().map((r) => (r as { name: string }).name)
  for (const name of ['articles', 'article_revisions', 'article_changes', 'api_keys', 'media', 'topics', 'contributors', 'sections', 'articles_fts']) {
    t.ok(tables.includes(name), name)
  }
})

t.test('opening the same file again applies no migration twice', async (t) => {
  const file = join(t.testdir(), 'db.sqlite')
  openDatabase(file).close()
  const again = openDatabase(file)
  t.teardown(() => again.close())
  const applied = again.sqlite.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
  t.equal(applied.n, journal.entries.length, 'each migration once')
})
