import { commonSchemas } from './common.js'
import { mediaSchemas } from './media.js'
import { articleSchemas } from './article.js'
import { apiKeySchemas } from './apiKey.js'
import { contributorSchemas, topicSchemas } from './contributor.js'
import { systemSchemas } from './system.js'
import { importSchemas } from './imports.js'
import { sectionSchemas } from './section.js'
import { revisionSchemas } from './revision.js'
import { changeSchemas } from './change.js'
import { archiveSchemas } from './archive.js'
import { syndicationSchemas } from './syndication.js'
import { webhookSchemas } from './webhook.js'
import { readerSchemas } from './reader.js'

/** Every shared schema, registered once with addSchema; routes use them by $ref. */
export const allSchemas = [
  ...commonSchemas,
  ...mediaSchemas,
  ...contributorSchemas,
  ...topicSchemas,
  ...sectionSchemas,
  ...syndicationSchemas,
  ...articleSchemas,
  ...revisionSchemas,
  ...changeSchemas,
  ...apiKeySchemas,
  ...systemSchemas,
  ...importSchemas,
  ...archiveSchemas,
  ...webhookSchemas,
  ...readerSchemas,
]
