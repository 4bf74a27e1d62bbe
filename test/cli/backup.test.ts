import t from 'tap'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import { reuseCompiled } from '../compilers.js'
import { runCli } from './run.js'
import { runBackupCli } from '../../src/cli/backup.js'

/* npm run backup: an online backup taken (by a process of its own) while the server writes restores to a sound database that boots. */

t.test('a backup taken under write load passes integrity_check and boots with the writes acknowledged before it', async (t) => {
  const dir = t.testdir()
  const file = join(dir, 'newsdesk.db')
  const live = await buildApp(testConfig({ databasePath: file }), { compilers: reuseCompiled })
  t.teardown(() => live.app.close())
  const editor = { keyId: null, scope: 'write' as const }
  const write = (i: number) => live.services.articles.create({ headlines: { basic: `Harbour story ${i}` }, body: [{ type: 'paragraph', html: `Ferry report number ${i}.` }] }, editor)
  for (let i = 0; i < 50; i++) await write(i)
  const beforeBackup = 50

  // Writes keep coming while the backup runs in another process.
  let written = beforeBackup
  let running = true
  const load = (async () => {
    while (running) {
      await write(written)
      written += 1
      await new Promise((resolve) => setImmediate(resolve))
    }
  })()
  const copy = join(dir, 'backup', 'copy.db')
  const run = await runCli('backup', file, [copy])
  running = false
  await load
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, /^backed up \d+ pages \(\d+ bytes\) to .*copy\.db in \d+ ms; integrity_check: ok; search index: ok\n$/)
  t.comment(`${run.stdout.trim()}; ${written - beforeBackup} articles written during the backup`)

  const restored = await buildApp(testConfig({ databasePath: copy }), { compilers: reuseCompiled })
  t.teardown(() => restored.app.close())
  const count = (await restored.services.articles.list({ limit: 1, total: true }, editor)).total!
  t.ok(count >= beforeBackup && count <= written, `the copy holds ${count} articles: every one written before the backup began, none invented`)
  t.equal((await restored.app.inject({ url: '/readyz' })).statusCode, 200, 'the restored database boots and answers')
  t.equal((await restored.services.articles.list({ q: 'ferry', limit: 1, total: true }, editor)).total, count, 'and its search index matches its articles')

  // What only the command's logic decides, in this process (runBackupCli is what the process runs).
  const inProcess = async (args: string[]) => {
    const run = { code: null as number | null, stdout: '', stderr: '' }
    run.code = await runBackupCli(args, {
      stdout: { write: (s: string) => (run.stdout += s) },
      stderr: { write: (s: string) => (run.stderr += s) },
      env: { DATABASE_PATH: file },
    })
    return run
  }
  const again = await inProcess([copy])
  t.equal(again.code, 1, 'a backup never overwrites a file')
  t.match(again.stderr, /exists already/)
  t.equal((await inProcess([])).code, 2, 'usage')
  const onPostgres = { code: 0, stderr: '' }
  onPostgres.code = await runBackupCli([join(dir, 'pg.db')], { stdout: { write: () => true }, stderr: { write: (s: string) => (onPostgres.stderr += s) }, env: { DATABASE_URL: 'postgres://newsdesk@db.example/newsdesk' } })
  t.equal(onPostgres.code, 1, 'on PostgreSQL the command refuses')
  t.match(onPostgres.stderr, /pg_dump/, 'and names the tool to use')
})
