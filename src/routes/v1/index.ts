import type { FastifyPluginAsync } from 'fastify'
import type { Services } from '../../services/index.js'
import articles from './articles/crud.js'
import articleWorkflow from './articles/workflow.js'
import articleRevisions from './articles/revisions.js'
import changes from './changes.js'
import media from './media.js'
import contributors from './contributors.js'
import topics from './topics.js'
import sections from './sections.js'
import imports from './imports.js'
import archive from './archive.js'
import apiKeys from './apiKeys.js'
import feeds from './feeds.js'
import type { FormatContext } from '../../formats/context.js'
import webhooks from './webhooks.js'
import readers from './me/readers.js'
import follows from './me/follows.js'
import readerFeed from './me/feed.js'
import privateFeed from './me/privateFeed.js'

/** The /v1 API: one encapsulated plugin per resource, each given the service it calls. */
const v1: FastifyPluginAsync<{ services: Services; formats: FormatContext }> = async (app, { services, formats }) => {
  await app.register(articles, { service: services.articles, formats })
  await app.register(articleWorkflow, { service: services.articles })
  await app.register(articleRevisions, { service: services.articles })
  await app.register(changes, { service: services.articles })
  await app.register(media, { service: services.media })
  await app.register(contributors, { service: services.contributors })
  await app.register(topics, { service: services.topics })
  await app.register(sections, { service: services.sections })
  await app.register(imports, { service: services.imports })
  await app.register(archive, { service: services.archive })
  await app.register(apiKeys, { service: services.apiKeys })
  await app.register(feeds, { services, formats })
  await app.register(webhooks, { service: services.webhooks })
  await app.register(readers, { service: services.readers })
  await app.register(follows, { service: services.readers })
  await app.register(readerFeed, { service: services.readers, articles: services.articles })
  await app.register(privateFeed, { service: services.readers, articles: services.articles, formats })
}

export default v1
