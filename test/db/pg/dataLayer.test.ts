import t from 'tap'
import { openDataLayer } from '../../../src/db/index.js'
import { pgliteCopy, serverTarget } from '../../pg.js'

t.test('openDataLayer on an open PostgreSQL database (PGlite) answers ping, and closes it', async (t) => {
  const { client, db } = await pgliteCopy()
  let closed = false
  const data = await openDataLayer({ postgres: db, close: async () => { closed = true; await client.close() } })
  t.equal(data.engine, 'postgres')
  t.equal(data.sqlite, undefined, 'no SQLite handle')
  t.equal(await data.ping(), true)
  await data.close()
  t.ok(closed)
})

t.test('openDataLayer on a postgres:// URL connects, migrates and answers ping', async (t) => {
  const server = await serverTarget(t)
  if ('skip' in server) {
    t.comment(`skipped: ${server.skip}`)
    return
  }
  const data = await openDataLayer(server.url, { poolSize: 2 })
  t.teardown(() => data.close())
  t.equal(data.engine, 'postgres')
  t.equal(await data.ping(), true)
})

t.test('openDataLayer on an SQLite path is SQLite, with its handle', async (t) => {
  const data = await openDataLayer(':memory:')
  t.teardown(() => data.close())
  t.equal(data.engine, 'sqlite')
  t.ok(data.sqlite)
  t.equal(await data.ping(), true)
})

t.test('a copy of the migrated PGlite template is quick to open', async (t) => {
  await pgliteCopy().then(({ client }) => client.close()) // the template, once
  const started = performance.now()
  const { client } = await pgliteCopy()
  const ms = performance.now() - started
  await client.close()
  t.comment(`a PGlite copy opened in ${ms.toFixed(0)} ms`)
  t.ok(ms < 10_000)
})
