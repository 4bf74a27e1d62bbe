/**
 * The data floor: bare Fastify 5 + better-sqlite3 over the database Newsdesk
 * serves (opened read-only), with statements prepared once: one primary-key
 * SELECT of a whole article row, and the 20 newest published rows. Rows are
 * sent as they are stored (JSON.stringify, no mapping, no schema).
 * Env: PORT, DATABASE_PATH.
 *
 * The SQL names the articles table and its id, status and listed_at columns;
 * if the data layer renames them, change these two statements.
 */
import Database from 'better-sqlite3'
import Fastify from 'fastify'

const db = new Database(process.env.DATABASE_PATH!, { readonly: true, fileMustExist: true })
const byId = db.prepare('SELECT * FROM articles WHERE id = ?')
const newest = db.prepare("SELECT * FROM articles WHERE status = 'published' ORDER BY listed_at DESC, id DESC LIMIT 20")

const app = Fastify({ logger: false })
app.get<{ Params: { id: string } }>('/articles/:id', (request, reply) => {
  const row = byId.get(request.params.id)
  if (row === undefined) reply.code(404).send({ title: 'Not Found' })
  else reply.send(row)
})
app.get('/articles', (_request, reply) => {
  reply.send({ data: newest.all() })
})
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
process.on('SIGTERM', () => void app.close().then(() => (db.close(), process.exit(0))))
