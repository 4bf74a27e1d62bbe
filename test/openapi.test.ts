import t from 'tap'
import { readFileSync } from 'node:fs'
import { SPEC_PATH, generateSpec } from '../src/cli/openapi.js'
import { reuseCompiled } from './compilers.js'

interface Schema {
  $ref?: string
  type?: string
  enum?: unknown[]
  required?: string[]
  properties?: Record<string, Schema>
  oneOf?: Schema[]
  discriminator?: { propertyName: string; mapping?: Record<string, string> }
}
interface Response {
  description?: string
  headers?: Record<string, { required?: boolean; schema?: Schema }>
  content?: Record<string, { schema?: Schema }>
}
interface Operation {
  operationId?: string
  tags?: string[]
  summary?: string
  requestBody?: { required?: boolean; content?: Record<string, unknown> }
  responses: Record<string, Response>
}
interface Document {
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, Schema> }
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch'])
function operations(spec: Document): Map<string, Operation> {
  const out = new Map<string, Operation>()
  for (const item of Object.values(spec.paths)) {
    for (const [method, op] of Object.entries(item)) if (METHODS.has(method) && op.operationId) out.set(op.operationId, op)
  }
  return out
}
const component = (ref: string | undefined) => ref?.replace('#/components/schemas/', '')

// Generated once (building the app is the slow part); every test reads its own parse of it.
const generated = await generateSpec({ compilers: reuseCompiled })

t.test('the committed openapi/openapi.json equals what the code generates (run npm run openapi)', async (t) => {
  t.equal(readFileSync(SPEC_PATH, 'utf8'), generated)
})

t.test('every operation has a unique operationId, a tag, a summary and documented errors', async (t) => {
  const spec = JSON.parse(generated)
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
  const spec = JSON.parse(generated)
  const names = Object.keys(spec.components.schemas)
  t.same(names.filter((n) => /^def-\d+$/.test(n)), [])
  for (const name of ['Article', 'ArticleCreate', 'Problem', 'BodyBlock', 'Media', 'Topic', 'Contributor', 'ApiKey']) t.ok(names.includes(name), name)
  t.notMatch(JSON.stringify(spec), /"\$ref":"(?!#\/components\/(schemas|parameters|headers)\/)/, 'every $ref points at a component')
})

t.test('every /v1 read takes a Consistency-Token header, and every /v1 write that succeeds gives one', async (t) => {
  const spec = JSON.parse(generated)
  const ref = (r: { $ref?: string }, to: string) => r.$ref === to
  for (const [path, item] of Object.entries(spec.paths as Record<string, Record<string, { operationId: string; parameters?: { $ref?: string }[]; responses: Record<string, { headers?: Record<string, { $ref?: string }> }> }>>)) {
    if (!path.startsWith('/v1/')) continue
    for (const [method, op] of Object.entries(item)) {
      if (method === 'get') {
        t.ok((op.parameters ?? []).some((p) => ref(p, '#/components/parameters/ConsistencyToken')), `${op.operationId} takes it`)
        t.ok(op.responses['400'], `${op.operationId} may answer 400`)
      } else {
        for (const [status, r] of Object.entries(op.responses)) if (status.startsWith('2')) t.ok(ref(r.headers?.['Consistency-Token'] ?? {}, '#/components/headers/ConsistencyToken'), `${op.operationId} ${status} gives it`)
      }
    }
  }
  t.equal(spec.components.parameters.ConsistencyToken.in, 'header')
})

t.test('workflow actions take an optional body; every other body is required; no marker is left', async (t) => {
  const text = generated
  const ops = operations(JSON.parse(text) as Document)
  const optional = ['publishArticle', 'unpublishArticle', 'archiveArticle', 'restoreArticle', 'restoreRevision']
  for (const [id, op] of ops) {
    if (!op.requestBody) continue
    t.equal(op.requestBody.required, !optional.includes(id), `${id}: requestBody.required is ${!optional.includes(id)}`)
  }
  for (const id of optional) t.ok(ops.get(id)?.requestBody?.content?.['application/json'], `${id} documents its JSON body`)
  t.notMatch(text, /"x-optional-body"|"x-required"/, 'the markers are removed from the document')
})

t.test('tagged unions carry a discriminator mapping to their branches, and the article body is one', async (t) => {
  const spec = JSON.parse(generated) as Document
  const schemas = spec.components.schemas
  let unions = 0
  for (const [name, schema] of Object.entries(schemas)) {
    if (!schema.discriminator) continue
    unions++
    const { propertyName, mapping } = schema.discriminator
    t.ok(mapping, `${name} has a mapping`)
    t.same(Object.values(mapping ?? {}).sort(), (schema.oneOf ?? []).map((b) => b.$ref).sort(), `${name}: the mapping names every branch`)
    for (const [tag, ref] of Object.entries(mapping ?? {})) {
      t.same(schemas[component(ref)!]?.properties?.[propertyName]?.enum, [tag], `${name}: ${tag} is the ${propertyName} of ${component(ref)}`)
    }
  }
  t.ok(unions >= 2, 'BodyBlock and BodyBlockOut at least')
  const out = schemas.BodyBlockOut!
  t.same(Object.keys(out.discriminator?.mapping ?? {}).sort(), Object.keys(schemas.BodyBlock!.discriminator?.mapping ?? {}).sort(), 'an output block for every input block type')
  t.equal(schemas.Article?.properties?.body?.type, 'array')
  t.same(schemas.Article?.properties?.body, { type: 'array', items: { $ref: '#/components/schemas/BodyBlockOut' } })
  for (const media of ['ImageBlockOut', 'VideoBlockOut']) {
    t.same(Object.keys(schemas[media]?.properties ?? {}).filter((k) => ['caption', 'credit', 'media'].includes(k)), ['caption', 'credit', 'media'], `${media} has the resolved caption, credit and media`)
  }
})

t.test('problems: no currentEtag; every 412 names the current version', async (t) => {
  const spec = JSON.parse(generated) as Document
  t.notOk(spec.components.schemas.Problem?.properties?.currentEtag, 'Problem has no currentEtag')
  t.ok(spec.components.schemas.PreconditionFailedProblem?.required?.includes('currentVersion'))
  let count = 0
  for (const [id, op] of operations(spec)) {
    const p = op.responses['412']
    if (!p) continue
    count++
    t.equal(p.content?.['application/problem+json']?.schema?.$ref, '#/components/schemas/PreconditionFailedProblem', `${id}: 412`)
  }
  t.ok(count >= 10)
})

t.test('enums are referenced, not repeated as free strings', async (t) => {
  const { schemas } = (JSON.parse(generated) as Document).components
  t.equal(schemas.ContributorRef?.properties?.kind?.$ref, '#/components/schemas/ContributorKind')
  t.equal(schemas.ArticleTopic?.properties?.kind?.$ref, '#/components/schemas/TopicKind')
})

t.test('article operations document their response headers', async (t) => {
  const ops = operations(JSON.parse(generated) as Document)
  const headers = (id: string, status: string) => ops.get(id)?.responses[status]?.headers ?? {}
  const required = (id: string, status: string) =>
    Object.entries(headers(id, status))
      .filter(([, h]) => h.required)
      .map(([name]) => name)
      .sort()
  t.same(required('getArticle', '200'), ['Cache-Control', 'ETag', 'Last-Modified', 'Surrogate-Key'])
  t.same(required('createArticle', '201'), ['ETag', 'Last-Modified', 'Location'])
  t.same(headers('createArticle', '201')['Idempotent-Replayed'], {
    schema: { type: 'string', enum: ['true'] },
    description: '"true" when this is the stored answer to an earlier request with the same Idempotency-Key.',
  })
  for (const id of ['replaceArticle', 'updateArticle', 'publishArticle', 'unpublishArticle', 'archiveArticle', 'restoreArticle', 'scheduleArticle', 'restoreRevision', 'addCorrection']) {
    t.same(required(id, '200'), ['ETag', 'Last-Modified'], `${id}: ETag and Last-Modified`)
  }
  for (const id of ['listArticles', 'listRelatedArticles']) {
    t.same(required(id, '200'), ['Cache-Control', 'ETag', 'Surrogate-Key'], `${id}: list headers`)
    t.notOk(headers(id, '200')['Last-Modified'], `${id}: no Last-Modified (a page can change with no item newer)`)
    t.ok(headers(id, '304').ETag, `${id}: 304 has the ETag`)
  }
  t.same(required('createMedia', '201'), ['ETag', 'Last-Modified', 'Location'], 'catalogue creates too')
})

t.test('summaries read as English; operationIds stay as they were', async (t) => {
  const ops = operations(JSON.parse(generated) as Document)
  t.equal(ops.get('createMedia')?.summary, 'Create a media item')
  t.equal(ops.get('listMediaItems')?.summary, 'List media items')
  t.equal(ops.get('getMedia')?.summary, 'Get a media item by id')
  t.equal(ops.get('createTopic')?.summary, 'Create a topic')
  for (const [id, op] of ops) t.notMatch(op.summary ?? '', /\ba media\b(?! item)|mediaitems/i, `${id}: ${op.summary}`)
})

t.test('/metrics is text/plain only, so clients read it as text', async (t) => {
  const ops = operations(JSON.parse(generated) as Document)
  const content = ops.get('getMetrics')?.responses['200']?.content ?? {}
  t.same(Object.keys(content), ['text/plain'])
  t.equal(content['text/plain']?.schema?.type, 'string')
})

t.test('the spec generates good clients: no defaults in requests, If-Match required with 428 documented, merge-patch, titled blocks, true examples', async (t) => {
  const text = generated
  const spec = JSON.parse(text) as Document & { paths: Record<string, Record<string, Operation & { parameters?: { in: string; name: string; required?: boolean; schema?: Schema & { default?: unknown } }[] }>> }
  const schemas = spec.components.schemas as Record<string, Schema & { title?: string; default?: unknown }>
  t.notMatch(text, /"default":/, 'no `default` anywhere: openapi-typescript would make such request fields required')
  t.notOk(schemas.ArticleTopicInput?.required?.includes('primary'), 'ArticleTopicInput.primary is optional')

  let writes = 0
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const ifMatch = op.parameters?.find((p) => p.in === 'header' && p.name === 'if-match')
      if (ifMatch) {
        writes++
        t.equal(ifMatch.required, true, `${op.operationId}: If-Match is required, so SDKs send it`)
        t.ok(op.responses['428'], `${op.operationId}: documents 428 for a missing one`)
        t.ok(op.responses['412'], `${op.operationId}: documents 412 for a stale one`)
      }
      if (method === 'patch' && op.requestBody) {
        t.same(Object.keys(op.requestBody.content ?? {}), ['application/json', 'application/merge-patch+json'], `PATCH ${path} lists merge-patch`)
      }
      for (const [status, response] of Object.entries(op.responses)) {
        const example = (response.content?.['application/problem+json'] as { example?: { status: number; type: string } } | undefined)?.example
        if (example) t.equal(example.status, Number(status), `${op.operationId} ${status}: the example says ${status}`)
      }
    }
  }
  t.ok(writes >= 15, `${writes} operations take If-Match`)

  for (const union of ['BodyBlock', 'BodyBlockOut']) {
    const u = schemas[union]!
    t.notOk(u.type, `${union} is a bare oneOf (no object | (...))`)
    for (const branch of u.oneOf ?? []) t.equal(schemas[component(branch.$ref)!]?.title, component(branch.$ref), `${component(branch.$ref)} has its title`)
  }
  const descriptions: string[] = []
  JSON.parse(text, (key, value: unknown) => {
    if (key === 'description' && typeof value === 'string') descriptions.push(value)
    return value
  })
  t.same(
    descriptions.filter((d) => /<[a-z]+>/.test(d.replace(/`[^`]*`/g, ''))),
    [],
    'no <word> outside code spans in a description: Markdown would swallow it (the 304 ETag showed "-")',
  )
  const sparse = schemas.SparseArticleListItem!
  t.same(sparse.required, ['id'], 'a sparse list item has only its id for sure')
  t.same(Object.keys(sparse.properties ?? {}).sort(), Object.keys(schemas.ArticleListItem?.properties ?? {}).sort(), 'and any field of a list item')
})

t.test("every operation with a path parameter documents the router's 414 for an over-long one", async (t) => {
  const spec = JSON.parse(generated) as Document
  for (const [path, methods] of Object.entries(spec.paths)) {
    if (!path.includes('{')) continue
    for (const [method, op] of Object.entries(methods)) t.ok(op.responses['414']?.content?.['application/problem+json'], `${method.toUpperCase()} ${path} documents 414`)
  }
})

t.test('every operation states its own security: none for public ones, a key for writes, a key or none for reads', async (t) => {
  const spec = JSON.parse(generated) as { paths: Record<string, Record<string, { operationId: string; security?: unknown }>> }
  const ops = Object.values(spec.paths).flatMap((m) => Object.entries(m).map(([method, op]) => ({ method, ...op })))
  for (const op of ops) t.ok(Array.isArray(op.security), `${op.operationId} has security`)
  const byId = new Map(ops.map((op) => [op.operationId, op.security]))
  t.same(byId.get('getHealth'), [])
  t.same(byId.get('getArticle'), [{ bearer: [] }, {}])
  t.same(byId.get('createArticle'), [{ bearer: [] }])
  t.same(byId.get('listApiKeys'), [{ bearer: [] }])
  t.same(byId.get('getMetrics'), [{ bearer: [] }])
})

t.test('every rate-limited operation documents its 429 with Retry-After and RateLimit headers; health, metrics and the document do not', async (t) => {
  const spec = JSON.parse(generated) as { paths: Record<string, Record<string, { operationId: string; responses: Record<string, { headers?: Record<string, { required?: boolean }> }> }>> }
  const unlimited = new Set(['/healthz', '/readyz', '/metrics', '/openapi.json'])
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const op of Object.values(item)) {
      const limited = op.responses['429']
      if (unlimited.has(path)) {
        t.notOk(limited, `${op.operationId} is never rate limited`)
        continue
      }
      t.ok(limited, `${op.operationId} documents 429`)
      t.same(Object.keys(limited?.headers ?? {}).sort(), ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After'], `${op.operationId}: the 429's headers`)
      t.ok(Object.values(limited?.headers ?? {}).every((h) => h.required === true))
    }
  }
  t.notOk(generated.includes('x-rate-limited'), 'no marker is left')
})
