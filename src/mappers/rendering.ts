import fastJson from 'fast-json-stringify'
import { createHash } from 'node:crypto'
import type { ArticleAggregate, ArticleRenderer } from '../db/rows.js'
import { allSchemas } from '../schemas/index.js'
import { etagFor } from '../services/preconditions.js'
import { mapArticle } from './article.js'

/** Surrogate-Key: the article, section and topic keys a CDN can purge by. */
export function surrogateKeysOf({ article, section, topics }: ArticleAggregate): string[] {
  return [`article-${article.id}`, ...(section ? [`section-${section.id}`] : []), ...topics.map(({ topic }) => `topic-${topic.id}`)]
}

/**
 * Renders an article version once, when it is written: the mapper whitelists
 * the fields and the Article schema serialises them, exactly as a response
 * schema would (the same compiler Fastify uses). The ETag is the version and a
 * hash of these bytes, so a change to anything embedded (a contributor's name)
 * gives a new tag even at the same version.
 */
export function createArticleRenderer(): ArticleRenderer {
  const external = Object.fromEntries(allSchemas.map((s) => [s.$id!, s]))
  // TypeBox schemas are JSON Schema; fast-json-stringify's own types are narrower than TypeBox's.
  const serialise = fastJson({ $ref: 'Article' }, { schema: external as never })
  return (agg) => {
    const json = Buffer.from(serialise(mapArticle(agg)))
    const hash = createHash('sha256').update(json).digest('hex').slice(0, 16)
    return { json, etag: etagFor(agg.article.version, hash), surrogateKeys: surrogateKeysOf(agg).join(' ') }
  }
}
