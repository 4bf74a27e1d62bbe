// npm run archive -- export [--revisions] [FILE|-]
// npm run archive -- import [--resume-from LINE] FILE|-
//
// Bulk export and import of the whole archive as NDJSON, through the same archive service as
// GET /v1/archive/export and POST /v1/archive/import, on the database DATABASE_PATH names.
// Both stream, so memory stays flat on any size of archive. Exit code: 0 on success, 1 when a
// line of the archive could not be imported (the message names it) or a file could not be
// read or written, 2 for a usage or configuration error.
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs'
import { Readable, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { openDataLayer } from '../db/index.js'
import { createServices } from '../services/index.js'
import type { ArchiveCounts } from '../db/index.js'
import type { ArchiveImportSummary, ArchiveProgress } from '../services/archive.js'
import { configOrExplain, isMain } from './main.js'

const USAGE = `Usage: npm run archive -- export [--revisions] [FILE|-]
       npm run archive -- import [--resume-from LINE] FILE|-

export   writes the whole archive (sections, topics, contributors, media, articles with their
         credits and topics) as NDJSON to FILE, or to standard output without FILE or with "-".
         --revisions  follow each article with its revisions
import   reads an archive made by export from FILE ("-": standard input). Records keep their ids,
         versions and timestamps; rows the database already holds are left alone, so an import
         that stopped can simply be run again. The first bad line stops it: every line before
         the batch it is in stays imported, and the message says where to resume.
         --resume-from LINE  skip the lines before LINE (imported by an earlier run)

The database is DATABASE_PATH (default data/newsdesk.db). A progress bar is shown on a terminal.
Exit code: 0 on success, 1 when a line could not be imported or a file could not be read or
written, 2 for a usage or configuration error.
`

interface Stream {
  write(chunk: string): unknown
  isTTY?: boolean
}

export interface CliIo {
  stdin: AsyncIterable<Buffer | string>
  /** Standard output: the archive on export without FILE, so a stream (with backpressure). */
  stdout: Writable & { isTTY?: boolean }
  stderr: Stream
  env: Record<string, string | undefined>
}

const STDIN = '-'
const KINDS: (keyof ArchiveCounts)[] = ['sections', 'topics', 'contributors', 'media', 'articles', 'revisions']
const number = (n: number) => n.toLocaleString('en-GB')
const countsText = (c: ArchiveCounts) => KINDS.map((k) => `${number(c[k])} ${k}`).join(', ')

/** A progress bar of articles on a terminal (standard error, so that standard output can carry the archive). */
function progressBar(io: CliIo, verb: string) {
  if (!io.stderr.isTTY) return { update: () => {}, stop: () => {} }
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr as unknown as NodeJS.WritableStream,
      format: `${verb} [{bar}] {percentage}% | {value}/{total} articles | line {line}`,
      clearOnComplete: true,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  return {
    update(p: ArchiveProgress) {
      if (!started) bar.start(p.total?.articles ?? 0, 0, { line: number(p.line) })
      started = true
      bar.update(p.articles, { line: number(p.line) })
    },
    stop: () => started && bar.stop(),
  }
}

function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  const why: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'is a directory', EACCES: 'permission denied', ENOSPC: 'no space left on the device' }
  return (code && why[code]) ?? (err as Error).message
}

async function exportArchive(services: ReturnType<typeof createServices>, io: CliIo, file: string, revisions: boolean): Promise<number> {
  const bar = progressBar(io, 'exporting')
  let last: ArchiveProgress | null = null
  const lines = services.archive.exportArchive({
    revisions,
    onProgress: (p) => {
      last = p
      bar.update(p)
    },
  })
  const source = Readable.from(lines, { objectMode: false })
  // A file is written beside its name and renamed when complete, so a failed export never leaves a truncated archive.
  const partial = `${file}.partial`
  try {
    if (file === STDIN) await pipeline(source, io.stdout, { end: false })
    else {
      await pipeline(source, createWriteStream(partial))
      renameSync(partial, file)
    }
  } catch (err) {
    bar.stop()
    if (file !== STDIN) rmSync(partial, { force: true })
    io.stderr.write(`The export failed: ${readFailure(err)}\n`)
    return 1
  }
  bar.stop()
  const done = last as ArchiveProgress | null
  const where = file === STDIN ? 'standard output' : file
  io.stderr.write(`Exported ${done?.total ? countsText(done.total) : 'the archive'} (${number((done?.records ?? 0) + 2)} lines) to ${where}.\n`)
  return 0
}

async function importArchive(services: ReturnType<typeof createServices>, io: CliIo, file: string, resumeFrom: number): Promise<number> {
  const input = file === STDIN ? io.stdin : createReadStream(file, { highWaterMark: 1024 * 1024 })
  const bar = progressBar(io, 'importing')
  let summary: ArchiveImportSummary
  try {
    summary = await services.archive.importArchive(input, { resumeFrom, onProgress: (p) => bar.update(p) })
  } finally {
    bar.stop()
  }
  const name = file === STDIN ? 'standard input' : file
  const written = KINDS.some((k) => summary.imported[k] > 0) ? countsText(summary.imported) : 'nothing'
  io.stdout.write(`Imported from ${name} (${number(summary.lines)} lines read): ${written}.\n`)
  if (KINDS.some((k) => summary.unchanged[k] > 0)) io.stdout.write(`Already there, unchanged: ${countsText(summary.unchanged)}.\n`)
  if (!summary.failed) return 0
  const { line, error } = summary.failed
  io.stdout.write(
    `\nLine ${line}: ${error}\n` +
      `The import stopped there: every line before line ${summary.resumeFrom} is imported, none from it on.\n` +
      `Fix the line, then carry on with: npm run archive -- import --resume-from ${summary.resumeFrom} ${file}\n`,
  )
  return 1
}

/** Runs the command; returns the exit code. */
export async function runArchiveCli(argv: string[], io: CliIo): Promise<number> {
  let args: { values: { revisions?: boolean; 'resume-from'?: string; help?: boolean }; positionals: string[] }
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { revisions: { type: 'boolean' }, 'resume-from': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    })
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (args.values.help) {
    io.stdout.write(USAGE)
    return 0
  }
  const [command, file, ...extra] = args.positionals
  const usage = (message: string) => {
    io.stderr.write(`${message}\n\n${USAGE}`)
    return 2
  }
  if (command !== 'export' && command !== 'import') return usage(command ? `Unknown command '${command}'.` : 'Say export or import.')
  if (extra.length > 0) return usage(`One file at a time (got ${[file, ...extra].join(', ')}).`)
  if (command === 'export' && args.values['resume-from'] !== undefined) return usage('--resume-from is for import.')
  if (command === 'import' && args.values.revisions) return usage('--revisions is for export (an import takes the revisions the archive has).')
  if (command === 'import' && file === undefined) return usage('Name the archive to import (or "-" for standard input).')
  let resumeFrom = 1
  if (args.values['resume-from'] !== undefined) {
    resumeFrom = Number(args.values['resume-from'])
    if (!/^[1-9]\d{0,9}$/.test(args.values['resume-from'])) return usage(`--resume-from takes a line number (1 or more), not '${args.values['resume-from']}'.`)
  }

  const config = configOrExplain(io.env, io.stderr)
  if (!config) return 2
  const { databasePath, databaseUrl } = config
  if (command === 'export' && databaseUrl === undefined && databasePath !== ':memory:' && !existsSync(databasePath)) {
    io.stderr.write(`There is no database at ${databasePath} (DATABASE_PATH) to export.\n`)
    return 1
  }
  if (command === 'import' && file !== STDIN) {
    try {
      if (statSync(file!).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' })
    } catch (err) {
      io.stderr.write(`Cannot read ${file}: ${readFailure(err)}\n`)
      return 1
    }
  }
  // The data layer and services alone: no HTTP server, no scheduler publishing while the archive moves.
  const data = await openDataLayer(databaseUrl ?? databasePath)
  try {
    const services = createServices(data.repos)
    return command === 'export'
      ? await exportArchive(services, io, file ?? STDIN, args.values.revisions ?? false)
      : await importArchive(services, io, file!, resumeFrom)
  } finally {
    await data.close()
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await runArchiveCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env })
}
