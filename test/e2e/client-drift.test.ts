import t from 'tap'
import { readFileSync } from 'node:fs'
import { CLIENT_TYPES_PATH, generateClientTypes } from '../../src/cli/client.js'

t.test('the committed openapi/client/schema.d.ts equals what the committed spec generates (run npm run client)', async (t) => {
  t.equal(readFileSync(CLIENT_TYPES_PATH, 'utf8'), await generateClientTypes())
})

t.test('the generator is deterministic', async (t) => {
  t.equal(await generateClientTypes(), await generateClientTypes())
})
