import Database from 'better-sqlite3'
import { getTableColumns, is, sql, type Column, type SQL } from 'drizzle-orm'
import { drizzle as sqliteDrizzle } from 'drizzle-orm/better-sqlite3'
import { drizzle as pgDrizzle } from 'drizzle-orm/node-postgres'
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core'
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import pg from 'pg'
import { openDatabase } from './sqlite/client.js'
import { openPostgres, type PgDb } from './pg/client.js'
import * as pgSchema from './pg/schema.js'
import * as sqliteSchema from './schema.js'

/**
 * Copies a whole database from one engine to the other (SQLite file ->
 * PostgreSQL, or back), row for row and table by table, then verifies it:
 * each table's row count and a SHA-256 over its rows in primary-key order, in a
 * canonical form (object keys sorted, bytes as base64), so that jsonb's key
 * order or SQLite's 0/1 flags never make two equal databases differ.
 *
 * - The source is read from one snapshot (a read transaction), so a server may
 *   keep writing to it meanwhile; the copy is what the source held at the start.
 * - The target must be empty (its migrations are applied first); everything is
 *   written in one transaction, so a failed copy leaves it empty.
 * - Columns one engine derives are not copied: PostgreSQL generates
 *   articles.search, SQLite's triggers fill its FTS5 index.
 */

/** Parents before children: the order the foreign keys need. */
export const COPY_ORDER = [
  'api_keys',
  'idempotency_keys',
  'media',
  'contributors',
  'topics',
  'sections',
  'articles',
  'article_credits',
  'article_topics',
  'article_media',
  'article_revisions',
  'article_changes',
  'article_renderings',
  'webhook_subscriptions',
  'webhook_events',
  'webhook_deliveries',
  'webhook_attempts',
  'readers',
  'reader_follows',
  'reader_mutes',
  'reader_reads',
] as const
export type TableName = (typeof COPY_ORDER)[number]

const PAGE_ROWS = 500

export type Location = { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string }

/** A postgres:// or postgresql:// URL is PostgreSQL; anything else is a SQLite file path. */
export function locate(value: string): Location {
  return /^postgres(ql)?:\/\//.test(value) ? { engine: 'postgres', url: value } : { engine: 'sqlite', path: value }
}

/** Where a location is, without its password. */
export function describeLocation(location: Location): string {
  if (location.engine === 'sqlite') return location.path
  const url = new URL(location.url)
  if (url.password) url.password = '***'
  return url.toString()
}

export interface TableCopy {
  table: TableName
  rows: number
  /** SHA-256 of the rows in canonical form, the same on both sides. */
  checksum: string
}

export interface CopyResult {
  tables: TableCopy[]
  milliseconds: number
}

export type Progress = (table: TableName, done: number, total: number) => void

/** The copy's target already holds rows: db:copy never merges into or overwrites a database. */
export class TargetNotEmptyError extends Error {
  override name = 'TargetNotEmptyError'
  constructor(readonly tables: string[]) {
    super(`the target already holds data (${tables.join(', ')}); copy into a new, empty database`)
  }
}

/** The copy read back from the target differs from the source. */
export class CopyMismatchError extends Error {
  override name = 'CopyMismatchError'
  constructor(readonly table: string, detail: string) {
    super(`the copy of ${table} does not match its source: ${detail}`)
  }
}

type AnyTable = SQLiteTable | PgTable
type Row = Record<string, unknown>

/** One side of a copy: tables by SQL name, read in primary-key order, written in one transaction. */
export interface Side {
  tables: Record<TableName, TableInfo>
  count(table: TableName): Promise<number>
  /** Rows after `after` (a primary-key tuple) in primary-key order, `limit` of them. */
  page(table: TableName, after: unknown[] | null, limit: number): Promise<Row[]>
  insert(table: TableName, rows: Row[]): Promise<void>
  /** After writing: make sequences follow copied ids. */
  finish(): Promise<void>
  begin(mode: 'read' | 'write'): Promise<void>
  commit(): Promise<void>
  rollback(): Promise<void>
  close(): Promise<void>
}

interface TableInfo {
  table: AnyTable
  /** The primary-key columns, in order. */
  key: Column[]
  /** Their property names in a row. */
  keyNames: string[]
}

/** The copied tables of a schema module by SQL name, with their primary keys (getTableConfig of the schema's dialect). */
function tablesOf<T extends AnyTable>(
  schema: Record<string, unknown>,
  isTable: (value: unknown) => value is T,
  config: (table: T) => { name: string; columns: Column[]; primaryKeys: { columns: Column[] }[] },
): Record<TableName, TableInfo> {
  const out: Partial<Record<TableName, TableInfo>> = {}
  for (const value of Object.values(schema)) {
    if (!isTable(value)) continue
    const c = config(value)
    if (!(COPY_ORDER as readonly string[]).includes(c.name)) continue
    const single = c.columns.filter((column) => column.primary)
    const key = single.length > 0 ? single : c.primaryKeys[0]!.columns
    const columns = getTableColumns(value) as Record<string, Column>
    const keyNames = key.map((column) => Object.keys(columns).find((k) => columns[k]!.name === column.name)!)
    out[c.name as TableName] = { table: value, key, keyNames }
  }
  return out as Record<TableName, TableInfo>
}

/** `(a, b) > (?, ?)` on the primary key, for keyset paging (both engines know row values). */
function after(key: Column[], values: unknown[] | null): SQL | undefined {
  if (values === null) return undefined
  const columns = sql.join(key.map((c) => sql`${c}`), sql`, `)
  const params = sql.join(values.map((v) => sql`${v}`), sql`, `)
  return sql`(${columns}) > (${params})`
}

const keyOf = (info: TableInfo, row: Row) => info.keyNames.map((k) => row[k])

/** One side of a copy on a SQLite file: the source read-only, the target created and migrated. */
export function sqliteSide(path: string, create: boolean): Side {
  if (!create && !existsSync(path)) throw new Error(`no SQLite database at ${path}`)
  const handle = create ? openDatabase(path) : null
  const connection = handle?.sqlite ?? new Database(path, { readonly: true, fileMustExist: true })
  const db = handle?.db ?? sqliteDrizzle(connection, { schema: sqliteSchema })
  if (!handle) connection.pragma('busy_timeout = 5000')
  const tables = tablesOf(sqliteSchema, (v): v is SQLiteTable => is(v, SQLiteTable), sqliteTableConfig as never)
  return {
    tables,
    async count(table) {
      return (db.select({ n: sql<number>`count(*)` }).from(tables[table].table as SQLiteTable).get() as { n: number }).n
    },
    async page(table, last, limit) {
      const { table: t, key } = tables[table]
      return db.select().from(t as SQLiteTable).where(after(key, last)).orderBy(...key.map((c) => sql`${c}`)).limit(limit).all() as Row[]
    },
    async insert(table, rows) {
      db.insert(tables[table].table as SQLiteTable).values(rows as never).run()
    },
    async finish() {},
    async begin(mode) {
      connection.exec(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN')
    },
    async commit() {
      if (connection.inTransaction) connection.exec('COMMIT')
    },
    async rollback() {
      if (connection.inTransaction) connection.exec('ROLLBACK')
    },
    async close() {
      if (connection.open) connection.close()
    },
  }
}

/** A PostgreSQL session: one connection (or PGlite), on which BEGIN and COMMIT frame the statements that follow. */
export interface PgSession {
  db: PgDb
  query(text: string): Promise<unknown>
  close(): Promise<void>
}

async function postgresSide(url: string, create: boolean): Promise<Side> {
  // Migrations first (they need their own connection and lock), then one client for the copy's transaction.
  if (create) await (await openPostgres(url, { poolSize: 1 })).close()
  const client = new pg.Client({ connectionString: url })
  // A connection ended by the server fails the copy's next query; it must not also be thrown as an unhandled event.
  client.on('error', () => {})
  await client.connect()
  return sessionSide({ db: pgDrizzle(client, { schema: pgSchema }) as unknown as PgDb, query: (text) => client.query(text), close: () => client.end() })
}

/** One side of a copy on a PostgreSQL session whose schema is migrated (PGlite in the tests). */
export function sessionSide(session: PgSession): Side {
  const { db } = session
  const tables = tablesOf(pgSchema, (v): v is PgTable => is(v, PgTable), pgTableConfig as never)
  return {
    tables,
    async count(table) {
      const [row] = await db.select({ n: sql<string>`count(*)` }).from(tables[table].table as PgTable)
      return Number(row!.n)
    },
    async page(table, last, limit) {
      const { table: t, key } = tables[table]
      return (await db.select().from(t as PgTable).where(after(key, last)).orderBy(...key.map((c) => sql`${c}`)).limit(limit)) as Row[]
    },
    async insert(table, rows) {
      await db.insert(tables[table].table as PgTable).values(rows as never)
    },
    async finish() {
      for (const table of ['article_changes', 'webhook_events']) {
        await session.query(`select setval(pg_get_serial_sequence('${table}', 'seq'), coalesce((select max(seq) from ${table}), 0) + 1, false)`)
      }
    },
    async begin(mode) {
      await session.query(mode === 'write' ? 'BEGIN' : 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    },
    async commit() {
      await session.query('COMMIT')
    },
    async rollback() {
      await session.query('ROLLBACK').catch(() => undefined)
    },
    close: () => session.close(),
  }
}

function open(location: Location, create: boolean): Promise<Side> {
  return location.engine === 'sqlite' ? Promise.resolve(sqliteSide(location.path, create)) : postgresSide(location.url, create)
}

/** A row with the columns both engines store, in a form both agree on (sorted keys, bytes as base64). */
function canonical(value: unknown): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return { bytes: Buffer.from(value).toString('base64') }
  if (Array.isArray(value)) return value.map(canonical)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Row)[k])]))
  }
  return value
}

/** The columns a table has on both sides (what one engine derives is not copied). */
function sharedColumns(a: AnyTable, b: AnyTable): string[] {
  const other = getTableColumns(b) as Record<string, Column>
  return Object.entries(getTableColumns(a) as Record<string, Column>)
    .filter(([key, column]) => key in other && !column.generated && !other[key]!.generated)
    .map(([key]) => key)
}

const pick = (row: Row, columns: string[]) => Object.fromEntries(columns.map((c) => [c, row[c]]))

/** Sections reference their parent: a parent goes first (a shorter path). */
function parentsFirst(table: TableName, rows: Row[]): Row[] {
  if (table !== 'sections') return rows
  const depth = (row: Row) => String(row.path).split('/').length
  return [...rows].sort((x, y) => depth(x) - depth(y))
}

async function* pages(side: Side, table: TableName): AsyncGenerator<Row[]> {
  if (table === 'sections') {
    // Small, and ordered by depth rather than by key: read whole.
    const all: Row[] = []
    for (let last: unknown[] | null = null; ; ) {
      const page = await side.page(table, last, PAGE_ROWS)
      all.push(...page)
      if (page.length < PAGE_ROWS) break
      last = keyOf(side.tables[table], page.at(-1)!)
    }
    if (all.length > 0) yield parentsFirst(table, all)
    return
  }
  for (let last: unknown[] | null = null; ; ) {
    const page = await side.page(table, last, PAGE_ROWS)
    if (page.length > 0) yield page
    if (page.length < PAGE_ROWS) return
    last = keyOf(side.tables[table], page.at(-1)!)
  }
}

async function checksum(side: Side, table: TableName, columns: string[]): Promise<{ rows: number; checksum: string }> {
  const hash = createHash('sha256')
  let rows = 0
  for (let last: unknown[] | null = null; ; ) {
    const page = await side.page(table, last, PAGE_ROWS)
    for (const row of page) hash.update(`${JSON.stringify(canonical(pick(row, columns)))}\n`)
    rows += page.length
    if (page.length < PAGE_ROWS) break
    last = keyOf(side.tables[table], page.at(-1)!)
  }
  return { rows, checksum: hash.digest('hex') }
}

/** Copies `from` into `to` (created and migrated if needed, and empty), then verifies every table. */
export async function copyDatabase(from: Location, to: Location, progress: Progress = () => {}): Promise<CopyResult> {
  if (from.engine === to.engine && describeLocation(from) === describeLocation(to)) throw new Error('the source and the target are the same database')
  const source = await open(from, false)
  let target: Side
  try {
    target = await open(to, true)
  } catch (err) {
    await source.close()
    throw err
  }
  return copyBetween(source, target, progress)
}

/** Copies between two open sides (and closes both). */
export async function copyBetween(source: Side, target: Side, progress: Progress = () => {}): Promise<CopyResult> {
  const started = Date.now()
  try {
    const occupied: string[] = []
    for (const table of COPY_ORDER) if ((await target.count(table)) > 0) occupied.push(table)
    if (occupied.length > 0) throw new TargetNotEmptyError(occupied)

    await source.begin('read')
    await target.begin('write')
    const columns = Object.fromEntries(COPY_ORDER.map((t) => [t, sharedColumns(source.tables[t].table, target.tables[t].table)])) as Record<TableName, string[]>
    try {
      for (const table of COPY_ORDER) {
        const total = await source.count(table)
        let done = 0
        progress(table, 0, total)
        for await (const page of pages(source, table)) {
          await target.insert(table, page.map((row) => pick(row, columns[table])))
          done += page.length
          progress(table, done, total)
        }
      }
      await target.finish()
      await target.commit()
    } catch (err) {
      await target.rollback()
      throw err
    }

    // Verify from the same source snapshot against what the target now holds.
    const tables: TableCopy[] = []
    for (const table of COPY_ORDER) {
      const expected = await checksum(source, table, columns[table])
      const found = await checksum(target, table, columns[table])
      if (expected.rows !== found.rows) throw new CopyMismatchError(table, `${expected.rows} rows in the source, ${found.rows} in the copy`)
      if (expected.checksum !== found.checksum) throw new CopyMismatchError(table, 'the rows differ (checksums)')
      tables.push({ table, rows: found.rows, checksum: found.checksum })
    }
    await source.commit()
    return { tables, milliseconds: Date.now() - started }
  } finally {
    await source.rollback().catch(() => undefined)
    await source.close()
    await target.close()
  }
}
