import t from 'tap'
import { runCli, type Run } from './run.js'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { openDataLayer } from '../../src/db/index.js'
import { createServices } from '../../src/services/index.js'
import { runArchiveCli } from '../../src/cli/archive.js'
import type { Actor } from '../../src/services/actor.js'
import { ANY_VERSION } from '../../src/services/preconditions.js'

const admin: Actor = { keyId: null, scope: 'admin' }

/**
 * Runs the command as `npm run archive` does (node --import tsx src/cli/archive.ts ...): a process
 * of its own, for what only a process shows (its real standard input, its exit code). Seconds
 * apiece on a busy machine, so one run (an import from standard input) is a process, and the
 * others call runArchiveCli (what that process runs, returning its exit code) in here.
 */
function cli(databasePath: string, args: string[], input = ''): Promise<Run> {
  return runCli('archive', databasePath, args, input)
}

/** Runs the command in this process: runArchiveCli, its output captured (standard output is a stream, as the export pipes into it). */
async function inProcess(databasePath: string, args: string[]): Promise<Run> {
  const run = { code: null as number | null, stdout: '', stderr: '' }
  const stdout = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      run.stdout += chunk.toString()
      done()
    },
  })
  run.code = await runArchiveCli(args, {
    stdin: (async function* () {})(),
    stdout,
    stderr: { write: (s: string) => ((run.stderr += s), true) },
    env: { DATABASE_PATH: databasePath },
  })
  return run
}

/** A database file with a section tree, a topic, a contributor, a photo, a published article and a draft. */
async function newsroom(path: string) {
  const data = await openDataLayer(path)
  try {
    const s = createServices(data.repos)
    const news = await s.sections.create({ name: 'News' })
    const city = await s.sections.create({ name: 'City', parentId: news.id })
    const topic = await s.topics.create({ kind: 'place', name: 'Harbour' })
    const lena = await s.contributors.create({ kind: 'person', name: 'Lena Marsh' })
    const photo = await s.media.create({ kind: 'image', caption: 'The east pier', credit: 'Port Authority' })
    const story = {
      sectionId: city.id,
      leadMedia: { mediaId: photo.id },
      body: [{ type: 'paragraph' as const, html: 'Boats at <b>5.40</b>.' }, { type: 'ad' as const, slot: 'ad-1' }],
      credits: [{ contributorId: lena.id, role: 'byline' as const }],
      topics: [{ topicId: topic.id, primary: true }],
    }
    const published = (await s.articles.create({ ...story, headlines: { basic: 'Ferry adds early sailings' } }, admin)).article.id
    await s.articles.act(published, ANY_VERSION, 'publish', admin)
    const draft = (await s.articles.create({ ...story, headlines: { basic: 'Ferry fares to rise' } }, admin)).article.id
    return { published, draft }
  } finally {
    await data.close()
  }
}

const afterHeader = (text: string) => text.slice(text.indexOf('\n') + 1)

t.test('export to a file, import into another database, export again: the same archive', async (t) => {
  const dir = t.testdir()
  const [a, b] = [join(dir, 'a.db'), join(dir, 'b.db')]
  const ids = await newsroom(a)
  const exported = await inProcess(a, ['export', '--revisions', join(dir, 'archive.ndjson')])
  t.equal(exported.code, 0, exported.stderr)
  t.match(exported.stderr, /^Exported 2 sections, 1 topics, 1 contributors, 1 media, 2 articles, 3 revisions \(12 lines\) to .*archive\.ndjson\.$/m)
  t.notMatch(exported.stderr, /exporting \[/, 'no progress bar when standard error is not a terminal')
  t.notOk(existsSync(join(dir, 'archive.ndjson.partial')))
  const archive = readFileSync(join(dir, 'archive.ndjson'), 'utf8')
  t.equal(archive.trim().split("\n").length, 12)

  const imported = await inProcess(b, ['import', join(dir, 'archive.ndjson')])
  t.equal(imported.code, 0, imported.stderr)
  t.match(imported.stdout, /^Imported from .*archive\.ndjson \(12 lines read\): 2 sections, 1 topics, 1 contributors, 1 media, 2 articles, 3 revisions\.$/m)

  const again = await inProcess(b, ['export', '--revisions'])
  t.equal(again.code, 0, again.stderr)
  t.equal(afterHeader(again.stdout), afterHeader(archive), 'the second export (to standard output) is the same archive')
  t.match(again.stderr, /to standard output\./)

  const data = await openDataLayer(b)
  t.teardown(() => data.close())
  const services = createServices(data.repos)
  t.equal((await services.articles.get(ids.published, { keyId: null, scope: null })).article.status, 'published')
  t.match(await services.articles.get(ids.draft, { keyId: null, scope: null }).catch((err: unknown) => err), { code: 'not-found' }, 'the draft stays hidden')

  const rerun = await cli(b, ['import', '-'], archive)
  t.equal(rerun.code, 0)
  t.match(rerun.stdout, /^Imported from standard input \(12 lines read\): nothing\.$/m)
  t.match(rerun.stdout, /^Already there, unchanged: 2 sections, 1 topics, 1 contributors, 1 media, 2 articles, 3 revisions\.$/m)
})

t.test('a bad line exits 1 naming it and where to resume; --resume-from finishes the import', async (t) => {
  const dir = t.testdir()
  const a = join(dir, 'a.db')
  await newsroom(a)
  const lines = (await inProcess(a, ['export'])).stdout.trim().split('\n')
  const file = join(dir, 'broken.ndjson')
  writeFileSync(file, `${[...lines.slice(0, 6), '{"kind":"article",', ...lines.slice(7)].join('\n')}\n`)
  const b = join(dir, 'b.db')
  const run = await inProcess(b, ['import', file])
  t.equal(run.code, 1)
  t.match(run.stdout, /^Line 7: not valid JSON/m)
  t.match(run.stdout, /every line before line 2 is imported, none from it on\./)
  t.match(run.stdout, new RegExp(`npm run archive -- import --resume-from 2 ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'))

  writeFileSync(file, `${lines.join('\n')}\n`)
  const resumed = await inProcess(b, ['import', '--resume-from', '2', file])
  t.equal(resumed.code, 0, resumed.stdout)
  t.match(resumed.stdout, /2 articles/)
})

t.test('usage and file errors', async (t) => {
  const dir = t.testdir()
  const db = join(dir, 'a.db')
  const io = () => {
    let out = ''
    let err = ''
    const stdout = new PassThrough()
    stdout.on('data', (c: Buffer) => (out += c.toString()))
    return { io: { stdin: (async function* () {})(), stdout, stderr: { write: (c: string) => ((err += c), true) }, env: { DATABASE_PATH: db } }, out: () => out, err: () => err }
  }
  for (const [args, message] of [
    [[], /Say export or import\./],
    [['backup'], /Unknown command 'backup'\./],
    [['import'], /Name the archive to import/],
    [['import', 'a', 'b'], /One file at a time/],
    [['import', '--resume-from', 'x', 'a.ndjson'], /--resume-from takes a line number/],
    [['import', '--revisions', 'a.ndjson'], /--revisions is for export/],
    [['export', '--resume-from', '3'], /--resume-from is for import/],
    [['export', '--everything'], /Unknown option/],
  ] as const) {
    const run = io()
    t.equal(await runArchiveCli([...args], run.io), 2, args.join(' '))
    t.match(run.err(), message)
  }
  const missing = io()
  t.equal(await runArchiveCli(['import', join(dir, 'missing.ndjson')], missing.io), 1)
  t.match(missing.err(), /Cannot read .*missing\.ndjson: no such file/)
  const noDatabase = io()
  t.equal(await runArchiveCli(['export', join(dir, 'out.ndjson')], noDatabase.io), 1)
  t.match(noDatabase.err(), /There is no database at .*a\.db/)
  t.notOk(existsSync(db), 'exporting does not create a database')
  const help = io()
  t.equal(await runArchiveCli(['--help'], help.io), 0)
  t.match(help.out(), /^Usage: npm run archive -- export/)
})

t.test('on a terminal, a progress bar counts the articles on standard error', async (t) => {
  const dir = t.testdir()
  const db = join(dir, 'a.db')
  await newsroom(db)
  let err = ''
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 100 })
  stderr.on('data', (c: Buffer) => (err += c.toString()))
  const stdout = new PassThrough()
  let out = ''
  stdout.on('data', (c: Buffer) => (out += c.toString()))
  const code = await runArchiveCli(['export'], { stdin: (async function* () {})(), stdout, stderr, env: { DATABASE_PATH: db } })
  t.equal(code, 0)
  t.match(err, /exporting \[.*\] \d+% \| \d\/2 articles/)
  t.match(out, /^\{"kind":"header"/, 'the archive itself goes to standard output')
})
