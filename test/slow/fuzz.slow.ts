/**
 * Spec-driven fuzzing: for every operation of openapi/openapi.json, inputs
 * made by fast-check from the operation's own schemas (mostly valid, with
 * boundary lengths, maxItems+1, unicode edge cases, wrong types, extra and
 * prototype keys, FTS syntax, garbage cursors, ids and If-Match) sent with an
 * admin key, anonymously, with other scopes and with broken keys. Every answer
 * must be documented: no 5xx, errors as problem+json carrying their own status,
 * bodies matching the schema of their status, required headers present.
 *
 * FUZZ_SEED: a number (default 20261129), or `random`; FUZZ_RUNS: inputs per operation.
 */
import t from 'tap'
import fc from 'fast-check'
import { testApp, minimalArticle } from '../helpers.js'
import { PROBLEM_TYPES } from '../../src/routes/problems.js'
import { arbOf, asText, component, deviationsOf, encodeSegment, NASTY_STRINGS, operations, resolve, withProtoKey, type Operation, type Schema } from './spec.js'

const seed = process.env.FUZZ_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED ?? 20261129)
const runs = Number(process.env.FUZZ_RUNS ?? 100)

const app = await testApp(t)
const spare = async (scope: string) => {
  const { row, key } = await app.services.apiKeys.create('spare', scope as 'read')
  return { id: row.id, key }
}
const broken = ['Bearer', 'Bearer ', 'Bearer x', 'Basic YWRtaW46YWRtaW4=', `Bearer ${'x'.repeat(301)}`, 'bearer nd_not-a-key-at-all', `Bearer ${(await spare('admin')).key}x`]
const revoked = await spare('admin')
await app.services.apiKeys.revoke(revoked.id)
broken.push(`Bearer ${revoked.key}`)

async function call(method: string, url: string, headers: Record<string, string>, payload?: string) {
  return app.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) })
}
async function made(method: string, url: string, body: unknown): Promise<{ id: string; slug?: string }> {
  const r = await call(method, url, { ...app.as.admin, 'content-type': 'application/json' }, JSON.stringify(body))
  if (r.statusCode >= 300) throw new Error(`seeding ${url}: ${r.statusCode} ${r.body}`)
  return r.json()
}

/** Fresh resources for one operation to work on (earlier runs may have deleted or archived theirs). */
async function seedResources() {
  const n = Math.random().toString(36).slice(2, 8)
  const section = await made('POST', '/v1/sections', { name: `Section ${n}` })
  const media = await made('POST', '/v1/media', { kind: 'image', url: 'https://example.org/a.jpg' })
  const contributor = await made('POST', '/v1/contributors', { kind: 'person', name: `Writer ${n}` })
  const topic = await made('POST', '/v1/topics', { kind: 'subject', name: `Topic ${n}` })
  const draft = await made('POST', '/v1/articles', minimalArticle(`Draft ${n}`))
  const published = await made('POST', '/v1/articles', { ...minimalArticle(`Published ${n}`), sectionId: section.id, topics: [{ topicId: topic.id }], credits: [{ contributorId: contributor.id, role: 'byline' }] })
  await call('POST', `/v1/articles/${published.id}/publish`, { ...app.as.admin, 'if-match': '*' })
  const key = await spare('read')
  const articles = [draft.id, draft.slug!, published.id, published.slug!]
  return {
    idOrSlug: articles,
    articleId: [draft.id, published.id],
    sectionId: [section.id],
    parentId: [section.id],
    mediaId: [media.id],
    contributorId: [contributor.id],
    topicId: [topic.id],
    version: [1, 2, 3],
    from: [1, 2],
    to: [2, 3],
    code: Object.keys(PROBLEM_TYPES),
    section: [section.id, section.slug!],
    topic: [topic.id],
    contributor: [contributor.id],
    // `id` of the path: whichever resource the path is about.
    ids: { media: [media.id], contributors: [contributor.id], topics: [topic.id], sections: [section.id], 'api-keys': [key.id] } as Record<string, string[]>,
  }
}

const AUTH = fc.oneof(
  { weight: 12, arbitrary: fc.constant('admin') },
  { weight: 3, arbitrary: fc.constant('anonymous') },
  { weight: 1, arbitrary: fc.constant('read') },
  { weight: 2, arbitrary: fc.constant('write') },
  { weight: 1, arbitrary: fc.constantFrom(...broken.map((b) => `broken:${b}`)) },
)
const IF_MATCH = fc.oneof(fc.constantFrom('*', '1', '2', '3', '"1-abc"', '"2-00000000"', 'W/"1"', '1, 2', '0', '-1', '99999999999999999999', '"', '**', ''), fc.string({ maxLength: 20 }), fc.constant('x'.repeat(501)))
/** The kinds of body sent: as the schema says (mostly), or broken on purpose. */
const BODY_KIND = fc.oneof(
  { weight: 14, arbitrary: fc.constant('schema') },
  { weight: 1, arbitrary: fc.constantFrom('none', 'malformed', 'proto', 'wrong-type', 'empty', 'array', 'deep') },
)

interface Input {
  auth: string
  params: Record<string, unknown>
  query: [string, unknown][]
  headers: Record<string, unknown>
  bodyKind: string
  body: unknown
  contentType: string | undefined
}

function inputArb(op: Operation, known: Record<string, unknown[]>): fc.Arbitrary<Input> {
  const o = { mutate: 2, known }
  const params: Record<string, fc.Arbitrary<unknown>> = {}
  const query: fc.Arbitrary<[string, unknown] | null>[] = []
  const headers: Record<string, fc.Arbitrary<unknown>> = {}
  for (const p of op.parameters) {
    if (p.in === 'path') {
      const max = resolve(p.schema).maxLength ?? 200
      params[p.name] = fc.oneof({ weight: 10, arbitrary: arbOf(p.schema, o, 0, p.name) }, { weight: 1, arbitrary: fc.constantFrom('x'.repeat(max), 'x'.repeat(max + 1), '.', '..', ' ', '%', '%2F', 'a/b', '00000000-0000-0000-0000-000000000000') })
    }
    else if (p.in === 'query') query.push(fc.option(arbOf(p.schema, o, 0, p.name).map((v) => [p.name, v] as [string, unknown]), { freq: 2 }))
    else if (p.name === 'if-match') headers[p.name] = fc.option(IF_MATCH, { freq: 8 })
    else headers[p.name] = fc.option(arbOf(p.schema, o, 0, p.name), { freq: 2 })
  }
  // Unknown query parameters, prototype keys among them.
  query.push(fc.option(fc.tuple(fc.constantFrom('zzz', '__proto__', 'constructor', 'limit'), fc.constantFrom('1', '', 'x', ...NASTY_STRINGS.slice(0, 20))), { freq: 6 }))
  const types = Object.keys(op.requestBody?.content ?? {})
  const bodyArb = types.length ? fc.constantFrom(...types).chain((type) => bodyOf(op.requestBody!.content[type]!.schema, type, o).map((body) => ({ type, body }))) : fc.constant({ type: undefined, body: undefined })
  return fc.record({
    auth: AUTH,
    params: fc.record(params),
    query: fc.tuple(...query).map((q) => q.filter((x): x is [string, unknown] => x !== null)),
    headers: fc.record(headers),
    bodyKind: BODY_KIND,
    body: bodyArb,
  }).map(({ body, ...rest }) => ({ ...rest, body: body.body, contentType: body.type }))
}

function bodyOf(schema: Schema, type: string, o: { mutate: number; known: Record<string, unknown[]> }): fc.Arbitrary<unknown> {
  if (type === 'text/plain') return fc.oneof(fc.string({ maxLength: 2000 }), fc.constantFrom(...NASTY_STRINGS), fc.constant('Headline\n\nBy A Reporter\n\nFirst paragraph of the story.\n'))
  if (type === 'application/x-ndjson') return fc.array(arbOf(component('ArchiveLine'), o), { maxLength: 4 }).map((lines) => lines.map((l) => JSON.stringify(l)).join('\n'))
  return arbOf(schema, o)
}

/** The request an input stands for. */
function requestOf(op: Operation, input: Input, auth: Record<string, string>) {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeSegment(asText(input.params[name])))
  const qs = input.query.map(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}=${encodeSegment(asText(x))}`).join('&') : `${k}=${encodeSegment(asText(v))}`)).filter((x) => x)
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(input.headers)) if (v !== null && v !== undefined) headers[k] = asText(v)
  if (input.auth === 'admin' || input.auth === 'read' || input.auth === 'write') Object.assign(headers, auth[input.auth] ? { authorization: auth[input.auth]! } : {})
  else if (input.auth.startsWith('broken:')) headers.authorization = input.auth.slice('broken:'.length)
  let payload: string | undefined
  if (input.contentType !== undefined && input.bodyKind !== 'none') {
    headers['content-type'] = input.bodyKind === 'wrong-type' ? 'text/html' : input.contentType
    const text = typeof input.body === 'string' && input.contentType !== 'application/json' ? input.body : JSON.stringify(input.body) ?? 'null'
    payload =
      input.bodyKind === 'malformed' ? text.slice(0, Math.max(1, text.length - 1)) + '\u0000' :
      input.bodyKind === 'proto' ? withProtoKey(input.body) :
      input.bodyKind === 'empty' ? '' :
      input.bodyKind === 'array' ? `[${text}]` :
      input.bodyKind === 'deep' ? '['.repeat(5000) + ']'.repeat(5000) :
      text
  }
  return { method: op.method, url: qs.length ? `${path}?${qs.join('&')}` : path, headers, payload }
}

/** A list asked for with `fields=` has sparse items (SparseArticleListItem), as the README says. */
function bodySchemaFor(op: Operation, url: string): Schema | undefined {
  if (op.operationId !== 'listArticles' || !/[?&]fields=/.test(url)) return undefined
  const list = component('ArticleList')
  return { ...list, properties: { ...list.properties, items: { type: 'array', items: { $ref: '#/components/schemas/SparseArticleListItem' } } } }
}

const byStatus = new Map<number, number>()
const deviations: string[] = []
/** One example request for each kind of deviation (operation and what was wrong). */
const examples = new Map<string, string>()
let tried = 0
let unsendable = 0
const auth = { admin: app.as.admin.authorization!, read: app.as.read.authorization!, write: app.as.write.authorization! }

t.test(`every operation answers every fuzzed input as documented (seed ${seed}, ${runs} runs per operation)`, async (t) => {
  for (const [i, op] of operations.entries()) {
    const { ids, ...known } = await seedResources()
    const arb = inputArb(op, { ...known, id: ids[op.path.split('/')[2] ?? ''] ?? [] })
    await fc.assert(
      fc.asyncProperty(arb, async (input) => {
        const req = requestOf(op, input, auth)
        let answer
        try {
          answer = await call(req.method, req.url, req.headers, req.payload)
        } catch {
          unsendable++ // a header value Node refuses to send (light-my-request validates like a client)
          return true
        }
        tried++
        byStatus.set(answer.statusCode, (byStatus.get(answer.statusCode) ?? 0) + 1)
        for (const d of deviationsOf(op, { statusCode: answer.statusCode, headers: answer.headers, body: answer.body }, bodySchemaFor(op, req.url))) {
          deviations.push(d)
          const kind = `${op.operationId}: ${d.slice(0, 120)}`
          if (!examples.has(kind)) {
            examples.set(kind, `${req.method} ${req.url.slice(0, 160)} [${input.auth}, body ${input.bodyKind}${req.payload ? `: ${req.payload.slice(0, 160)}` : ''}; headers ${JSON.stringify(req.headers).slice(0, 160)}] answered ${answer.body.slice(0, 200)}`)
          }
        }
        return true
      }),
      { seed: seed + i, numRuns: runs },
    )
  }
  const statuses = [...byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', ')
  t.comment(`seed ${seed}: operations ${operations.length}, inputs tried ${tried} (${unsendable} not sendable), responses by status {${statuses}}, deviations ${deviations.length}`)
  for (const [kind, example] of [...examples].slice(0, 30)) t.comment(`${kind}\n    e.g. ${example}`)
  t.equal(deviations.length, 0, 'no deviations from the document')
  t.ok(byStatus.size > 5 && [...byStatus.keys()].some((s) => s < 300), 'the inputs reached the handlers (some succeeded)')
})
