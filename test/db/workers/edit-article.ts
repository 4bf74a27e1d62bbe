// A worker for test/routes/v1/renderings.test.ts: another connection to the shared file, as a second process would be.
import { parentPort, workerData } from 'node:worker_threads'
import { openDataLayer } from '../../../src/db/index.js'
import { createServices } from '../../../src/services/index.js'
import { atVersion } from '../../../src/services/preconditions.js'

const { file, id, version, headline } = workerData as { file: string; id: string; version: number; headline: string }
const data = await openDataLayer(file)
const services = createServices(data.repos)
const agg = await services.articles.patch(id, atVersion(version), { headlines: { basic: headline } }, { keyId: null, scope: 'write' })
await data.close()
parentPort!.postMessage(agg.article.version)
