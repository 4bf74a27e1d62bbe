import { backupDatabase, type BackupResult } from '../db/sqlite/backup.js'
import { isMain } from './main.js'
import { ConfigError, loadConfig } from '../config.js'

/**
 * `npm run backup -- FILE`: an online backup of the configured database
 * (DATABASE_PATH) into FILE, a new file, while the server runs; the copy is
 * checked before the command reports success. Restore by stopping the server
 * and putting the file in place of DATABASE_PATH (without its -wal and -shm).
 */
export async function backup(destination: string, env: Record<string, string | undefined> = process.env): Promise<BackupResult> {
  return backupDatabase(loadConfig(env).databasePath, destination)
}

if (isMain(import.meta.url)) {
  const destination = process.argv[2]
  if (destination === undefined || process.argv.length > 3) {
    process.stderr.write('usage: npm run backup -- FILE   (a new file; DATABASE_PATH names the database)\n')
    process.exit(2)
  }
  try {
    const r = await backup(destination)
    process.stdout.write(
      `backed up ${r.pages} pages (${r.bytes} bytes) to ${r.destination} in ${r.milliseconds} ms; integrity_check: ${r.integrity}; search index: ${r.searchIndex}\n`,
    )
    if (r.integrity !== 'ok' || r.searchIndex !== 'ok') process.exit(1)
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).message}\n`)
    process.exit(1)
  }
}
