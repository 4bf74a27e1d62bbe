import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildApp, type BuildOptions } from '../app.js'
import { isMain } from './main.js'
import { testConfig } from '../config.js'

export const SPEC_PATH = fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url))

/** The OpenAPI document as the code generates it, in the committed file's format (options: tests only, see buildApp). */
export async function generateSpec(options: BuildOptions = {}): Promise<string> {
  const { app } = await buildApp(testConfig(), options)
  try {
    return `${JSON.stringify(app.swagger(), null, 2)}\n`
  } finally {
    await app.close()
  }
}

if (isMain(import.meta.url)) {
  const spec = await generateSpec()
  mkdirSync(dirname(SPEC_PATH), { recursive: true })
  writeFileSync(SPEC_PATH, spec)
  process.stdout.write(`wrote ${SPEC_PATH}\n`)
}
