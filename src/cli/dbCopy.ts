// npm run db:copy -- --from data/newsdesk.db --to postgres://user@host/newsdesk
//
// Copies a whole Newsdesk database between the engines (a SQLite file and a
// PostgreSQL database, either way) into an empty target, then verifies every
// table's row count and checksum. Exit code: 0 when the copy is verified, 1
// when it failed (the target is left empty), 2 for a usage error.
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { copyDatabase, describeLocation, locate, type CopyResult, type TableName } from '../db/copy.js'
import { isMain } from './main.js'

const USAGE = `Usage: npm run db:copy -- --from SOURCE --to TARGET

SOURCE and TARGET are a SQLite file path or a postgres:// URL. The target is
created (or migrated) and must hold no data; the source may be in use (it is read
from one snapshot). Every table is verified by row count and checksum.
`

interface Stream {
  write(chunk: string): unknown
  isTTY?: boolean
}

export async function runDbCopy(argv: string[], stdout: Stream, stderr: Stream): Promise<number> {
  let values: { from?: string; to?: string; help?: boolean }
  try {
    values = parseArgs({ args: argv, options: { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values
  } catch (err) {
    stderr.write(`${(err as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (values.help) {
    stdout.write(USAGE)
    return 0
  }
  if (!values.from || !values.to) {
    stderr.write(`Both --from and --to are needed.\n\n${USAGE}`)
    return 2
  }
  const from = locate(values.from)
  const to = locate(values.to)
  stdout.write(`copying ${describeLocation(from)} (${from.engine}) to ${describeLocation(to)} (${to.engine})\n`)
  const bar = stdout.isTTY
    ? new cliProgress.SingleBar({ stream: stdout as NodeJS.WritableStream, format: '{table} [{bar}] {value}/{total}', clearOnComplete: true, hideCursor: true }, cliProgress.Presets.shades_classic)
    : null
  let current: TableName | null = null
  let result: CopyResult
  try {
    result = await copyDatabase(from, to, (table, done, total) => {
      if (bar) {
        if (table !== current) {
          if (current !== null) bar.stop()
          bar.start(total, done, { table })
        } else bar.update(done)
      } else if (table !== current) stdout.write(`  ${table}: ${total} rows\n`)
      current = table
    })
  } catch (err) {
    bar?.stop()
    stderr.write(`db:copy failed: ${(err as Error).message}\n`)
    return 1
  }
  bar?.stop()
  const rows = result.tables.reduce((sum, t) => sum + t.rows, 0)
  stdout.write(`copied and verified ${rows} rows in ${result.tables.length} tables in ${result.milliseconds} ms:\n`)
  for (const t of result.tables) stdout.write(`  ${t.table.padEnd(20)} ${String(t.rows).padStart(9)}  sha256 ${t.checksum.slice(0, 16)}\n`)
  return 0
}

if (isMain(import.meta.url)) {
  process.exitCode = await runDbCopy(process.argv.slice(2), process.stdout, process.stderr)
}
