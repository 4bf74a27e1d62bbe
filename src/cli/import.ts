// npm run import -- [--dry-run] [FILE|-]...
//
// Imports raw text files (copied news pages, wire copy) as draft articles through the same
// import service as POST /v1/imports, on the database DATABASE_PATH names. Without files (or
// with "-") it reads standard input. Exit code: 0 when every input was imported (or was
// imported before), 1 when any failed, 2 for a usage or configuration error.
import { readFile, stat } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { buildApp, type BuildOptions } from '../app.js'
import { DomainError } from '../errors.js'
import { statusOf } from '../plugins/problem.js'
import type { Actor } from '../services/actor.js'
import { configOrExplain, isMain } from './main.js'
import { htmlToText } from '../ingest/html.js'
import { decodeText, MAX_IMPORT_BYTES, TextTooLargeError, type ImportService } from '../services/imports.js'

const USAGE = `Usage: npm run import -- [--dry-run] [FILE|-]...

Imports each FILE (raw text of one story, or a saved page: *.html, *.htm) as a draft article;
"-" or no FILE reads standard input.
The database is DATABASE_PATH (default data/newsdesk.db).

  --dry-run   parse only and print what was found as JSON (a list, one entry per input); save nothing
  --help      show this help

Exit code: 0 when every input was imported or had been imported before, 1 when any failed,
2 for a usage or configuration error.
`

/** Imports from the command line are made by the operator, not by an API key. */
const operator: Actor = { keyId: null, scope: 'admin' }

interface Stream {
  write(chunk: string): unknown
  isTTY?: boolean
}

export interface CliIo {
  stdin: AsyncIterable<Buffer | string>
  stdout: Stream
  stderr: Stream
  env: Record<string, string | undefined>
}

type Outcome =
  | { input: string; status: 'created' | 'existing'; id: string; slug: string; warnings: string[] }
  | { input: string; status: 'failed'; reason: string }
  | { input: string; status: 'parsed'; result: unknown }

const STDIN = '-'
const label = (input: string) => (input === STDIN ? '(stdin)' : input)

/** A file that could not be read; the message says why, in words. */
class ReadError extends Error {}

function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  const why: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'is a directory', EACCES: 'permission denied' }
  return `cannot read it: ${(code && why[code]) ?? (err as Error).message}`
}

function failure(err: unknown): string {
  if (err instanceof ReadError) return err.message
  if (err instanceof DomainError) {
    const warnings = Array.isArray(err.extra.warnings) && err.extra.warnings.length > 0 ? ` (${err.extra.warnings.join('; ')})` : ''
    return `${statusOf(err)} ${err.code}: ${err.message}${warnings}`
  }
  return `unexpected error: ${(err as Error).message ?? String(err)}`
}

async function readInput(input: string, stdin: CliIo['stdin']): Promise<string> {
  let bytes: Buffer
  if (input === STDIN) {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of stdin) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      size += buf.length
      if (size > MAX_IMPORT_BYTES) throw new TextTooLargeError(size)
      chunks.push(buf)
    }
    bytes = Buffer.concat(chunks)
  } else {
    try {
      const info = await stat(input)
      if (info.isFile() && info.size > MAX_IMPORT_BYTES) throw new TextTooLargeError(info.size)
      bytes = await readFile(input)
    } catch (err) {
      if (err instanceof DomainError) throw err
      throw new ReadError(readFailure(err))
    }
  }
  const text = decodeText(bytes)
  // A saved web page: its visible text, one block a line (as POST /v1/imports does for text/html).
  return /\.html?$/i.test(input) ? htmlToText(text) : text
}

async function importOne(service: ImportService, input: string, text: string, dryRun: boolean): Promise<Outcome> {
  const result = await service.importText(text, operator, { dryRun })
  if (dryRun) {
    return {
      input,
      status: 'parsed',
      result: { input: label(input), parse: result.parse.article, report: result.parse.report, suggestions: result.suggestions },
    }
  }
  const article = result.article!.article
  const { warnings, lowConfidence } = result.parse.report
  const flagged = lowConfidence.length > 0 ? [`low confidence in ${lowConfidence.join(', ')}`] : []
  return { input, status: result.created ? 'created' : 'existing', id: article.id, slug: article.slug, warnings: [...warnings, ...flagged] }
}

function describe(outcome: Outcome): string {
  const name = label(outcome.input)
  if (outcome.status === 'failed') return `failed            ${name}: ${outcome.reason}`
  if (outcome.status === 'parsed') return `parsed            ${name}`
  const what = outcome.status === 'created' ? 'created' : 'already imported'
  const warnings = outcome.warnings.length > 0 ? ` (warnings: ${outcome.warnings.join('; ')})` : ''
  return `${what.padEnd(18)}${name} -> /v1/articles/${outcome.id} (${outcome.slug})${warnings}`
}

/** Runs the command; returns the exit code. `build`: for tests (BuildOptions). */
export async function runImportCli(argv: string[], io: CliIo, build: BuildOptions = {}): Promise<number> {
  let args: { values: { 'dry-run'?: boolean; help?: boolean }; positionals: string[] }
  try {
    args = parseArgs({ args: argv, allowPositionals: true, options: { 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (args.values.help) {
    io.stdout.write(USAGE)
    return 0
  }
  const dryRun = args.values['dry-run'] ?? false
  const inputs = args.positionals.length > 0 ? args.positionals : [STDIN]
  if (inputs.filter((i) => i === STDIN).length > 1) {
    io.stderr.write(`Standard input ("-") can be read only once.\n\n${USAGE}`)
    return 2
  }

  const loaded = configOrExplain(io.env, io.stderr)
  if (!loaded) return 2
  const config = { ...loaded, logLevel: 'silent' as const }
  if (inputs.includes(STDIN) && io.stdin === process.stdin && process.stdin.isTTY) {
    io.stderr.write('Reading the story from standard input; end it with Ctrl-D.\n')
  }

  // The app's own wiring (same services, same database setup and migrations), without listening.
  const { app, services } = await buildApp(config, build)
  const outcomes: Outcome[] = []
  const bar =
    inputs.length > 1 && io.stdout.isTTY
      ? new cliProgress.SingleBar(
          { stream: io.stdout as NodeJS.WritableStream, format: 'importing [{bar}] {value}/{total} {file}', clearOnComplete: true, hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : null
  try {
    bar?.start(inputs.length, 0, { file: '' })
    for (const input of inputs) {
      bar?.update({ file: label(input) })
      let outcome: Outcome
      try {
        outcome = await importOne(services.imports, input, await readInput(input, io.stdin), dryRun)
      } catch (err) {
        outcome = { input, status: 'failed', reason: failure(err) }
      }
      outcomes.push(outcome)
      bar?.increment()
      // Without a bar, say how each input went as it happens; with one, the lines follow it.
      if (!bar && !dryRun) io.stdout.write(`${describe(outcome)}\n`)
    }
  } finally {
    bar?.stop()
    await app.close()
  }

  const count = (status: Outcome['status']) => outcomes.filter((o) => o.status === status).length
  const failed = outcomes.filter((o): o is Extract<Outcome, { status: 'failed' }> => o.status === 'failed')
  if (dryRun) {
    // stdout carries only the JSON (use `npm run --silent import -- --dry-run ...` to pipe it); the rest goes to stderr.
    const parsed = outcomes.map((o) => (o.status === 'parsed' ? o.result : { input: label(o.input), error: o.status === 'failed' ? o.reason : null }))
    io.stdout.write(`${JSON.stringify(parsed, null, 2)}\n`)
    io.stderr.write(`Dry run of ${plural(outcomes.length, 'input')}: ${count('parsed')} parsed, ${failed.length} failed; nothing was saved.\n`)
    for (const f of failed) io.stderr.write(`  ${label(f.input)}: ${f.reason}\n`)
    return failed.length > 0 ? 1 : 0
  }
  if (bar) for (const outcome of outcomes) io.stdout.write(`${describe(outcome)}\n`)
  io.stdout.write(
    `\nImported ${plural(outcomes.length, 'input')}: ${count('created')} created, ${count('existing')} already imported, ${failed.length} failed.\n`,
  )
  if (failed.length > 0) {
    io.stdout.write('Failed:\n')
    for (const f of failed) io.stdout.write(`  ${label(f.input)}: ${f.reason}\n`)
  }
  return failed.length > 0 ? 1 : 0
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

if (isMain(import.meta.url)) {
  process.exitCode = await runImportCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env })
}
