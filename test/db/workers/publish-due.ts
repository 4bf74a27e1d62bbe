// A worker for test/db/queries.test.ts: its own connection to the shared file, publishing what is due.
import { parentPort, workerData } from 'node:worker_threads'
import { openDataLayer } from '../../../src/db/index.js'
import { createServices } from '../../../src/services/index.js'

const { file, now } = workerData as { file: string; now: number }
const data = await openDataLayer(file)
const services = createServices(data.repos, { now: () => new Date(now), newId: () => crypto.randomUUID() })
let published = 0
// Until nothing is due (a round that met the other thread's write lock publishes less and leaves the rest for the next).
const deadline = Date.now() + 120_000
while ((await data.repos.articles.dueScheduled(new Date(now).toISOString(), 1)).length > 0 && Date.now() < deadline) {
  published += await services.articles.publishDue()
}
await data.close()
parentPort!.postMessage(published)
