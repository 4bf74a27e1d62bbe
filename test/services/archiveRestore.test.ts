import t from 'tap'
import { testApp, type TestApp } from '../helpers.js'
import type { Actor } from '../../src/services/actor.js'

/*
 * Issue 11, defect 5: an import never rewrites history. It adds what the
 * database lacks and skips what it holds identically; a record stored with
 * different content stops the import at its line.
 */

const admin: Actor = { keyId: null, scope: 'admin' }

async function exported(h: TestApp): Promise<string[]> {
  let text = ''
  for await (const chunk of h.services.archive.exportArchive({ revisions: true })) text += chunk
  return text.trim().split('\n')
}

const importLines = (h: TestApp, lines: string[]) => h.services.archive.importArchive([`${lines.join('\n')}\n`])
const indexOf = (lines: string[], kind: string) => lines.findIndex((l) => (JSON.parse(l) as { kind: string }).kind === kind)

async function source(t: Parameters<typeof testApp>[0]) {
  const h = await testApp(t)
  await h.services.topics.create({ kind: 'place', name: 'Harbour' })
  const id = (await h.services.articles.create({ headlines: { basic: 'Ferry adds sailings' }, body: [{ type: 'paragraph', html: 'Original text.' }] }, admin)).article.id
  await h.services.articles.act(id, '*', 'publish', admin)
  return { h, id, lines: await exported(h) }
}

t.test('an article stored with other content at the same version is never overwritten, and an editor\'s If-Match still means what they saw', async (t) => {
  const { h, id, lines } = await source(t)
  const before = await h.app.inject({ url: `/v1/articles/${id}`, headers: h.as.write })
  const etag = before.headers.etag as string
  const i = indexOf(lines, 'article')
  const changed = [...lines]
  changed[i] = lines[i]!.replace('Original text.', 'Rewritten by an archive.')
  const summary = await importLines(h, changed)
  t.match(summary.failed, { line: i + 1, error: new RegExp(`the stored article '${id}' differs from the archive's.*never overwrites`) })
  const after = await h.app.inject({ url: `/v1/articles/${id}`, headers: h.as.write })
  t.equal(after.headers.etag, etag, 'the article is as the editor saw it')
  t.match(after.json().body, [{ html: 'Original text.' }])
  const edit = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${id}`, headers: { ...h.as.write, 'if-match': etag }, payload: { summary: 'Edited.' } })
  t.equal(edit.statusCode, 200, 'their If-Match matches the content they saw')

  const newer = [...lines]
  const record = JSON.parse(lines[i]!) as { data: { version: number; headlines: { basic: string } } }
  record.data.version = 99
  record.data.headlines.basic = 'A newer version from an archive'
  newer[i] = JSON.stringify(record)
  const second = await importLines(h, newer)
  t.match(second.failed, { line: i + 1, error: /differs from the archive's/ }, 'a higher version in the archive does not overwrite either')
  t.equal((await h.services.articles.get(id, admin)).article.headline, 'Ferry adds sailings')
})

t.test('a revision line never replaces a stored revision', async (t) => {
  const { h, id, lines } = await source(t)
  const i = indexOf(lines, 'revision')
  const changed = [...lines]
  const record = JSON.parse(lines[i]!) as { data: { message: string | null; snapshot: { headlines: { basic: string } } } }
  record.data.message = 'history rewritten'
  record.data.snapshot.headlines.basic = 'A headline that never was'
  changed[i] = JSON.stringify(record)
  const summary = await importLines(h, changed)
  t.match(summary.failed, { line: i + 1, error: new RegExp(`the stored revision 1 of article '${id}' differs from the archive's`) })
  const stored = await h.services.articles.revision(id, 1)
  t.equal(stored.message, 'created')
  t.equal(stored.snapshot.headlines.basic, 'Ferry adds sailings')
})

t.test('catalogue rows are never overwritten either; the same archive again changes nothing', async (t) => {
  const { h, lines } = await source(t)
  const i = indexOf(lines, 'topic')
  const changed = [...lines]
  changed[i] = lines[i]!.replace('"name":"Harbour"', '"name":"Renamed harbour"')
  const summary = await importLines(h, changed)
  t.match(summary.failed, { line: i + 1, error: /the stored topic '.*' differs from the archive's/ })
  const same = await importLines(h, lines)
  t.match(same, { failed: null, imported: { articles: 0, revisions: 0, topics: 0 }, unchanged: { articles: 1, revisions: 2, topics: 1 } })
})
