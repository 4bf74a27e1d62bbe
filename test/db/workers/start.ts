import { Worker } from 'node:worker_threads'

/**
 * A worker thread running a TypeScript module of test/db/workers. Loader hooks
 * registered with --import (tsx, which the tests run under) do not reach worker
 * threads on Node 20, so the worker loads the module through tsx's own API.
 * The module reads its `workerData` as usual (`script` is added beside it).
 */
export function startWorker(module: URL, workerData: Record<string, unknown>): Worker {
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ tsImport }) => tsImport(require('node:worker_threads').workerData.script, __filename))`
  return new Worker(boot, { eval: true, workerData: { ...workerData, script: module.href } })
}
