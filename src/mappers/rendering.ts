import fastJson from 'fast-json-stringify'
import { createHash } from 'node:crypto'
import type { ArticleAggregate, ArticleRenderer, StoredRendering } from '../db/rows.js'
import { hideUnseenRelated } from './related.js'
import { allSchemas } from '../schemas/index.js'
import { etagFor } from './etag.js'
import { mapArticle } from './article.js'

/** Surrogate-Key: the article, section and topic keys a CDN can purge by. */
export function surrogateKeysOf({ article, section, topics }: ArticleAggregate): string[] {
  return [`article-${article.id}`, ...(section ? [`section-${section.id}`] : []), ...topics.map(({ topic }) => `topic-${topic.id}`)]
}

const etagOf = (version: number, json: Buffer) => etagFor(version, createHash('sha256').update(json).digest('hex').slice(0, 16))

/** The article ids its related blocks name, once each, as stored beside the rendering (null: none). */
export function relatedIdsOf(agg: ArticleAggregate): string | null {
  const ids = [...new Set(agg.article.body.flatMap((b) => (b.type === 'related' ? [b.articleId] : [])))]
  return ids.length > 0 ? JSON.stringify(ids) : null
}

/**
 * A rendering as a reader sees it when some of its related blocks name
 * articles the reader cannot see: those blocks are left out (see
 * mappers/related.ts), and the ETag is that of the bytes sent.
 */
export function withoutUnseenRelated(rendering: Pick<StoredRendering, 'json' | 'etag' | 'version'>, visible: ReadonlySet<string>): { json: Buffer; etag: string } {
  const article = JSON.parse(rendering.json.toString('utf8')) as Parameters<typeof hideUnseenRelated>[0]
  const shown = hideUnseenRelated(article, visible)
  if (shown === article) return { json: rendering.json, etag: rendering.etag }
  const json = Buffer.from(JSON.stringify(shown))
  return { json, etag: etagOf(rendering.version, json) }
}

let compiled: ((article: unknown) => string) | undefined

/**
 * The Article schema's serialiser, compiled once per process: the schemas are
 * constants, and compiling it (with the validators its unions need, made on
 * first use) costs tens of milliseconds per data layer, every CLI run and test app.
 */
function articleSerialiser(): (article: unknown) => string {
  if (!compiled) {
    const external = Object.fromEntries(allSchemas.map((s) => [s.$id!, s]))
    // TypeBox schemas are JSON Schema; fast-json-stringify's own types are narrower than TypeBox's.
    compiled = fastJson({ $ref: 'Article' }, { schema: external as never })
  }
  return compiled
}

/**
 * Renders an article version once, when it is written: the mapper whitelists
 * the fields and the Article schema serialises them, exactly as a response
 * schema would (the same compiler Fastify uses). The ETag is the version and a
 * hash of these bytes, so a change to anything embedded (a contributor's name)
 * gives a new tag even at the same version.
 */
export function createArticleRenderer(): ArticleRenderer {
  const serialise = articleSerialiser()
  return (agg) => {
    const json = Buffer.from(serialise(mapArticle(agg)))
    return { json, etag: etagOf(agg.article.version, json), surrogateKeys: surrogateKeysOf(agg).join(' '), relatedIds: relatedIdsOf(agg) }
  }
}
