import t from 'tap'
import { spawn } from 'node:child_process'
import { basename, join } from 'node:path'
import { runKeysCli } from '../src/cli/keys.js'
import { samplePages, skipUnlessPresent, textOf } from './samples.js'
import { launchServer, root, type LaunchedServer } from './e2e/server.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

interface ArticleJson {
  slug: string
  status: string
  headlines: { print?: string }
  leadMedia: { credit: string | null } | null
  topics: { primary: boolean }[]
  credits: { role: string }[]
  body: { type: string }[]
}
const listOf = async (res: Response) => ((await res.json()) as { data: ArticleJson[] }).data

/**
 * The extra demo pages (DEMO_SAMPLES_DIR) of these starts: our sample page, and the shared one
 * when it is beside the repository (required under CI=true), gathered in the test's directory.
 */
const samplePageFiles = () =>
  Object.fromEntries(samplePages.filter((page) => skipUnlessPresent(page) === false).map((page) => [basename(page.path), textOf(page)]))

/** Starts the real server (launchServer) and stops it when the test ends, should the test not have. */
async function start(t: Teardown, env: Record<string, string>): Promise<LaunchedServer> {
  const server = await launchServer(env)
  t.teardown(() => server.stop())
  return server
}

// The tests below start their own servers on their own databases: they run at once (tap buffers
// their output), so this file takes about as long as its longest test rather than all of them.
t.jobs = 3

t.test('first start creates and prints an admin key once, loads demo content, and stops cleanly on SIGTERM', async (t) => {
  const samples = samplePageFiles()
  const dir = t.testdir({ samples })
  const env = { DATABASE_PATH: join(dir, 'newsdesk.db'), LOG_LEVEL: 'info', DEMO_SAMPLES_DIR: join(dir, 'samples') }
  const first = await start(t, env)
  const key = /\n {2}(nd_[A-Za-z0-9_-]+)\n/.exec(first.output())?.[1]
  t.ok(key, 'the admin key is printed')
  t.match(first.output(), /API docs: http:\/\/127\.0\.0\.1:\d+\/docs/)

  const list = await listOf(await fetch(`${first.base}/v1/articles?limit=100`))
  const expected = 3 + Object.keys(samples).length
  t.equal(list.length, expected, `the demo pages and the sample pages (${Object.keys(samples).join(', ')}) are published`)
  for (const article of list) {
    t.equal(article.status, 'published')
    t.ok(article.topics.some((x) => x.primary), `${article.slug} has a primary topic`)
    t.ok(article.leadMedia?.credit, `${article.slug} has a credited lead photo`)
    t.ok(article.headlines.print, `${article.slug} has a print headline`)
    t.ok(article.credits.some((c) => c.role === 'additional-reporting'), `${article.slug} has a wire credit`)
    t.ok(article.body.some((b) => b.type === 'video'), `${article.slug} has a video`)
    t.ok(article.body.some((b) => b.type === 'ad'), `${article.slug} has an ad slot`)
  }
  const one = await fetch(`${first.base}/v1/articles/${list[0]!.slug}`)
  t.equal(one.status, 200)
  const keys = await fetch(`${first.base}/v1/api-keys`, { headers: { authorization: `Bearer ${key}` } })
  t.equal(keys.status, 200, 'the printed key is an admin key')
  t.equal(await first.stop(), 0, 'exit code 0 after SIGTERM')

  const second = await start(t, env)
  t.notMatch(second.output(), /created an admin API key/, 'no new key on the next start')
  t.notMatch(second.output(), /No API key has been used yet/, 'no hint once a key was used')
  const again = await listOf(await fetch(`${second.base}/v1/articles?limit=100`))
  t.equal(again.length, expected, 'demo content is not loaded twice')
  t.equal(await second.stop(), 0)
})

t.test('a restart before any key was used prints how to make an admin key', async (t) => {
  const file = join(t.testdir(), 'db.sqlite')
  t.equal(await runKeysCli(['create', '--scope', 'admin', '--name', 'first'], { stdout: { write: () => true }, stderr: { write: () => true }, env: { DATABASE_PATH: file } }), 0)
  const server = await start(t, { DATABASE_PATH: file, DEMO_CONTENT: 'false', LOG_LEVEL: 'info' })
  t.match(server.output(), /No API key has been used yet[^]*npm run keys -- create --scope admin --name "me"/)
  t.notMatch(server.output(), /created an admin API key/)
  t.equal(await server.stop(), 0)
})

// NEWSDESK_ADMIN_KEY as the bootstrap admin key: every server of test/e2e starts with one (see newsroom.test.ts).

t.test('a bad configuration value stops start-up with a message naming the variable', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', PORT: 'eighty', DATABASE_PATH: ':memory:' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const code = await new Promise((resolve) => child.on('close', resolve))
  t.equal(code, 1)
  t.match(stderr, /Invalid configuration: env\/PORT must be integer/)
  t.notMatch(stderr, /at .*\.ts:\d+/, 'no stack trace')
})
