/**
 * Mass assignment and over-exposure.
 *  1. Every write operation is sent, one at a time, each field it must not take:
 *     every property of its answer's schema that its request schema lacks (id,
 *     version, createdAt, status, ...), plus server-owned names (etag, keyHash,
 *     scope, ...) and prototype keys. Each is a 400 naming that field, and the
 *     database is exactly as before (compared through the archive export and the
 *     key list).
 *  2. Sentinel secrets (an API key's secret and hash, a draft's unique words)
 *     never reach a non-privileged caller of any operation (body or headers),
 *     no caller ever gets a key's hash or another key's secret, and none of them
 *     is in any log line (the app's pino output, at trace level) or in /metrics.
 */
import t from 'tap'
import fc from 'fast-check'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../../src/config.js'
import { hashKey } from '../../src/services/apiKeys.js'
import { reuseCompiled } from '../compilers.js'
import { minimalArticle } from '../helpers.js'
import { arbOf, operations, resolve, type Operation, type Schema } from './spec.js'

const logs: string[] = []
const built = await buildApp(testConfig({ logLevel: 'trace' }), { compilers: reuseCompiled, logStream: { write: (line: string) => void logs.push(line) } })
t.teardown(() => built.app.close())
const app = built.app
const key = async (scope: 'admin' | 'write' | 'read') => (await built.services.apiKeys.create(`${scope} key`, scope)).key
const adminKey = await key('admin')
const writeKey = await key('write')
const readKey = await key('read')
/** The sentinel: a key nobody should ever see again, with its stored hash. */
const sentinelKey = await key('write')
const sentinelHash = hashKey(sentinelKey)

let sent = 0
async function call(method: string, url: string, auth?: string, headers: Record<string, string> = {}, payload?: string) {
  sent++
  return app.inject({ method: method as 'GET', url, headers: { ...headers, ...(auth ? { authorization: `Bearer ${auth}` } : {}) }, ...(payload !== undefined ? { payload } : {}) })
}
async function admin(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const r = await call(method, url, adminKey, { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body === undefined ? undefined : JSON.stringify(body))
  if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`)
  return r.json()
}

const SECRET_WORDS = ['qxsentinelheadlinezz', 'qxsentinelbodyzz', 'qxsentinelsummaryzz']
const section = await admin('POST', '/v1/sections', { name: 'Exposure' })
const topic = await admin('POST', '/v1/topics', { kind: 'subject', name: 'Exposure topic' })
const contributor = await admin('POST', '/v1/contributors', { kind: 'person', name: 'Exposure Writer' })
const media = await admin('POST', '/v1/media', { kind: 'image', url: 'https://example.org/e.jpg' })
const draft = await admin('POST', '/v1/articles', {
  headlines: { basic: `Plans ${SECRET_WORDS[0]}` },
  slug: 'sentinel-draft',
  summary: `Summary ${SECRET_WORDS[2]}`,
  body: [{ type: 'paragraph', html: `Body ${SECRET_WORDS[1]}.` }],
  topics: [{ topicId: topic.id }],
  sectionId: section.id,
})
const published = await admin('POST', '/v1/articles', { ...minimalArticle('Exposure published'), topics: [{ topicId: topic.id }], credits: [{ contributorId: contributor.id, role: 'byline' }] })
await admin('POST', `/v1/articles/${published.id}/publish`, undefined, { 'if-match': '*' })
const spareKey = (await built.services.apiKeys.create('spare', 'read')).row
// A literal public address: no DNS lookup, and the dispatcher is off in tests (nothing is sent).
const webhook = await admin('POST', '/v1/webhooks', { url: 'https://93.184.215.14/hook', events: ['article.*'] })

/** A valid body for each write operation that takes JSON (the field under test is added to it). */
const VALID: Record<string, unknown> = {
  createArticle: minimalArticle('Mass assignment'),
  replaceArticle: minimalArticle('Mass assignment'),
  updateArticle: { summary: 'A new standfirst.' },
  publishArticle: {},
  unpublishArticle: {},
  archiveArticle: {},
  restoreArticle: {},
  scheduleArticle: { at: new Date(Date.now() + 7 * 24 * 3600_000).toISOString() },
  restoreRevision: {},
  addCorrection: { text: 'An earlier version misspelt a name.' },
  createMedia: { kind: 'image' },
  updateMedia: { alt: 'A harbour' },
  createContributor: { kind: 'person', name: 'Someone' },
  updateContributor: { name: 'Someone else' },
  createTopic: { kind: 'subject', name: 'Something' },
  updateTopic: { name: 'Something else' },
  createSection: { name: 'Somewhere' },
  updateSection: { name: 'Somewhere else' },
  importArticle: { text: 'A headline\n\nA first paragraph of the story.' },
  createApiKey: { name: 'someone', scope: 'read' },
  follow: { kind: 'topic', target: topic.id },
  mute: { kind: 'topic', target: topic.id },
  markRead: { articleIds: [published.id] },
  createWebhook: { url: 'https://93.184.215.14/other', events: ['topic.*'] },
  updateWebhook: { description: 'A mirror' },
}
/** The myNEWS operations take a reader token (an API key gets 403 before the body is looked at). */
const readerToken = (await built.services.readers.create()).token
const callerOf = (op: Operation) => (op.security?.some((s) => 'reader' in s) ? readerToken : adminKey)
/** Names the server owns, tried on every write whatever the schemas say (unless the request takes them). */
const SERVER_OWNED = ['id', 'version', 'createdAt', 'updatedAt', 'publishedAt', 'firstPublishedAt', 'scheduledAt', 'status', 'etag', 'keyHash', 'key', 'prefix', 'scope', 'lastUsedAt', 'revokedAt', 'deletedAt', 'wordCount', 'revision', 'corrections', '__proto__', 'constructor']

const propsOf = (schema: Schema | undefined): Set<string> => {
  if (!schema) return new Set()
  const s = resolve(schema)
  const branches = s.anyOf ?? s.oneOf
  if (branches) return new Set(branches.flatMap((b) => [...propsOf(b)]))
  return new Set(Object.keys(s.properties ?? {}))
}
const responseSchemas = (op: Operation) =>
  Object.entries(op.responses)
    .filter(([status]) => status.startsWith('2'))
    .map(([, r]) => r.content?.['application/json']?.schema)
    .filter((s): s is Schema => s !== undefined)

function pathOf(op: Operation): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'idOrSlug') return draft.id
    if (name === 'version') return '1'
    const ids: Record<string, string> = { media: media.id, contributors: contributor.id, topics: topic.id, sections: section.id, 'api-keys': spareKey.id, webhooks: webhook.id }
    return ids[op.path.split('/')[2] ?? '']!
  })
}

/** The whole database as the archive export gives it (its header line has the time: left out), and the API keys. */
async function snapshot(): Promise<string> {
  const exported = await call('GET', '/v1/archive/export?revisions=true', adminKey)
  const lines = exported.body.split('\n').filter((l) => !l.includes('"kind":"header"') && !l.includes('"kind":"end"'))
  const keys = await call('GET', '/v1/api-keys', adminKey)
  const webhooks = await call('GET', '/v1/webhooks', adminKey)
  return `${lines.join('\n')}\n${keys.body}\n${webhooks.body}`
}

const writes = operations.filter((op) => op.requestBody?.content['application/json'])
let tried = 0
const deviations: string[] = []

t.test('every write operation refuses each field it must not take (400 naming it) and changes nothing', async (t) => {
  t.same(writes.map((op) => op.operationId).filter((id) => !(id in VALID)), [], 'every JSON write has a valid body here')
  for (const op of writes) {
    const request = op.requestBody!.content['application/json']!.schema
    const accepted = propsOf(request)
    const forbidden = new Map<string, Schema | undefined>()
    for (const schema of responseSchemas(op)) {
      const s = resolve(schema)
      for (const [name, prop] of Object.entries(s.properties ?? {})) if (!accepted.has(name)) forbidden.set(name, prop)
    }
    for (const name of SERVER_OWNED) if (!accepted.has(name) && !forbidden.has(name)) forbidden.set(name, undefined)
    const url = pathOf(op)
    const before = await snapshot()
    for (const [name, schema] of forbidden) {
      // A value of the right type where the answer schema gives one: the field itself must be refused, not its value.
      const value = schema ? fc.sample(arbOf(schema, { mutate: 0 }), { seed: 42, numRuns: 1 })[0] : name === 'scope' ? 'admin' : 'published'
      const valid = VALID[op.operationId] as Record<string, unknown>
      const text = name === '__proto__' ? `{"__proto__":${JSON.stringify(value ?? null)},${JSON.stringify(valid).slice(1)}`.replace(',}', '}') : JSON.stringify({ ...valid, [name]: value })
      for (const type of op.method === 'PATCH' ? ['application/json', 'application/merge-patch+json'] : ['application/json']) {
        tried++
        const r = await call(op.method, url, callerOf(op), { 'content-type': type, 'if-match': '*' }, text)
        const errors = r.statusCode === 400 ? ((r.json() as { errors?: { path: string }[] }).errors ?? []) : []
        const named = name === '__proto__' || errors.some((e) => e.path === `/body/${name}`)
        if (r.statusCode !== 400 || !named) deviations.push(`${op.operationId} (${type}) took '${name}': ${r.statusCode} ${r.body.slice(0, 200)}`)
      }
    }
    const after = await snapshot()
    if (after !== before) {
      const a = after.split('\n'), b = before.split('\n')
      const changed = a.filter((l) => !b.includes(l)).map((l) => l.slice(0, 300))
      deviations.push(`${op.operationId}: the database changed after its refused requests: ${changed.join(' | ')}`)
    }
  }
  t.comment(`write operations ${writes.length}, forbidden fields tried ${tried}, deviations ${deviations.length}`)
  for (const d of deviations.slice(0, 30)) t.comment(d)
  t.equal(deviations.length, 0, 'no field the server owns is taken')
})

t.test('sentinel secrets never reach a non-privileged caller, any response, a log line or /metrics', async (t) => {
  const leaks: string[] = []
  const everywhere = [sentinelKey, sentinelHash, hashKey(adminKey), hashKey(readKey), hashKey(writeKey)]
  const look = (who: string, what: string, text: string, secrets: string[]) => {
    for (const s of secrets) if (text.includes(s)) leaks.push(`${who}: ${what} holds '${s.slice(0, 12)}…'`)
  }
  const callers: [string, string | undefined, Record<string, string>][] = [
    ['anonymous', undefined, {}],
    ['read key', readKey, {}],
    ['broken key', undefined, { authorization: 'Bearer x' }],
    ['revoked-looking key', undefined, { authorization: `Bearer ${sentinelKey}x` }],
    ['write key', writeKey, {}],
    ['admin key', adminKey, {}],
  ]
  for (const op of operations) {
    for (const [who, auth, extra] of callers) {
      // Reads by id and by slug, on the draft and the published article; writes without If-Match (so they change nothing).
      for (const target of op.path.includes('{idOrSlug}') ? [draft.id, 'sentinel-draft', published.id] : [undefined]) {
        let url = pathOf(op)
        if (target) url = url.replace(draft.id, target)
        if (op.operationId === 'diffRevisions') url += '?from=1&to=2'
        if (op.operationId === 'listArticles') url += '?limit=100&include=contributors,topics,sections&total=true'
        const r = await call(op.method, url, auth, extra)
        const text = `${JSON.stringify(r.headers)}\n${r.body}`
        const privileged = who === 'write key' || who === 'admin key'
        look(`${op.operationId} ${url} as ${who}`, 'the answer', text, privileged ? everywhere : [...everywhere, ...SECRET_WORDS])
      }
    }
  }
  // Keys made and listed over HTTP show their secret once, to the admin who made them, and never a hash.
  const made = await call('POST', '/v1/api-keys', adminKey, { 'content-type': 'application/json' }, JSON.stringify({ name: 'fresh', scope: 'read' }))
  const fresh = (made.json() as { key: string }).key
  look('createApiKey', 'the answer', made.body, everywhere)
  const listed = await call('GET', '/v1/api-keys', adminKey)
  look('listApiKeys', 'the answer', listed.body, [...everywhere, fresh, adminKey, readKey, writeKey])
  // A request with a bad key, and one that fails validation with a secret in its body, are logged without the secrets.
  await call('GET', '/v1/articles', undefined, { authorization: `Bearer ${sentinelKey}` })
  await call('POST', '/v1/articles', writeKey, { 'content-type': 'application/json' }, JSON.stringify({ headlines: { basic: 'x' }, body: [], key: sentinelKey }))
  const metrics = await call('GET', '/metrics', adminKey)
  t.equal(metrics.statusCode, 200)
  look('/metrics', 'the exposition', metrics.body, [...everywhere, ...SECRET_WORDS, fresh, adminKey, 'sentinel-draft', draft.id])
  t.ok(logs.length > 100, `the app logged (${logs.length} lines at trace level)`)
  for (const line of logs) look(`log ${line.slice(0, 300)}`, 'a log line', line, [...everywhere, fresh, adminKey, readKey, writeKey, ...SECRET_WORDS])
  // Searches for the draft's words find nothing for readers (after the log check: a search logs its own words).
  for (const q of [...SECRET_WORDS, 'qxsentinel*', '"qxsentinelbodyzz"']) {
    for (const [who, auth] of callers.slice(0, 2)) {
      const r = await call('GET', `/v1/articles?q=${encodeURIComponent(q)}&limit=100`, auth)
      look(`search ${q} as ${who}`, 'the answer', r.body, [...everywhere, ...SECRET_WORDS])
    }
  }
  t.comment(`requests ${sent}, log lines ${logs.length}, /metrics ${metrics.body.length} bytes, leaks ${leaks.length}`)
  for (const l of [...new Set(leaks)].slice(0, 30)) t.comment(l)
  t.equal(leaks.length, 0, 'no secret leaks')
})
