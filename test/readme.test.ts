import t from 'tap'
import { spawn } from 'node:child_process'
import { ADMIN_KEY, root, startServer } from './e2e/server.js'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Runs the README's "A walk through with curl" as written: every ```sh block
 * of that section, in order, in one bash process (so a variable set by one
 * block is there for the next), against the real server on a loopback port.
 *
 * The only block not run is the one marked "# manual step": it sets ADMIN to
 * the admin key the server printed at its first start, which only the human
 * at the terminal has seen, and API to the default address. The test sets
 * the same two variables itself (ADMIN through NEWSDESK_ADMIN_KEY, API to the
 * port the server picked), and checks that the manual step sets no others.
 *
 * Every curl is bounded without changing the README's commands: curl reads
 * a .curlrc from $CURL_HOME, and the test gives it one with max-time = 10.
 */

const SECTION = '## A walk through with curl'
const MANUAL_MARK = '# manual step'
const SLUG = 'ferry-timetable-changes-from-monday'

interface Block {
  text: string
  commands: string[]
  manual: boolean
}

/** The ```sh blocks of the README's walk-through section, in order. */
function walkthroughBlocks(readme: string): Block[] {
  const start = readme.indexOf(`\n${SECTION}\n`)
  if (start < 0) throw new Error(`README.md has no "${SECTION}" section`)
  const rest = readme.slice(start + SECTION.length + 2)
  const section = rest.slice(0, rest.search(/^## /m) >= 0 ? rest.search(/^## /m) : undefined)
  const fences = [...section.matchAll(/^```(\S*)\n([\s\S]*?)^```$/gm)]
  const other = fences.filter((f) => f[1] !== 'sh')
  if (other.length > 0) throw new Error(`the walk-through has a code block that is not \`\`\`sh: ${other[0]![0]}`)
  return fences.map((f) => {
    const text = f[2]!
    return { text, commands: splitCommands(text), manual: text.trimStart().startsWith(MANUAL_MARK) }
  })
}

/**
 * Splits a shell block into its top-level commands, one per line, where a
 * line goes on past a trailing backslash, an open quote or an open $( ).
 * Comment lines are dropped. Enough shell for a README, not a shell parser.
 */
function splitCommands(text: string): string[] {
  const commands: string[] = []
  let current = ''
  let quote: "'" | '"' | null = null
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    current += c
    if (quote === "'") {
      if (c === "'") quote = null
    } else if (c === '\\') {
      current += text[++i] ?? ''
    } else if (quote === '"') {
      if (c === '"') quote = null
    } else if (c === "'" || c === '"') {
      quote = c
    } else if (c === '$' && text[i + 1] === '(') {
      depth++
      current += text[++i]
    } else if (c === ')' && depth > 0) {
      depth--
    } else if (c === '\n' && depth === 0) {
      const line = current.trim()
      if (line !== '' && !line.startsWith('#')) commands.push(line)
      current = ''
    }
  }
  if (quote !== null || depth !== 0) throw new Error(`unbalanced quote or $( in:\n${text}`)
  const last = current.trim()
  if (last !== '' && !last.startsWith('#')) commands.push(last)
  return commands
}

/** What one README command printed. */
interface Ran {
  block: number
  command: string
  output: string
}

interface WalkResult {
  code: number | null
  stderr: string
  ran: Ran[]
}

/**
 * Runs the commands of the runnable blocks in ONE `bash -euo pipefail`, each
 * preceded by a marker line (printf) so its output can be told apart.
 */
function runWalkthrough(blocks: Block[], env: Record<string, string>, cwd: string): Promise<WalkResult> {
  const commands: { block: number; command: string }[] = []
  const lines: string[] = []
  blocks.forEach((block, b) => {
    if (block.manual) return
    for (const command of block.commands) {
      lines.push(`printf '\\036%s\\037' ${commands.length}`, command)
      commands.push({ block: b, command })
    }
  })
  const scriptPath = join(cwd, 'walkthrough.sh')
  writeFileSync(scriptPath, `${lines.join('\n')}\n`)
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', scriptPath], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      const ran: Ran[] = []
      const parts = stdout.split(/\x1e(\d+)\x1f/)
      for (let i = 1; i < parts.length; i += 2) {
        const at = commands[Number(parts[i])]!
        ran.push({ block: at.block, command: at.command, output: parts[i + 1] ?? '' })
      }
      resolve({ code, stderr, ran })
    })
  })
}

interface HttpAnswer {
  status: number
  headers: Record<string, string>
  body: string
}

/** Reads `curl -i` output: the status line, the headers and the body. */
function http(output: string): HttpAnswer {
  const split = output.indexOf('\r\n\r\n')
  const head = split >= 0 ? output.slice(0, split) : output
  const [statusLine = '', ...headerLines] = head.split('\r\n')
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(statusLine)?.[1] ?? NaN)
  const headers: Record<string, string> = {}
  for (const line of headerLines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status, headers, body: split >= 0 ? output.slice(split + 4) : '' }
}

const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>

const readme = readFileSync(join(root, 'README.md'), 'utf8')
const blocks = walkthroughBlocks(readme)
let walk: WalkResult | undefined

t.test('the README curl walk-through runs against a live server', async (t) => {
  // The demo stories are there, as after `npm start`; the shared samples are not.
  const server = await startServer(
    t,
    { DEMO_CONTENT: 'true', DEMO_SAMPLES_DIR: 'no-samples-here' },
    { files: { '.curlrc': 'max-time = 10\nconnect-timeout = 5\nnoproxy = "*"\n' } },
  )
  const dir = server.dir
  const env = { PATH: process.env.PATH ?? '', HOME: dir, CURL_HOME: dir, LC_ALL: 'C', ADMIN: ADMIN_KEY, API: server.base }
  walk = await runWalkthrough(blocks, env, dir)
  const runnable = blocks.reduce((n, b) => n + (b.manual ? 0 : b.commands.length), 0)
  const last = walk.ran.at(-1)
  t.equal(walk.code, 0, 'every command succeeds', { lastCommand: last?.command, output: last?.output, stderr: walk.stderr })
  t.equal(walk.ran.length, runnable, 'every command of every block ran')

  t.equal(await server.stop(), 0, 'the server stops with exit code 0 on SIGTERM')
  t.notMatch(server.output(), /"level":50/, 'the server logged no error', { log: server.output() })
})

t.test('the walk-through leaves only the ADMIN and API settings to do by hand', async (t) => {
  const manual = blocks.filter((b) => b.manual)
  t.equal(manual.length, 1, 'one manual step')
  const names = manual.flatMap((b) => b.commands.map((c) => /^(?:export\s+)?([A-Za-z_]\w*)=/.exec(c)?.[1] ?? c))
  t.same(names.sort(), ['ADMIN', 'API'], 'it only sets the variables the test provides')
  t.match(manual[0]?.text ?? '', /^API=http:\/\/127\.0\.0\.1:3000$/m, 'with the default address')
  t.ok(blocks.length >= 7 && blocks.filter((b) => !b.manual).every((b) => b.commands.length > 0), 'every other block has commands to run')
})

/** The outputs of the commands in the walk-through block whose text matches. */
function step(pattern: RegExp): Ran[] {
  const index = blocks.findIndex((b) => !b.manual && pattern.test(b.text))
  if (index < 0) throw new Error(`no walk-through block matches ${pattern}`)
  return ranIn(index)
}

/** The outputs of the commands in block `index`. */
function ranIn(index: number): Ran[] {
  if (!walk) throw new Error('the walk-through did not run: see the first test')
  return walk.ran.filter((r) => r.block === index)
}

/** The output of the one command in `ran` whose text matches. */
function output(ran: Ran[], pattern: RegExp): string {
  const found = ran.filter((r) => pattern.test(r.command))
  if (found.length !== 1) throw new Error(`expected one command matching ${pattern} to have run, found ${found.length}`)
  return found[0]!.output
}

t.test('the walk-through creates a write key and shows its secret once', async (t) => {
  const ran = step(/\/v1\/api-keys/)
  const answer = json(output(ran, /^echo "\$answer"/))
  t.match(answer, { name: 'night desk', scope: 'write', key: /^nd_/ })
  t.not(answer.key, ADMIN_KEY)
  t.equal(output(ran, /^KEY=/), '', 'KEY is captured silently')
})

t.test('the walk-through creates a draft: 201 with Location and ETag', async (t) => {
  const answer = http(output(step(/-X POST "\$API\/v1\/articles"/), /curl/))
  t.equal(answer.status, 201)
  t.match(answer.headers.location, /^\/v1\/articles\/[0-9a-f-]{36}$/)
  t.match(answer.headers.etag, /^"1-[0-9a-f]+"$/)
  t.match(json(answer.body), { slug: SLUG, status: 'draft', version: 1 })
})

t.test('the walk-through publishes with If-Match, then a stale If-Match is 412', async (t) => {
  const [publish, stale, ...more] = blocks.flatMap((b, i) => (!b.manual && /\/publish"/.test(b.text) ? [i] : []))
  if (publish === undefined || stale === undefined || more.length > 0) throw new Error('expected two publish blocks')
  t.match(json(output(ranIn(publish), /curl/)), { slug: SLUG, status: 'published', version: 2 })
  const again = http(output(ranIn(stale), /curl/))
  t.equal(again.status, 412)
  t.match(again.headers['content-type'], /^application\/problem\+json/)
  t.match(json(again.body), { status: 412, currentVersion: 2 })
})

t.test('the walk-through fetches the article by slug without a key and finds it first in the list', async (t) => {
  const ran = step(/\?limit=5/)
  const fetched = http(output(ran, /^curl -s -i "\$API\/v1\/articles\/ferry/))
  t.equal(fetched.status, 200)
  t.match(fetched.headers.etag, /^"2-[0-9a-f]+"$/)
  t.match(json(fetched.body), { slug: SLUG, status: 'published' })
  const list = json(output(ran, /\?limit=5/)) as { data: { slug: string }[] }
  t.ok(list.data.length > 1, 'the demo stories are listed too')
  t.equal(list.data[0]?.slug, SLUG, 'newest first')
})

t.test('the walk-through asks again with the ETag and gets 304 with no body', async (t) => {
  const ran = step(/If-None-Match/)
  t.equal(output(ran, /^ETAG=/), '', 'ETAG is captured silently')
  const answer = http(output(ran, /If-None-Match/))
  t.equal(answer.status, 304)
  t.match(answer.headers.etag, /^"2-[0-9a-f]+"$/)
  t.equal(answer.body, '')
})

t.test('the walk-through shows a 404 as problem JSON, as its comment says', async (t) => {
  const index = blocks.findIndex((b) => /no-such-story/.test(b.text))
  const answer = http(output(step(/no-such-story/), /no-such-story/))
  t.equal(answer.status, 404)
  t.match(answer.headers['content-type'], /^application\/problem\+json/)
  t.match(json(answer.body), { type: '/problems/not-found', title: 'Not Found', status: 404, detail: /no-such-story/ })
  const shown = /^# (\{.*),\.\.\.\}$/m.exec(blocks[index]?.text ?? '')?.[1]
  t.ok(shown, 'the block shows the answer in a comment')
  t.ok(shown && answer.body.startsWith(`${shown},`), 'the shown answer is how the real one starts', { shown, body: answer.body })
})
