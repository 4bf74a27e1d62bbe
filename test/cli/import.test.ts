import t from 'tap'
import { runCli, type Run } from './run.js'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openDataLayer } from '../../src/db/index.js'
import { createServices } from '../../src/services/index.js'
import { runImportCli } from '../../src/cli/import.js'
import { samplePages, skipUnlessPresent, textOf } from '../samples.js'
import { reuseCompiled } from '../compilers.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const fixture = (name: string) => join(root, 'test/fixtures/ingest', name)

const story = 'Harbour ferry adds two early sailings from Monday\n\nThe operator will run boats at 5.40am and 6.10am on weekdays, the port authority said.\n\nTickets cost the same.\n'


/**
 * Runs the command as `npm run import` does (node --import tsx src/cli/import.ts ...): a process
 * of its own, for what only a process shows (its real standard input, its exit code). It costs
 * seconds of CPU (the process builds the whole app), so one test runs it and the others call
 * runImportCli (what that process runs, returning its exit code) in here.
 */
function cli(databasePath: string, args: string[], input = ''): Promise<Run> {
  return runCli('import', databasePath, args, input)
}

/** In this process, each run's app reuses the route schemas compiled by the first (see test/compilers.ts). */
const reused = { compilers: reuseCompiled }

/** Runs the command in this process: runImportCli with `input` as standard input. */
async function inProcess(databasePath: string, args: string[], input = ''): Promise<Run> {
  const run = { code: null as number | null, stdout: '', stderr: '' }
  run.code = await runImportCli(args, {
    stdin: (async function* () {
      if (input !== '') yield input
    })(),
    stdout: { write: (s: string) => ((run.stdout += s), true) },
    stderr: { write: (s: string) => ((run.stderr += s), true) },
    env: { DATABASE_PATH: databasePath },
  }, reused)
  return run
}

/** The articles in the database, as an editor sees them. */
async function articlesIn(databasePath: string) {
  const data = await openDataLayer(databasePath)
  try {
    const services = createServices(data.repos)
    const page = await services.articles.list({ limit: 100 }, { keyId: null, scope: 'admin' })
    return await data.repos.articles.aggregates(page.items.map((i) => i.articleId))
  } finally {
    await data.close()
  }
}

t.test('imports several files as drafts, then reports them as already imported', async (t) => {
  const db = join(t.testdir(), 'newsdesk.db')
  const files = [fixture('ap-wire.txt'), fixture('reuters-wire.txt')]
  const first = await inProcess(db, files)
  t.equal(first.code, 0, first.stderr)
  t.match(first.stdout, /^created\s+.*ap-wire\.txt -> \/v1\/articles\/\S+ \(flooded-river-forces-evacuation-of-three-mountain-villages\)$/m)
  t.match(first.stdout, /^created\s+.*reuters-wire\.txt -> /m)
  t.match(first.stdout, /Imported 2 inputs: 2 created, 0 already imported, 0 failed\./)
  t.notMatch(first.stdout, /importing \[/, 'no progress bar when stdout is not a terminal')
  const articles = await articlesIn(db)
  t.equal(articles.length, 2)
  t.ok(articles.every((a) => a.article.status === 'draft'), 'as drafts')

  const again = await inProcess(db, files)
  t.equal(again.code, 0)
  t.match(again.stdout, /^already imported\s+.*ap-wire\.txt/m)
  t.match(again.stdout, /Imported 2 inputs: 0 created, 2 already imported, 0 failed\./)
  t.equal((await articlesIn(db)).length, 2, 'nothing new')
})

t.test('names each failing file with its reason, imports the rest and exits 1', async (t) => {
  const dir = t.testdir({ 'photo.jpg': Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]), 'empty.txt': '' })
  const db = join(dir, 'newsdesk.db')
  const run = await inProcess(db, [fixture('only-chrome.txt'), join(dir, 'missing.txt'), join(dir, 'photo.jpg'), join(dir, 'empty.txt'), fixture('letter-to-the-editor.txt')])
  t.equal(run.code, 1)
  t.match(run.stdout, /Imported 5 inputs: 1 created, 0 already imported, 4 failed\./)
  const failed = run.stdout.slice(run.stdout.indexOf('Failed:'))
  t.match(failed, /only-chrome\.txt: 422 unusable-text: No headline was found .*\(input contains only page chrome\)/)
  t.match(failed, /missing\.txt: cannot read it: no such file/)
  t.match(failed, /photo\.jpg: 415 not-text: .*NUL bytes/)
  t.match(failed, /empty\.txt: 422 empty-text/)
  t.notMatch(failed, /letter-to-the-editor/)
  t.equal((await articlesIn(db)).length, 1, 'the good file was imported')
})

t.test('reads standard input when given no file or "-"', async (t) => {
  const db = join(t.testdir(), 'newsdesk.db')
  const piped = await cli(db, [], story)
  t.equal(piped.code, 0, piped.stderr)
  t.match(piped.stdout, /^created\s+\(stdin\) -> \/v1\/articles\/\S+ \(harbour-ferry-adds-two-early-sailings-from-monday\)/m)
  const dash = await inProcess(db, ['-'], story.replace(/\n/g, '\r\n'))
  t.match(dash.stdout, /^already imported\s+\(stdin\)/m)
  let out = ''
  const empty = await runImportCli([], {
    stdin: (async function* () {})(),
    stdout: { write: (chunk: string) => ((out += chunk), true) },
    stderr: { write: () => true },
    env: { DATABASE_PATH: db },
  }, reused)
  t.equal(empty, 1, 'empty input is a failure')
  t.match(out, /\(stdin\): 422 empty-text/)
})

t.test('--dry-run prints the parse and report as JSON and saves nothing', async (t) => {
  const db = join(t.testdir(), 'newsdesk.db')
  const run = await inProcess(db, ['--dry-run', fixture('print-archive-brief.txt'), fixture('only-chrome.txt')])
  t.equal(run.code, 0, run.stderr)
  const out = JSON.parse(run.stdout)
  t.match(out, [
    { input: /print-archive-brief\.txt$/, parse: { headline: "Keeper's log found in harbour wall", print: { publication: 'Port Avery Courier' } }, report: { lines: Array } },
    { input: /only-chrome\.txt$/, parse: { headline: null }, report: { warnings: ['input contains only page chrome'] } },
  ])
  t.match(run.stderr, /Dry run of 2 inputs: 2 parsed, 0 failed; nothing was saved\./)
  t.same(await articlesIn(db), [])
})

t.test('a saved page (.html) is read as the text a reader sees, and the dry run shows the confidence', async (t) => {
  const dir = t.testdir({
    'page.html': '<html><head><title>Quay</title><script>var a = 1</script></head><body><nav>Home › News</nav><h1>Quay reopens after repairs</h1><p>By Ann Lee</p><p>The quay reopened on Monday.</p><p>Traders returned at dawn and the market runs until</p></body></html>',
  })
  const run = await inProcess(join(dir, 'newsdesk.db'), ['--dry-run', join(dir, 'page.html')])
  t.equal(run.code, 0, run.stderr)
  const [out] = JSON.parse(run.stdout)
  t.match(out.parse, { headline: 'Quay reopens after repairs', credits: [{ name: 'Ann Lee' }] })
  t.notOk(JSON.stringify(out.parse).includes('var a'), 'no script text')
  t.same(out.report.lowConfidence, ['body'], 'a page cut off mid-sentence')
  t.match(out.report.lines, [{ text: 'Home › News', rule: 'chrome:breadcrumbs', used: false, reason: /breadcrumbs/ }])
})

// Whole sample pages (test/samples.ts): ours, and the shared third-party page when it is beside the repository.
for (const page of samplePages) {
  t.test(`the ${page.origin} sample page imports from the command line with its parts in place`, { skip: skipUnlessPresent(page) }, async (t) => {
    textOf(page)
    const want = page.expect
    const db = join(t.testdir(), 'newsdesk.db')
    const run = await inProcess(db, [page.path])
    t.equal(run.code, 0, run.stderr)
    const [agg] = await articlesIn(db)
    const a = agg!.article
    t.equal(a.headlines.print, want.printHeadline)
    t.same(a.printEdition, { publication: want.publication })
    t.same(agg!.topics.map((x) => [x.topic.name, x.primary]), [[want.label, true]])
    t.same(agg!.credits.map((c) => [c.contributor.name, c.role]), [[want.agency, 'additional-reporting']])
    t.equal(a.body.filter((b) => b.type === 'image').length, want.imageCredits.length)
    t.equal(agg!.media.get(a.leadMedia!.mediaId)!.credit, want.leadCredit)
  })
}

t.test('shows a progress bar for several files when stdout is a terminal', async (t) => {
  const dir = t.testdir()
  let out = ''
  let err = ''
  const code = await runImportCli([fixture('ap-wire.txt'), fixture('reuters-wire.txt')], {
    stdin: (async function* () {})(),
    stdout: { isTTY: true, write: (s: string) => ((out += s), true) },
    stderr: { write: (s: string) => ((err += s), true) },
    env: { DATABASE_PATH: join(dir, 'newsdesk.db') },
  }, reused)
  t.equal(code, 0, err)
  t.match(out, /importing \[.*\] 2\/2/)
  t.match(out, /Imported 2 inputs: 2 created/)
})

t.test('usage and configuration errors exit 2 without touching the database', async (t) => {
  const dir = t.testdir()
  const io = (env: Record<string, string>) => {
    const captured = { out: '', err: '' }
    return {
      captured,
      io: {
        stdin: (async function* () {})(),
        stdout: { write: (s: string) => ((captured.out += s), true) },
        stderr: { write: (s: string) => ((captured.err += s), true) },
        env,
      },
    }
  }
  const env = { DATABASE_PATH: join(dir, 'newsdesk.db') }
  let r = io(env)
  t.equal(await runImportCli(['--bogus'], r.io), 2)
  t.match(r.captured.err, /Unknown option '--bogus'[^]*Usage: npm run import/)
  r = io(env)
  t.equal(await runImportCli(['-', '-'], r.io), 2)
  t.match(r.captured.err, /only once/)
  r = io({ ...env, BODY_LIMIT_BYTES: 'lots' })
  t.equal(await runImportCli([fixture('ap-wire.txt')], r.io), 2)
  t.match(r.captured.err, /Invalid configuration/)
  r = io(env)
  t.equal(await runImportCli(['--help'], r.io), 0)
  t.match(r.captured.out, /--dry-run/)
  t.notOk(existsSync(env.DATABASE_PATH), 'no database was created')
})
