import t from 'tap'
import { readFileSync } from 'node:fs'
import { SPEC_PATH, generateSpec } from '../src/cli/openapi.js'

interface Operation {
  operationId?: string
  tags?: string[]
  summary?: string
  responses: Record<string, { content?: Record<string, unknown> }>
}

t.test('the committed openapi/openapi.json equals what the code generates (run npm run openapi)', async (t) => {
  const generated = await generateSpec()
  t.equal(readFileSync(SPEC_PATH, 'utf8'), generated)
})

t.test('every operation has a unique operationId, a tag, a summary and documented errors', async (t) => {
  const spec = JSON.parse(await generateSpec())
  const ids = new Set<string>()
  for (const [path, methods] of Object.entries<Record<string, Operation>>(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const where = `${method.toUpperCase()} ${path}`
      t.ok(op.operationId, `${where} has an operationId`)
      t.notOk(ids.has(op.operationId!), `${where} operationId is unique`)
      ids.add(op.operationId!)
      t.ok(op.tags?.length, `${where} has a tag`)
      t.ok(op.summary, `${where} has a summary`)
      t.ok(Object.keys(op.responses).some((s) => s.startsWith('2')), `${where} documents success`)
      if (path.startsWith('/v1/')) {
        t.ok(op.responses['500']?.content?.['application/problem+json'], `${where} documents 500 as problem+json`)
        t.ok(op.responses['401'], `${where} documents 401`)
      }
    }
  }
  t.ok(ids.size >= 25)
})

t.test('schemas are named components, never def-N', async (t) => {
  const spec = JSON.parse(await generateSpec())
  const names = Object.keys(spec.components.schemas)
  t.same(names.filter((n) => /^def-\d+$/.test(n)), [])
  for (const name of ['Article', 'ArticleCreate', 'Problem', 'BodyBlock', 'Media', 'Topic', 'Contributor', 'ApiKey']) t.ok(names.includes(name), name)
  t.notMatch(JSON.stringify(spec), /"\$ref":"(?!#\/components\/schemas\/)/, 'every $ref points at a component')
})
