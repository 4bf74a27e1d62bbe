import { PGlite, type PGliteOptions } from '@electric-sql/pglite'
import { unaccent } from '@electric-sql/pglite/contrib/unaccent'
import { drizzle } from 'drizzle-orm/pglite'
import { migrate } from 'drizzle-orm/pglite/migrator'
import pg from 'pg'
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import * as schema from '../src/db/pg/schema.js'
import { openPostgres, pgMigrationsFolder, type PgDb } from '../src/db/pg/client.js'

/**
 * The PostgreSQL engines the tests run on:
 * - PGlite (PostgreSQL compiled to WebAssembly, in this process), always, so
 *   that a machine without a database server still tests the PostgreSQL code;
 * - a real server, at TEST_DATABASE_URL or else postgres://postgres@127.0.0.1:5432/test,
 *   each test file in a database of its own, dropped at the end. It is required
 *   when TEST_DATABASE_URL or CI is set, and skipped with the reason otherwise.
 */
export interface PgTarget {
  name: 'pglite' | 'postgres'
  /** For a server: its URL (a database of this test file's own). */
  url?: string
  db: PgDb
  /** Runs plain SQL (for checks that look at the catalogue). */
  query<T>(text: string, params?: unknown[]): Promise<T[]>
  close(): Promise<void>
}

interface Teardown {
  teardown(fn: () => unknown): void
}

const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/test'

let template: Promise<Blob> | undefined
type PgliteRuntime = Required<Pick<PGliteOptions, 'wasmModule' | 'fsBundle'>>
let runtime: Promise<PgliteRuntime> | undefined

/** The WebAssembly API (the project's TypeScript libs do not declare it). */
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<PgliteRuntime['wasmModule']> } }).WebAssembly

/**
 * PGlite's WebAssembly module and file bundle, compiled and read once per
 * process: a new PGlite then opens in about 0.5 s instead of 1.5-2.5 s.
 */
function pgliteRuntime(): Promise<PgliteRuntime> {
  runtime ??= (async () => {
    const dist = new URL('./', import.meta.resolve('@electric-sql/pglite'))
    return { wasmModule: await wasm.compile(await readFile(new URL('pglite.wasm', dist))), fsBundle: new Blob([await readFile(new URL('pglite.data', dist))]) }
  })()
  return runtime
}

/** A PGlite data directory with the migrations applied, made once per process (a copy of it is much quicker to open than migrating again). */
function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const client = new PGlite({ extensions: { unaccent }, ...(await pgliteRuntime()) })
    await migrate(drizzle(client, { schema }), { migrationsFolder: pgMigrationsFolder })
    const dump = await client.dumpDataDir('none')
    await client.close()
    return dump
  })()
  return template
}

/** A new PGlite database, migrated: a copy of the process's template. */
export async function pgliteCopy(): Promise<{ client: PGlite; db: PgDb }> {
  const client = new PGlite({ extensions: { unaccent }, loadDataDir: await pgliteTemplate(), ...(await pgliteRuntime()) })
  await client.waitReady
  return { client, db: drizzle(client, { schema }) as unknown as PgDb }
}

/** A migrated PGlite database (a copy of the process's template), closed when the test ends. */
export async function pgliteTarget(t: Teardown): Promise<PgTarget> {
  const { client, db } = await pgliteCopy()
  const target: PgTarget = {
    name: 'pglite',
    db,
    query: async <T>(text: string, params?: unknown[]) => (await client.query<T>(text, params)).rows,
    close: () => client.close(),
  }
  t.teardown(() => target.close())
  return target
}

/** A real server, in a new database of its own; or why there is none. */
export async function serverTarget(t: Teardown): Promise<(PgTarget & { url: string }) | { skip: string }> {
  const required = process.env.TEST_DATABASE_URL !== undefined || process.env.CI !== undefined
  const adminUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_SERVER
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 })
  admin.on('error', () => {})
  try {
    await admin.connect()
  } catch (err) {
    await admin.end().catch(() => undefined)
    if (required) throw new Error(`no PostgreSQL server at ${adminUrl}: ${(err as Error).message}`)
    return { skip: `no PostgreSQL server at ${adminUrl} (${(err as Error).message}); set TEST_DATABASE_URL to run on one` }
  }
  const name = `newsdesk_test_${process.pid}_${randomBytes(4).toString('hex')}`
  await admin.query(`create database ${name}`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const handle = await openPostgres(url.toString(), { poolSize: 4 })
  const target: PgTarget & { url: string } = {
    name: 'postgres',
    url: url.toString(),
    db: handle.db,
    query: async <T>(text: string, params?: unknown[]) => (await handle.pool.query(text, params)).rows as T[],
    // Once, whoever asks first (the app that closes its data layer, or the test's teardown).
    close: () => (closing ??= (async () => {
      await handle.close()
      await admin.query(`drop database if exists ${name} with (force)`)
      await admin.end()
    })()),
  }
  let closing: Promise<void> | undefined
  t.teardown(() => target.close())
  return target
}
