import { backupDatabaseFile, type BackupResult } from '../db/index.js'
import { isMain } from './main.js'
import { ConfigError, loadConfig } from '../config.js'

/**
 * `npm run backup -- FILE`: an online backup of the configured database
 * (DATABASE_PATH) into FILE, a new file, while the server runs; the copy is
 * checked before the command reports success. Restore by stopping the server
 * and putting the file in place of DATABASE_PATH (without its -wal and -shm).
 */
export async function backup(destination: string, env: Record<string, string | undefined> = process.env): Promise<BackupResult> {
  const config = loadConfig(env)
  if (config.databaseUrl) throw new Error('DATABASE_URL names a PostgreSQL database: back it up with its own tools (pg_dump -Fc, or continuous archiving); this command copies the database file of DATABASE_PATH.')
  return backupDatabaseFile(config.databasePath, destination)
}

interface Stream {
  write(chunk: string): unknown
}
export interface BackupIo {
  stdout: Stream
  stderr: Stream
  env: Record<string, string | undefined>
}

/** Runs the command; returns the exit code: 0 on a sound copy, 1 on a failure or an unsound copy, 2 for a usage error. */
export async function runBackupCli(argv: string[], io: BackupIo): Promise<number> {
  const destination = argv[0]
  if (destination === undefined || argv.length > 1) {
    io.stderr.write('usage: npm run backup -- FILE   (a new file; DATABASE_PATH names the database)\n')
    return 2
  }
  try {
    const r = await backup(destination, io.env)
    io.stdout.write(
      `backed up ${r.pages} pages (${r.bytes} bytes) to ${r.destination} in ${r.milliseconds} ms; integrity_check: ${r.integrity}; search index: ${r.searchIndex}\n`,
    )
    return r.integrity !== 'ok' || r.searchIndex !== 'ok' ? 1 : 0
  } catch (err) {
    io.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).message}\n`)
    return 1
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await runBackupCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
}
