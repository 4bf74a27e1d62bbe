import t from 'tap'
import { join } from 'node:path'
import { runKeysCli } from '../../src/cli/keys.js'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import { reuseCompiled } from '../compilers.js'

/** Runs `npm run keys -- ...` in-process on the database at `file`; returns the exit code and what it wrote. */
async function keys(file: string, ...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runKeysCli(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: { DATABASE_PATH: file } })
  return { code, stdout, stderr }
}

t.test('npm run keys creates an admin key that the API accepts, lists it, and revokes it', async (t) => {
  const file = join(t.testdir(), 'db.sqlite')
  const created = await keys(file, 'create', '--scope', 'admin', '--name', 'lost my first key')
  t.equal(created.code, 0, created.stderr)
  const secret = /\n {2}(nd_[A-Za-z0-9_-]+)\n/.exec(created.stdout)?.[1]
  const id = /admin key (\S+) \(lost my first key\)/.exec(created.stdout)?.[1]
  t.ok(secret, 'the secret is printed once')
  t.ok(id, 'with the id of the key')

  const { app } = await buildApp(testConfig({ databasePath: file }), { compilers: reuseCompiled })
  t.teardown(() => app.close())
  const asKey = { authorization: `Bearer ${secret}` }
  t.equal((await app.inject({ url: '/v1/api-keys', headers: asKey })).statusCode, 200, 'the new key is an admin key')

  const listed = await keys(file, 'list')
  t.equal(listed.code, 0)
  t.match(listed.stdout, new RegExp(`^${id}  admin  nd_\\S+…  lost my first key  \\(created \\S+, last used \\S+\\)$`, 'm'))
  t.notMatch(listed.stdout, secret!, 'list never shows a secret')

  const last = await keys(file, 'revoke', id!)
  t.equal(last.code, 1, 'the last active admin key is not revoked')
  t.match(last.stderr, /last active admin key/)
  t.equal((await keys(file, 'create', '--scope', 'admin', '--name', 'the new one')).code, 0)
  const revoked = await keys(file, 'revoke', id!)
  t.equal(revoked.code, 0, revoked.stderr)
  t.match(revoked.stdout, `Revoked admin key ${id}`)
  t.equal((await app.inject({ url: '/v1/api-keys', headers: asKey })).statusCode, 401, 'a revoked key is refused')
  t.match((await keys(file, 'list')).stdout, /revoked \S+\)$/m)
})

t.test('npm run keys refuses bad usage with exit code 2 and an unknown id with 1', async (t) => {
  const file = join(t.testdir(), 'db.sqlite')
  const cases: [string[], number, RegExp][] = [
    [[], 2, /Say what to do: create, list or revoke/],
    [['rotate'], 2, /Unknown command 'rotate'/],
    [['create', '--name', 'x'], 2, /--scope must be one of admin, write, read/],
    [['create', '--scope', 'root', '--name', 'x'], 2, /got 'root'/],
    [['create', '--scope', 'admin'], 2, /--name must be 1 to 100 characters/],
    [['create', '--scope', 'admin', '--name', 'x', '--colour', 'red'], 2, /Unknown option '--colour'/],
    [['revoke'], 2, /revoke takes one key id/],
    [['revoke', 'no-such-key'], 1, /No API key with id 'no-such-key'/],
  ]
  for (const [argv, code, message] of cases) {
    const run = await keys(file, ...argv)
    t.equal(run.code, code, argv.join(' ') || '(nothing)')
    t.match(run.stderr, message)
  }
  t.equal((await keys(file, '--help')).code, 0)
})
