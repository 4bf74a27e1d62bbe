import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PROBLEM_TYPES } from '../../src/routes/problems.js'
import { DOMAIN_PROBLEMS } from '../../src/plugins/problem.js'
import { testApp } from '../helpers.js'

const src = fileURLToPath(new URL('../../src/', import.meta.url))
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))

t.test('every problem type the code answers with has a page', async (t) => {
  const used = new Set<string>()
  for (const file of sources(src)) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/code: '([a-z-]+)'/g)) used.add(m[1]!)
    for (const m of text.matchAll(/code: status === 429 \? '([a-z-]+)' : '([a-z-]+)'/g)) used.add(m[1]!).add(m[2]!)
  }
  t.ok(used.size >= 8, `${used.size} problem codes sent by the HTTP layer`)
  for (const code of used) t.ok(PROBLEM_TYPES[code], `/problems/${code} has a page`)
  for (const [code, { status }] of Object.entries(DOMAIN_PROBLEMS)) t.equal(PROBLEM_TYPES[code]?.status, status, `/problems/${code} has a page with the status the error answers with`)
})

t.test('GET /problems/CODE is a short HTML page for people; an unknown type is a 404 problem', async (t) => {
  const h = await testApp(t)
  for (const [code, p] of Object.entries(PROBLEM_TYPES)) {
    const res = await h.app.inject({ url: `/problems/${code}` })
    t.equal(res.statusCode, 200, code)
    t.equal(res.headers['content-type'], 'text/html; charset=utf-8')
    t.match(res.body, `<h1>${p.title.replace(/'/g, '&#39;')}</h1>`)
    t.match(res.body, `HTTP status ${p.status}`)
  }
  const validation = await h.app.inject({ url: '/problems/validation' })
  t.match(validation.body, '<code>/body/headlines/basic</code>', 'code spans are code')
  const index = await h.app.inject({ url: '/problems' })
  t.equal(index.statusCode, 200)
  for (const code of Object.keys(PROBLEM_TYPES)) t.match(index.body, `href="/problems/${code}"`)
  const unknown = await h.app.inject({ url: '/problems/no-such-problem' })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().type, '/problems/not-found')

  // The type of an actual problem resolves against the server that sent it.
  const problem = (await h.app.inject({ url: '/v1/articles?limit=0' })).json() as { type: string }
  t.equal((await h.app.inject({ url: problem.type })).statusCode, 200)
})
