/**
 * The serialisation ceiling: bare Fastify 5 answering GET /articles/:id with one
 * constant, pre-serialised article (a real one, fetched from Newsdesk by the
 * runner). No database, no schema, no hooks: what HTTP alone costs on this machine.
 * Env: PORT, ARTICLE_FILE (the JSON to send).
 */
import Fastify from 'fastify'
import { readFileSync } from 'node:fs'

const body = readFileSync(process.env.ARTICLE_FILE!, 'utf8')
const app = Fastify({ logger: false })
app.get('/articles/:id', (_request, reply) => {
  reply.header('content-type', 'application/json; charset=utf-8').send(body)
})
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
