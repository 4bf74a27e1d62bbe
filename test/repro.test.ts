import t from 'tap'
import { testApp, minimalArticle } from './helpers.js'
const app = await testApp(t, { logLevel: 'error' })
const post = async (url: string, payload: unknown, extra = {}) => app.app.inject({ method: 'POST', url, headers: { ...app.as.admin, ...extra }, payload: payload as object })
const topic = (await post('/v1/topics', { kind: 'subject', name: 'Harbour works' })).json()
const contributor = (await post('/v1/contributors', { kind: 'person', name: 'Ada Reporter' })).json()
const section = (await post('/v1/sections', { name: 'Harbour' })).json()
const variants: Record<string, object> = { plain: {}, topics: { topics: [{ topicId: topic.id }] }, credits: { credits: [{ contributorId: contributor.id, role: 'byline' }] }, section: { sectionId: section.id }, summary: { summary: 'S' } }
for (const [name, extra] of Object.entries(variants)) {
  const id = (await post('/v1/articles', { ...minimalArticle(`x ${name}`), ...extra })).json().id
  const s = await post(`/v1/articles/${id}/schedule`, { at: new Date(Date.now() + 30 * 24 * 3600_000).toISOString() }, { 'if-match': '*' })
  console.log(name, s.statusCode)
}
t.pass()
