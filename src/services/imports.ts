import { createHash } from 'node:crypto'
import escapeHtml from 'escape-html'
import type { ArticleAggregate, ArticleRepository, NamedCatalogRepository, ContributorRow, TopicRow } from '../db/index.js'
import type { ArticleCreateBody, BodyBlockValue } from '../schemas/article.js'
import type { MediaCreateBody } from '../schemas/media.js'
import { parseRawText } from '../ingest/parse.js'
import { suggestTopics, type TopicSuggestion } from '../ingest/tagging.js'
import type { ParseResult, ParsedImage } from '../ingest/types.js'
import { DomainError } from '../errors.js'
import type { Actor } from './actor.js'
import type { ArticleService } from './articles.js'
import { slugOf } from './catalog.js'
import { systemRuntime, type Runtime } from './clock.js'

export const MAX_IMPORT_BYTES = 2 * 1024 * 1024

export interface ImportResult {
  parse: ParseResult
  suggestions: TopicSuggestion[]
  article: ArticleAggregate | null
  /** False when the same text was imported before (the earlier article is returned). */
  created: boolean
}

interface Deps {
  articles: ArticleService
  articleRepo: ArticleRepository
  media: { create(input: MediaCreateBody): Promise<{ id: string }> }
  contributors: NamedCatalogRepository<ContributorRow, unknown> & { create(row: never): Promise<ContributorRow> }
  topics: NamedCatalogRepository<TopicRow, unknown> & { create(row: never): Promise<TopicRow> }
}

export class UnusableTextError extends DomainError {
  constructor(detail: string, extra: Record<string, unknown> = {}) {
    super(422, 'unusable-text', 'Unprocessable Content', detail, extra)
  }
}

/** The same text (up to line endings and surrounding blanks) is the same import. */
export const importHash = (text: string): string =>
  createHash('sha256').update(text.replace(/\r\n?/g, '\n').trim()).digest('hex')

/**
 * Raw text (a copied web page, wire copy) becomes a draft article: the parser
 * finds the parts, then topics and contributors are matched by name or alias
 * (or created), captions become media items, and the article is created.
 * Importing the same text again returns the first article.
 */
export function createImportService(deps: Deps, runtime: Runtime = systemRuntime) {
  const at = () => runtime.now().toISOString()

  async function findOrCreate<Row extends { id: string; version: number }>(
    repo: NamedCatalogRepository<Row, unknown> & { create(row: never): Promise<Row> },
    name: string,
    fields: Record<string, unknown>,
  ): Promise<Row> {
    const found = await repo.findByNameOrAlias(name)
    if (found) return found
    const now = at()
    const slugBase = slugOf(name)
    const id = runtime.newId()
    const taken = await repo.find(slugBase)
    const row = { id, name, slug: taken ? `${slugBase}-${id.slice(-6).toLowerCase()}` : slugBase, aliases: [], createdAt: now, updatedAt: now, ...fields }
    return repo.create(row as never)
  }

  async function imageMedia(image: ParsedImage): Promise<string> {
    const input: MediaCreateBody = { kind: 'image', caption: image.caption }
    if (image.credit) input.credit = image.credit
    return (await deps.media.create(input)).id
  }

  return {
    async importText(text: string, actor: Actor, options: { dryRun: boolean }): Promise<ImportResult> {
      if (Buffer.byteLength(text) > MAX_IMPORT_BYTES) {
        throw new UnusableTextError(`The text is larger than ${MAX_IMPORT_BYTES} bytes; split it into articles.`)
      }
      const parse = parseRawText(text)
      const suggestions = suggestTopics(text, await deps.topics.names())
      const parsed = parse.article
      if (options.dryRun) return { parse, suggestions, article: null, created: false }
      if (parsed.headline === null) {
        throw new UnusableTextError('No headline was found in the text, so no article was created.', { warnings: parse.report.warnings })
      }
      const hash = importHash(text)
      const existing = await deps.articleRepo.findIdByContentHash(hash)
      if (existing) return { parse, suggestions, article: await deps.articles.get(existing, actor), created: false }

      const topics: ArticleCreateBody['topics'] = []
      if (parsed.topicLabel) {
        const topic = await findOrCreate(deps.topics, parsed.topicLabel, { kind: 'subject', description: null })
        topics.push({ topicId: topic.id, primary: true })
      }
      const credits: NonNullable<ArticleCreateBody['credits']> = []
      for (const credit of parsed.credits) {
        const contributor = await findOrCreate(deps.contributors, credit.name, { kind: credit.kind, bio: null, avatarUrl: null })
        credits.push({ contributorId: contributor.id, role: credit.role })
      }
      const body: BodyBlockValue[] = []
      for (const block of parsed.body) {
        if (block.type === 'paragraph') body.push({ type: 'paragraph', html: escapeHtml(block.text) })
        else if (block.type === 'image') body.push({ type: 'image', mediaId: await imageMedia(block) })
        else if (block.type === 'video') {
          const media = await deps.media.create({ kind: 'video', caption: block.title })
          body.push({ type: 'video', mediaId: media.id, title: block.title })
        } else if (block.type === 'ad') body.push({ type: 'ad', slot: block.slot })
        else if (block.type === 'heading') body.push({ type: 'heading', level: 2, text: block.text })
        else body.push(block.attribution ? { type: 'quote', text: block.text, attribution: block.attribution } : { type: 'quote', text: block.text })
      }
      const input: ArticleCreateBody = {
        type: parsed.type,
        headlines: parsed.print ? { basic: parsed.headline, print: parsed.print.headline } : { basic: parsed.headline },
        body,
        credits,
        topics,
      }
      if (parsed.summary) input.summary = parsed.summary
      if (parsed.leadImage) input.leadMedia = { mediaId: await imageMedia(parsed.leadImage) }
      if (parsed.print) input.printEdition = { publication: parsed.print.publication }
      const article = await deps.articles.create(input, actor, { contentHash: hash })
      return { parse, suggestions, article, created: true }
    },
  }
}

export type ImportService = ReturnType<typeof createImportService>
