import t from 'tap'
import { ANY_VERSION } from '../../src/services/preconditions.js'
import { InUseError, MissingReferencesError, SectionCycleError } from '../../src/db/index.js'
import { testDataLayer } from '../helpers.js'
import { createServices } from '../../src/services/index.js'
import type { Actor } from '../../src/services/actor.js'
import { ConflictError, ValidationError } from '../../src/errors.js'

/* Catalogue and section repositories refuse with facts (which articles, which parent); the services word them for the client. */

const editor: Actor = { keyId: null, scope: 'admin' }

const data = await testDataLayer(t)
const services = createServices(data.repos)
const news = await services.sections.create({ name: 'News' })
const world = await services.sections.create({ name: 'World', parentId: news.id })
const topic = await services.topics.create({ kind: 'subject', name: 'Harbour' })
const article = await services.articles.create({ headlines: { basic: 'Ferry timetable' }, body: [], sectionId: world.id, topics: [{ topicId: topic.id }] }, editor)

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e,
  )

t.test('deleting a topic in use: the repository names the articles, the service asks for ?force=true', async (t) => {
  const fact = await refusal(data.repos.topics.remove(topic.id, null))
  t.type(fact, InUseError)
  t.same(fact, { resource: 'topic', usedBy: [article.article.id] })
  const err = await refusal(services.topics.remove(topic.id, ANY_VERSION))
  t.type(err, ConflictError)
  t.equal((err as ConflictError).message, 'This topic is used by 1 article(s); detach it from them first, or delete with ?force=true.')
  t.same((err as ConflictError).extra, { usedBy: [article.article.id] })
})

t.test('deleting a section that holds articles: the same, in the words of sections', async (t) => {
  t.type(await refusal(data.repos.sections.remove(world.id, null)), InUseError)
  const err = await refusal(services.sections.remove(world.id, ANY_VERSION))
  t.type(err, ConflictError)
  t.equal((err as ConflictError).message, 'This section holds 1 article(s); move them first, or delete with ?force=true.')
  t.same((err as ConflictError).extra, { usedBy: [article.article.id] })
})

t.test('a section under a missing parent, or under itself: facts from the repository, parentId from the service', async (t) => {
  const at = new Date().toISOString()
  const missing = await refusal(data.repos.sections.create({ id: 'sec-x', name: 'X', slug: 'x', parentId: 'nowhere', description: null, at }))
  t.type(missing, MissingReferencesError)
  t.same((missing as MissingReferencesError).missing, [{ kind: 'section', id: 'nowhere' }])
  const noParent = await refusal(services.sections.create({ name: 'Sport', parentId: 'nowhere' }))
  t.type(noParent, ValidationError)
  t.equal((noParent as ValidationError).message, 'The parent section does not exist.')
  t.same((noParent as ValidationError).extra, { errors: [{ path: '/body/parentId', message: "no section with id 'nowhere'" }] })
  const movedMissing = await refusal(services.sections.patch(world.id, ANY_VERSION, { parentId: 'nowhere' }))
  t.same((movedMissing as ValidationError).extra, { errors: [{ path: '/body/parentId', message: "no section with id 'nowhere'" }] })

  const cycle = await refusal(data.repos.sections.update(news.id, null, { parentId: world.id }, at))
  t.type(cycle, SectionCycleError)
  t.same(cycle, { sectionId: news.id, parentId: world.id })
  const err = await refusal(services.sections.patch(news.id, ANY_VERSION, { parentId: world.id }))
  t.type(err, ValidationError)
  t.equal((err as ValidationError).message, 'A section cannot move under itself.')
  t.same((err as ValidationError).extra, { errors: [{ path: '/body/parentId', message: 'would make a cycle' }] })
  t.equal((await services.sections.get(news.id)).version, 1, 'nothing moved')
})
