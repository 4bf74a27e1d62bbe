import t from 'tap'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import { rebuildSearch } from '../../src/cli/search.js'
import { reuseCompiled } from '../compilers.js'

// Each app reuses the route schemas the first compiled (see test/compilers.ts).
const reused = { compilers: reuseCompiled }

t.test('npm run search:rebuild rebuilds a lost search index from the articles', async (t) => {
  const file = join(t.testdir(), 'db.sqlite')
  const first = await buildApp(testConfig({ databasePath: file }), reused)
  const editor = { keyId: null, scope: 'write' as const }
  for (const headline of ['Harbour tunnel floods', 'Ferry timetable changes']) {
    await first.services.articles.create({ headlines: { basic: headline }, body: [{ type: 'paragraph', html: 'Commuters &amp; crews.' }] }, editor)
  }
  first.data.sqlite!.exec('DELETE FROM articles_fts')
  const search = async () => (await first.services.articles.list({ q: 'harbour' }, editor)).items.length
  t.equal(await search(), 0, 'the index is empty')
  await first.app.close()

  t.equal(await rebuildSearch({ DATABASE_PATH: file, LOG_LEVEL: 'silent' }, reused), 2)
  const again = await buildApp(testConfig({ databasePath: file }), reused)
  t.teardown(() => again.app.close())
  t.equal((await again.services.articles.list({ q: 'harbour' }, editor)).items.length, 1)
  t.equal((await again.services.articles.list({ q: 'crews' }, editor)).items.length, 2, 'body text, entities decoded')
})
