import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import { getTableConfig as pgTable, PgTable } from 'drizzle-orm/pg-core'
import { getTableConfig as sqliteTable, SQLiteTable } from 'drizzle-orm/sqlite-core'
import * as pgSchema from '../../../src/db/pg/schema.js'
import * as sqliteSchema from '../../../src/db/schema.js'
import { pgliteTarget, serverTarget, type PgTarget } from '../../pg.js'

const root = new URL('../../../', import.meta.url).pathname

/** table -> columns and indexes, from a Drizzle schema module. */
function describe(tables: Record<string, unknown>) {
  const out = new Map<string, { columns: string[]; indexes: string[] }>()
  for (const value of Object.values(tables)) {
    const config = value instanceof PgTable ? pgTable(value) : value instanceof SQLiteTable ? sqliteTable(value) : null
    if (!config) continue
    out.set(config.name, { columns: config.columns.map((c) => c.name).sort(), indexes: config.indexes.map((i) => i.config.name ?? '').sort() })
  }
  return out
}

/** What PostgreSQL has in place of SQLite's FTS5 table (see src/db/pg/schema.ts). */
const ONLY_PG_COLUMNS: Record<string, string[]> = { articles: ['search'] }
const ONLY_PG_INDEXES: Record<string, string[]> = { articles: ['articles_search'] }
/**
 * SQLite's only: the search cover, and articles_id_version, which keeps the check for stale renderings out of the
 * articles' overflow pages (PostgreSQL keeps the large columns out of the row, in TOAST, so its scan reads small rows).
 */
const ONLY_SQLITE_INDEXES: Record<string, string[]> = { articles: ['articles_id_version', 'articles_search_cover'] }

t.test('the PostgreSQL schema has every table, column and index of the SQLite schema, and only the documented extras', async (t) => {
  const pg = describe(pgSchema)
  const sqlite = describe(sqliteSchema)
  t.same([...pg.keys()].sort(), [...sqlite.keys()].sort(), 'the same tables')
  for (const [name, lite] of sqlite) {
    const post = pg.get(name)!
    t.same(post.columns, [...lite.columns, ...(ONLY_PG_COLUMNS[name] ?? [])].sort(), `${name}: columns`)
    const expected = [...lite.indexes.filter((i) => !(ONLY_SQLITE_INDEXES[name] ?? []).includes(i)), ...(ONLY_PG_INDEXES[name] ?? [])].sort()
    t.same(post.indexes, expected, `${name}: indexes`)
  }
})

t.test('the committed migrations are up to date with both schemas: drizzle-kit generate finds nothing to do', async (t) => {
  const run = promisify(execFile)
  for (const [dialect, schema, folder] of [
    ['sqlite', 'src/db/schema.ts', 'migrations'],
    ['postgresql', 'src/db/pg/schema.ts', 'migrations/pg'],
  ] as const) {
    const out = mkdtempSync(join(tmpdir(), 'newsdesk-migrations-'))
    t.teardown(() => rmSync(out, { recursive: true, force: true }))
    const pgFolder = join(root, 'migrations/pg')
    cpSync(join(root, folder), out, { recursive: true, filter: (src) => folder === 'migrations/pg' || src !== pgFolder })
    const before = readdirSync(out).sort()
    const { stdout, stderr } = await run(process.execPath, [join(root, 'node_modules/drizzle-kit/bin.cjs'), 'generate', `--dialect=${dialect}`, `--schema=${schema}`, `--out=${relative(root, out)}`], { cwd: root })
    const said = `${stdout}${stderr}`
    t.match(said, /No schema changes/, `${dialect}: ${said.trim().split('\n').at(-1)}`)
    t.same(readdirSync(out).sort(), before, `${dialect}: no new migration file`)
  }
})

async function engineTests(t: Test, target: PgTarget) {
  t.test(`on ${target.name}, the migrations build every table and column of the schema`, async (t) => {
    const rows = await target.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns where table_schema = 'public' and table_name <> '__drizzle_migrations'`,
    )
    const found = new Map<string, string[]>()
    for (const r of rows) found.set(r.table_name, [...(found.get(r.table_name) ?? []), r.column_name])
    for (const [name, { columns }] of describe(pgSchema)) t.same((found.get(name) ?? []).sort(), columns, name)
    const indexes = (await target.query<{ indexname: string }>(`select indexname from pg_indexes where schemaname = 'public'`)).map((r) => r.indexname)
    for (const [name, table] of describe(pgSchema)) for (const index of table.indexes) t.ok(indexes.includes(index), `${name}: ${index}`)
  })

  t.test(`on ${target.name}, search folds case and accents like SQLite's index, and ranks the headline above the body`, async (t) => {
    const [row] = await target.query<{ folded: boolean; cased: boolean; stemmed: boolean; stop: boolean }>(
      `select to_tsvector('newsdesk', 'Derby in São Paulo') @@ to_tsquery('newsdesk', 'sao') as folded,
              to_tsvector('newsdesk', 'HARBOUR tunnel') @@ to_tsquery('newsdesk', 'harbour') as cased,
              to_tsvector('newsdesk', 'ferries') @@ to_tsquery('newsdesk', 'ferry') as stemmed,
              to_tsvector('newsdesk', 'the vote') @@ to_tsquery('newsdesk', 'the') as stop`,
    )
    t.same(row, { folded: true, cased: true, stemmed: false, stop: true }, 'no stemming and no stop words, as in FTS5')
    await target.query(
      `insert into articles (id, slug, type, status, language, headline, headlines, body, corrections, word_count, body_text, search_rowid, public_visible, version, created_at, updated_at, listed_at)
       values ($1, $1, 'news', 'draft', 'en', $2, '{}', '[]', '[]', 3, $3, $4, false, 1, '2026-11-29T10:00:00.000Z', '2026-11-29T10:00:00.000Z', '2026-11-29T10:00:00.000Z')`,
      ['in-body', 'Ferries resume', 'The harbour reopens.', 1],
    )
    await target.query(
      `insert into articles (id, slug, type, status, language, headline, headlines, body, corrections, word_count, body_text, search_rowid, public_visible, version, created_at, updated_at, listed_at)
       values ($1, $1, 'news', 'draft', 'en', $2, '{}', '[]', '[]', 3, $3, $4, false, 1, '2026-11-29T10:00:00.000Z', '2026-11-29T10:00:00.000Z', '2026-11-29T10:00:00.000Z')`,
      ['in-headline', 'Harbour reopens', 'Ferries resume.', 2],
    )
    const ranked = await target.query<{ id: string }>(`select id from articles where search @@ to_tsquery('newsdesk', 'harbour') order by ts_rank(search, to_tsquery('newsdesk', 'harbour')) desc`)
    t.same(ranked.map((r) => r.id), ['in-headline', 'in-body'])
    await target.query(`update articles set headline = 'Ferries resume' where id = 'in-headline'`)
    const after = await target.query<{ id: string }>(`select id from articles where search @@ to_tsquery('newsdesk', 'harbour') order by id`)
    t.same(after.map((r) => r.id), ['in-body'], 'the search column follows an edit (it is generated from the row)')
  })
}

t.test('PGlite', async (t) => engineTests(t, await pgliteTarget(t)))

t.test('a PostgreSQL server', async (t) => {
  const target = await serverTarget(t)
  if ('skip' in target) {
    t.comment(`skipped: ${target.skip}`)
    return
  }
  await engineTests(t, target)
})
