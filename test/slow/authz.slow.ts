/**
 * The authorisation matrix: every operation of the document, called by every
 * kind of caller (anonymous, read, write and admin keys, a revoked key and
 * malformed Authorization headers), on an article in every state (draft,
 * scheduled, embargoed, published, archived, unpublished). The expected
 * answer of each pair is written down below (NEEDS and EXPECTED; README,
 * "Who may call what", says the same), and readers must never see an article
 * that was never public: not in gets, lists, search, snippets, includes,
 * related, revisions or the changes feed, by id or slug.
 */
import t from 'tap'
import { testApp, minimalArticle } from '../helpers.js'
import { operations } from './spec.js'

type Need = 'public' | 'read' | 'key' | 'write' | 'admin' | 'reader'
type Caller = 'anonymous' | 'read' | 'write' | 'admin' | 'revoked' | 'bearer-empty' | 'bearer-garbage' | 'basic-scheme' | 'no-scheme'
type Outcome = 'allowed' | 401 | 403

/** The scope each operation needs: public (no key), read (a key of any scope, or none while ANONYMOUS_READS), write, admin. */
const NEEDS: Record<string, Need> = {
  getHealth: 'public', getReadiness: 'public', getOpenApi: 'public', listProblemTypes: 'public', getProblemType: 'public',
  getMetrics: 'admin',
  listArticles: 'read', getArticle: 'read', listRelatedArticles: 'read', listChanges: 'read',
  createArticle: 'write', replaceArticle: 'write', updateArticle: 'write', deleteArticle: 'write',
  publishArticle: 'write', unpublishArticle: 'write', archiveArticle: 'write', restoreArticle: 'write', scheduleArticle: 'write',
  listRevisions: 'write', getRevision: 'write', diffRevisions: 'write', restoreRevision: 'write', addCorrection: 'write',
  listMediaItems: 'read', getMedia: 'read', createMedia: 'write', updateMedia: 'write', deleteMedia: 'write',
  listContributors: 'read', getContributor: 'read', createContributor: 'write', updateContributor: 'write', deleteContributor: 'write',
  listTopics: 'read', getTopic: 'read', createTopic: 'write', updateTopic: 'write', deleteTopic: 'write',
  listSections: 'read', getSection: 'read', createSection: 'write', updateSection: 'write', deleteSection: 'write',
  importArticle: 'write',
  exportArchive: 'admin', importArchive: 'admin',
  createApiKey: 'admin', listApiKeys: 'admin', revokeApiKey: 'admin',
  // myNEWS: creating a reader needs some API key; /v1/me needs a reader token (test/routes/v1/myNews.test.ts calls them as readers);
  // a private feed's token is in its path (a made-up one is 404).
  createReader: 'key',
  getMe: 'reader', deleteMe: 'reader', follow: 'reader', listFollows: 'reader', unfollow: 'reader', mute: 'reader', listMutes: 'reader', unmute: 'reader',
  getMyFeed: 'reader', markRead: 'reader', markUnread: 'reader', rotateFeedToken: 'reader', revokeFeedToken: 'reader',
  getPrivateFeedRss: 'public', getPrivateFeedAtom: 'public', getPrivateFeedJson: 'public',
  // Feeds are read as an anonymous reader whatever the key; webhooks are for admins.
  getLatestFeed: 'read', getSectionFeed: 'read', getTopicFeed: 'read', getContributorFeed: 'read',
  createWebhook: 'admin', listWebhooks: 'admin', getWebhook: 'admin', updateWebhook: 'admin', deleteWebhook: 'admin',
  rotateWebhookSecret: 'admin', listWebhookDeliveries: 'admin', redeliverWebhook: 'admin',
}

/**
 * What each caller gets from an operation needing each scope ("allowed": the
 * operation runs, whatever it then answers, never 401/403). A key that is sent
 * must be valid, even on a public operation: a revoked or malformed one is a
 * 401, never treated as anonymous.
 */
const BAD_KEY = { revoked: 401, 'bearer-empty': 401, 'bearer-garbage': 401, 'basic-scheme': 401, 'no-scheme': 401 } as const
const EXPECTED: Record<Need, Record<Caller, Outcome>> = {
  public: { anonymous: 'allowed', read: 'allowed', write: 'allowed', admin: 'allowed', ...BAD_KEY },
  read: { anonymous: 'allowed', read: 'allowed', write: 'allowed', admin: 'allowed', ...BAD_KEY },
  key: { anonymous: 401, read: 'allowed', write: 'allowed', admin: 'allowed', ...BAD_KEY },
  // An API key never acts as a reader.
  reader: { anonymous: 401, read: 403, write: 403, admin: 403, ...BAD_KEY },
  write: { anonymous: 401, read: 403, write: 'allowed', admin: 'allowed', ...BAD_KEY },
  admin: { anonymous: 401, read: 403, write: 403, admin: 'allowed', ...BAD_KEY },
}

const STATES = ['draft', 'scheduled', 'embargoed', 'published', 'archived', 'unpublished'] as const
type State = (typeof STATES)[number]
/** States readers may see now, and states they never saw (whose ids and words must never reach them). */
const VISIBLE: State[] = ['published']
const NEVER_PUBLIC: State[] = ['draft', 'scheduled', 'embargoed']

const app = await testApp(t, { logLevel: 'error' })
const revokedKey = await app.services.apiKeys.create('to revoke', 'admin')
await app.services.apiKeys.revoke(revokedKey.row.id)
const AUTH: Record<Caller, string | undefined> = {
  anonymous: undefined,
  read: app.as.read.authorization,
  write: app.as.write.authorization,
  admin: app.as.admin.authorization,
  revoked: `Bearer ${revokedKey.key}`,
  'bearer-empty': 'Bearer',
  'bearer-garbage': 'Bearer x',
  'basic-scheme': `Basic ${Buffer.from(`admin:${app.as.admin.authorization!.slice(7)}`).toString('base64')}`,
  'no-scheme': app.as.admin.authorization!.slice(7),
}
const CALLERS = Object.keys(AUTH) as Caller[]
const READERS: Caller[] = ['anonymous', 'read']

let sent = 0
async function call(method: string, url: string, caller: Caller, extra: Record<string, string> = {}, payload?: unknown) {
  sent++
  const headers: Record<string, string> = { ...extra }
  if (AUTH[caller] !== undefined) headers.authorization = AUTH[caller]!
  if (payload !== undefined) headers['content-type'] = 'application/json'
  return app.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}) })
}
async function admin(method: string, url: string, payload?: unknown, extra: Record<string, string> = {}) {
  const r = await call(method, url, 'admin', extra, payload)
  if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`)
  return r.json()
}

// ---- One article in each state, all on one topic (so each is "related" to the others) ----
const topic = await admin('POST', '/v1/topics', { kind: 'subject', name: 'Harbour works' })
const contributor = await admin('POST', '/v1/contributors', { kind: 'person', name: 'Ada Reporter' })
const section = await admin('POST', '/v1/sections', { name: 'Harbour' })
const future = new Date(Date.now() + 30 * 24 * 3600_000).toISOString()
/** A word only this article's text has, to look for in every answer a reader gets. */
const token = (state: State) => `zq${state}xw`
const articles = {} as Record<State, { id: string; slug: string }>
for (const state of STATES) {
  const base = minimalArticle(`Harbour ${token(state)} story`)
  const created = await admin('POST', '/v1/articles', {
    ...base,
    // Its own slug: one made from the headline would hold the secret word, and a 404 echoes the path it was asked.
    slug: `harbour-story-${STATES.indexOf(state) + 1}`,
    summary: `Standfirst ${token(state)}`,
    body: [{ type: 'paragraph', html: `Harbour body ${token(state)} text.` }],
    topics: [{ topicId: topic.id }],
    credits: [{ contributorId: contributor.id, role: 'byline' }],
    sectionId: section.id,
    ...(state === 'embargoed' ? { embargoUntil: future } : {}),
  })
  const at = `/v1/articles/${created.id}`
  if (state === 'scheduled') await admin('POST', `${at}/schedule`, { at: future }, { 'if-match': '*' })
  if (['embargoed', 'published', 'archived', 'unpublished'].includes(state)) await admin('POST', `${at}/publish`, undefined, { 'if-match': '*' })
  if (state === 'archived') await admin('POST', `${at}/archive`, undefined, { 'if-match': '*' })
  if (state === 'unpublished') await admin('POST', `${at}/unpublish`, undefined, { 'if-match': '*' })
  const now = await admin('GET', at)
  const wanted = state === 'unpublished' ? 'draft' : state === 'embargoed' ? 'published' : state
  if (now.status !== wanted) throw new Error(`the ${state} article is ${now.status}`)
  articles[state] = { id: created.id, slug: created.slug }
}
// A published article whose body links to the draft: readers get it without that block.
const linker = await admin('POST', '/v1/articles', { ...minimalArticle('Harbour linker'), slug: 'harbour-linker', body: [{ type: 'paragraph', html: 'See also.' }, { type: 'related', articleId: articles.draft.id }], topics: [{ topicId: topic.id }] })
await admin('POST', `/v1/articles/${linker.id}/publish`, undefined, { 'if-match': '*' })
const media = await admin('POST', '/v1/media', { kind: 'image', url: 'https://example.org/a.jpg' })
const ids: Record<string, string> = { media: media.id, contributors: contributor.id, topics: topic.id, sections: section.id, 'api-keys': '01934b7e-0000-7000-8000-000000000000' }

let requests = 0
const deviations: string[] = []
/** Records a deviation, or counts a request that was as expected. */
function check(ok: boolean, what: string) {
  requests++
  if (!ok) deviations.push(what)
}
/** Never-public article ids and words, looked for in what readers get. */
const secretWords = NEVER_PUBLIC.map(token)
const secretIds = NEVER_PUBLIC.flatMap((s) => [articles[s].id])

/** The URL of an operation on the article in one state (no body and no If-Match: a write that gets through answers 4xx and changes nothing). */
function urlOf(op: (typeof operations)[number], state: State, bySlug: boolean): string {
  const article = articles[state]
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'idOrSlug') return bySlug ? article.slug : article.id
    if (name === 'version') return '1'
    if (name === 'code') return 'validation'
    return ids[op.path.split('/')[2] ?? ''] ?? 'x'
  })
  return op.operationId === 'diffRevisions' ? `${path}?from=1&to=2` : path
}

t.test('the matrix covers every operation of the document', async (t) => {
  t.same(operations.map((o) => o.operationId).filter((id) => !(id in NEEDS)), [], 'every operation has a row')
  t.same(Object.keys(NEEDS).filter((id) => !operations.some((o) => o.operationId === id)), [], 'every row is an operation')
  for (const op of operations) {
    const documented = op.security ?? []
    const need = NEEDS[op.operationId]
    const expected = need === 'public' ? [] : need === 'read' ? [{ bearer: [] }, {}] : need === 'reader' ? [{ reader: [] }] : [{ bearer: [] }]
    t.same(documented, expected, `${op.operationId}: the document's security says ${need}`)
  }
})

t.test('every caller gets what the matrix says from every operation, on an article in every state', async (t) => {
  for (const op of operations) {
    const onArticle = op.path.includes('{idOrSlug}')
    for (const state of onArticle ? STATES : (['published'] as State[])) {
      for (const caller of CALLERS) {
        const url = urlOf(op, state, caller === 'read')
        const r = await call(op.method, url, caller)
        const expected = EXPECTED[NEEDS[op.operationId]!][caller]
        const got = r.statusCode === 401 || r.statusCode === 403 ? r.statusCode : r.statusCode >= 500 ? r.statusCode : 'allowed'
        check(got === expected, `${op.operationId} ${op.method} ${url} as ${caller}: expected ${expected}, got ${r.statusCode} ${r.body.slice(0, 150)}`)
        if (got === 401 || got === 403) check(String(r.headers['content-type']).startsWith('application/problem+json'), `${op.operationId} as ${caller}: a ${got} that is not problem+json`)
        if (got === 401) check(String(r.headers['www-authenticate'] ?? '').startsWith('Bearer'), `${op.operationId} as ${caller}: a 401 without WWW-Authenticate`)
        // An article a reader may not see is a 404, exactly as one that does not exist (no 403 that confirms it).
        if (onArticle && expected === 'allowed' && READERS.includes(caller) && !VISIBLE.includes(state)) {
          check(r.statusCode === 404, `${op.operationId} ${url} as ${caller} (article ${state}): expected 404, got ${r.statusCode}`)
        }
        if (onArticle && op.method === 'GET' && expected === 'allowed' && !READERS.includes(caller) && NEEDS[op.operationId] === 'read') {
          check(r.statusCode === 200, `${op.operationId} ${url} as ${caller} (article ${state}): a write key sees every state, got ${r.statusCode}`)
        }
        if (READERS.includes(caller)) for (const word of secretWords) check(!r.body.includes(word), `${op.operationId} ${url} as ${caller}: the answer holds '${word}' of a never-public article`)
      }
    }
  }
  t.comment(`matrix: ${operations.length} operations x ${CALLERS.length} callers x states: ${sent} requests, ${requests} checks, deviations ${deviations.length}`)
})

t.test('readers never see an unpublished article in lists, search, snippets, includes, related or the changes feed', async (t) => {
  const pub = articles.published.id
  const reads = [
    '/v1/articles?limit=100',
    '/v1/articles?limit=100&total=true',
    '/v1/articles?limit=100&sort=updated',
    '/v1/articles?limit=100&sort=oldest',
    '/v1/articles?limit=100&include=contributors,topics,sections',
    '/v1/articles?limit=100&fields=id,slug,headlines',
    `/v1/articles?limit=100&topic=${topic.id}`,
    `/v1/articles?limit=100&section=${section.id}`,
    `/v1/articles?limit=100&contributor=${contributor.id}`,
    '/v1/articles?limit=100&status=draft',
    '/v1/articles?limit=100&status=scheduled,archived',
    '/v1/articles?q=harbour&limit=100',
    '/v1/articles?q=harbour&sort=relevance&limit=100',
    ...STATES.map((s) => `/v1/articles?q=${token(s)}`),
    ...STATES.map((s) => `/v1/articles?q=${token(s)}*`),
    '/v1/articles?q=zq*',
    `/v1/articles/${pub}/related?limit=100`,
    `/v1/articles/${articles.published.slug}/related`,
    '/v1/changes?limit=100',
    `/v1/articles/${linker.id}`,
    '/v1/articles/harbour-linker',
  ]
  for (const url of reads) {
    for (const caller of READERS) {
      const r = await call('GET', url, caller)
      check(r.statusCode < 500, `${url} as ${caller}: ${r.statusCode}`)
      for (const id of secretIds) check(!r.body.includes(id), `${url} as ${caller}: holds the id of a never-public article`)
      for (const s of ['archived', 'unpublished'] as State[]) {
        // Readers saw these once: the changes feed may report that they went away, but no list or search shows them now.
        if (!url.startsWith('/v1/changes')) check(!r.body.includes(articles[s].id), `${url} as ${caller}: holds the ${s} article`)
      }
      for (const word of secretWords) check(!r.body.includes(word), `${url} as ${caller}: holds '${word}' of a never-public article`)
      if (r.statusCode === 200 && url.includes('total=true')) check(r.json().total === 2, `${url} as ${caller}: total counts only the published articles, got ${r.json().total}`)
    }
  }
  // Write keys see every state in lists, search and the feed.
  for (const caller of ['write', 'admin'] as Caller[]) {
    const all = await call('GET', '/v1/articles?limit=100&status=draft,scheduled,published,archived', caller)
    for (const s of STATES) check(all.body.includes(articles[s].id), `a ${caller} key lists the ${s} article (${all.statusCode})`)
    const found = await call('GET', `/v1/articles?q=${token('draft')}&status=draft`, caller)
    check(found.body.includes(articles.draft.id), `a ${caller} key finds the draft by search (${found.statusCode} ${found.body.slice(0, 120)})`)
    const feed = await call('GET', '/v1/changes?limit=100', caller)
    check(feed.body.includes(articles.draft.id), `a ${caller} key sees the draft in the changes feed`)
  }
  // A draft's slug is not confirmed to readers: taken or free, a reader's GET by slug is the same 404.
  for (const caller of READERS) {
    const taken = await call('GET', `/v1/articles/${articles.draft.slug}`, caller)
    const free = await call('GET', '/v1/articles/no-such-slug-at-all', caller)
    check(taken.statusCode === 404 && free.statusCode === 404 && taken.json().type === free.json().type, `GET by a draft's slug as ${caller} answers like a free slug`)
  }
  t.comment(`requests ${sent}, checks ${requests}, deviations ${deviations.length}`)
  for (const d of deviations.slice(0, 40)) t.comment(d)
  t.equal(deviations.length, 0, 'no deviation from the matrix')
})
