import t, { type Test } from 'tap'
import { join } from 'node:path'
import { seedDemoContent } from '../../src/demo/seed.js'
import { copyBetween, sessionSide, sqliteSide, type Side } from '../../src/db/copy.js'
import { runDbCopy } from '../../src/cli/dbCopy.js'
import { minimalArticle, testApp, type TestApp } from '../helpers.js'
import { pgliteTarget, serverTarget, type PgTarget } from '../pg.js'

const quiet = { info: () => {}, warn: () => {} }

/** A SQLite file with the demo content, an edited and a draft article: every table has rows. */
async function newsroomFile(t: Test, dir: string): Promise<string> {
  const path = join(dir, 'newsdesk.db')
  const h = await testApp(t, { databasePath: path })
  t.equal(await seedDemoContent(h.services, { samplesDir: join(dir, 'no-samples'), log: quiet }), 3)
  const draft = (await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle('Ferry timetable draft') })).json()
  const first = (await h.app.inject({ url: '/v1/articles?limit=1' })).json().data[0]
  const edited = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${first.id}`, headers: { ...h.as.write, 'if-match': '*' }, payload: { summary: 'Edited before the copy.' } })
  t.equal(edited.statusCode, 200)
  t.ok(draft.id)
  // A myNEWS reader with a follow, a mute and a read mark.
  const { reader } = await h.services.readers.create()
  const topics = (await h.app.inject({ url: '/v1/topics?limit=2' })).json().data as { id: string }[]
  await h.services.readers.follow(reader.id, 'topic', topics[0]!.id)
  await h.services.readers.mute(reader.id, 'topic', topics[1]!.id)
  await h.services.readers.markRead(reader.id, [first.id])
  await h.app.close()
  return path
}

/** What readers and editors get for every article: the bytes and ETags a copy must serve unchanged. */
async function snapshotOf(h: TestApp): Promise<Record<string, { etag: string; body: string }>> {
  const out: Record<string, { etag: string; body: string }> = {}
  const list = (await h.app.inject({ url: '/v1/articles?limit=100', headers: h.as.write })).json().data as { id: string }[]
  for (const { id } of list) {
    for (const [who, headers] of [['editor', h.as.write], ['reader', {}]] as const) {
      const res = await h.app.inject({ url: `/v1/articles/${id}`, headers: { ...headers, 'x-request-id': 'copy-check' } })
      out[`${who} ${id}`] = { etag: String(res.headers.etag ?? res.statusCode), body: res.body }
    }
  }
  return out
}

const pgliteSide = (target: PgTarget): Side => sessionSide({ db: target.db, query: (text) => target.query(text), close: async () => {} })

t.test('db:copy copies a newsroom from SQLite to PostgreSQL (PGlite) and back; the copy serves every article byte for byte', async (t) => {
  const dir = t.testdir()
  const original = await newsroomFile(t, dir)
  const before = await snapshotOf(await testApp(t, { databasePath: original }))
  const pglite = await pgliteTarget(t)

  const progress: string[] = []
  const there = await copyBetween(sqliteSide(original, false), pgliteSide(pglite), (table, done, total) => progress.push(`${table} ${done}/${total}`))
  t.ok(there.tables.every((x) => x.rows >= 0) && there.tables.length === 21, 'all 21 tables')
  for (const table of ['api_keys', 'media', 'contributors', 'topics', 'sections', 'articles', 'article_credits', 'article_topics', 'article_revisions', 'article_changes', 'article_renderings', 'readers', 'reader_follows', 'reader_mutes', 'reader_reads']) {
    t.ok(there.tables.find((x) => x.table === table)!.rows > 0, `${table} has rows to copy`)
  }
  t.ok(progress.includes(`articles 4/4`), 'progress reports each table')
  const [search] = await pglite.query<{ n: number }>(`select count(*)::int as n from articles where search @@ to_tsquery('newsdesk', 'ferry')`)
  t.ok(search!.n > 0, 'PostgreSQL generated the search column of the copied rows')

  const back = join(dir, 'back.db')
  const returned = await copyBetween(pgliteSide(pglite), sqliteSide(back, true))
  t.same(returned.tables, there.tables, 'the same rows and checksums after the round trip')

  const copy = await testApp(t, { databasePath: back })
  t.same(await snapshotOf(copy), before, 'the same bytes and ETags for readers and editors')
  const found = (await copy.app.inject({ url: '/v1/articles?q=ferry', headers: copy.as.write })).json().data
  t.ok(found.length > 0, "SQLite's search index was filled by the copy")
  t.doesNotThrow(() => copy.data.sqlite!.exec("insert into articles_fts (articles_fts, rank) values ('integrity-check', 1)"))
})

t.test('db:copy refuses a target that holds data, and leaves it as it was', async (t) => {
  const dir = t.testdir()
  const original = await newsroomFile(t, dir)
  const target = join(dir, 'target.db')
  await copyBetween(sqliteSide(original, false), sqliteSide(target, true))
  const before = await snapshotOf(await testApp(t, { databasePath: target }))
  await t.rejects(copyBetween(sqliteSide(original, false), sqliteSide(target, true)), { name: 'TargetNotEmptyError', tables: ['api_keys', 'media', 'contributors', 'topics', 'sections', 'articles', 'article_credits', 'article_topics', 'article_media', 'article_revisions', 'article_changes', 'article_renderings', 'webhook_events', 'readers', 'reader_follows', 'reader_mutes', 'reader_reads'] })
  t.same(await snapshotOf(await testApp(t, { databasePath: target })), before)
})

t.test('npm run db:copy round-trips a newsroom through a PostgreSQL server and verifies it', async (t) => {
  const server = await serverTarget(t)
  if ('skip' in server) {
    t.comment(`skipped: ${server.skip}`)
    return
  }
  const dir = t.testdir()
  const original = await newsroomFile(t, dir)
  const back = join(dir, 'back.db')
  const out = { text: '', write: (s: string) => (out.text += s) }
  const err = { text: '', write: (s: string) => (err.text += s) }
  t.equal(await runDbCopy(['--from', original, '--to', server.url], out, err), 0, err.text)
  t.equal(await runDbCopy(['--from', server.url, '--to', back], out, err), 0, err.text)
  t.match(out.text, /copied and verified \d+ rows in 21 tables/)
  const lines = out.text.split('\n').filter((l) => /^ {2}\w+ +\d+ {2}sha256/.test(l))
  t.equal(lines.length, 42, 'each table listed with its rows and checksum, twice')
  t.same(lines.slice(0, 21), lines.slice(21), 'the same counts and checksums both ways')
  t.equal(await runDbCopy(['--from', original, '--to', server.url], out, err), 1, 'a second copy into the same database is refused')
  t.match(err.text, /already holds data/)
  t.equal(await runDbCopy(['--from', original], out, err), 2, 'usage')
})
