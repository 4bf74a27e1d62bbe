import { createHash } from 'node:crypto'
import escapeHtml from 'escape-html'
import type { ArticleAggregate, ArticleRepository, NamedCatalogRepository, ContributorRow, TopicRow } from '../db/index.js'
import type { ArticleCreateBody, BodyBlockValue } from '../schemas/article.js'
import type { MediaCreateBody } from '../schemas/media.js'
import { MAX_IMPORT_TEXT } from '../schemas/imports.js'
import { parseRawText } from '../ingest/parse.js'
import { suggestTopics, topicNamed, type TopicSuggestion } from '../ingest/tagging.js'
import type { ParseResult, ParsedArticle, ParsedBlock, ParsedImage } from '../ingest/types.js'
import { ConflictError, DomainError } from '../errors.js'
import type { Actor } from './actor.js'
import type { ArticleService } from './articles.js'
import { slugOf } from './catalog.js'
import { systemRuntime, type Runtime } from './clock.js'
import { ANY_VERSION, type Precondition } from './preconditions.js'

/** The largest text (in UTF-8 bytes) one import takes; the HTTP body limit may be lower. */
export const MAX_IMPORT_BYTES = MAX_IMPORT_TEXT

/** The limits of the article API (src/schemas/article.ts, media.ts, contributor.ts) an import must fit. */
const LIMITS = {
  headline: 300,
  summary: 2000,
  paragraphHtml: 20000,
  heading: 300,
  quote: 5000,
  attribution: 300,
  caption: 2000,
  credit: 300,
  videoTitle: 500,
  publication: 200,
  name: 200,
  blocks: 500,
  credits: 50,
} as const

export interface ImportResult {
  parse: ParseResult
  suggestions: TopicSuggestion[]
  article: ArticleAggregate | null
  /** False when the same text was imported before (the earlier article is returned), and for a dry run. */
  created: boolean
}

type Named<Row extends { id: string; version: number }> = NamedCatalogRepository<Row, unknown> & { create(row: never): Promise<Row> }

interface Deps {
  articles: ArticleService
  articleRepo: ArticleRepository
  media: { create(input: MediaCreateBody): Promise<{ id: string }>; remove(key: string, expected: Precondition): Promise<void> }
  contributors: Named<ContributorRow>
  topics: Named<TopicRow>
}

/** Text with a headline is needed to make an article. */
export class UnusableTextError extends DomainError {
  constructor(detail: string, extra: Record<string, unknown> = {}) {
    super('unusable-text', detail, extra)
  }
}

/** Empty or whitespace-only text. */
export class EmptyTextError extends DomainError {
  constructor() {
    super('empty-text', 'The text is empty (or only whitespace): there is nothing to import.')
  }
}

/** Binary content: NUL bytes or bytes that are not UTF-8 (the content is not text/plain, whatever its label says). */
export class NotTextError extends DomainError {
  constructor(why: string) {
    super('not-text', `The content is not text: ${why}. Send the story as UTF-8 text.`)
  }
}

export class TextTooLargeError extends DomainError {
  constructor(bytes: number) {
    super('text-too-large', `The text is ${bytes} bytes; an import takes at most ${MAX_IMPORT_BYTES}. Split it into articles.`)
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Bytes from a file or a request body as text: UTF-8 only (a BOM is dropped); NUL bytes mean binary. */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.includes(0)) throw new NotTextError('it contains NUL bytes (a binary file?)')
  try {
    return utf8.decode(bytes)
  } catch {
    throw new NotTextError('it is not valid UTF-8')
  }
}

/** The same text (up to line endings and surrounding blanks) is the same import. */
export const importHash = (text: string): string => createHash('sha256').update(text.replace(/\r\n?/g, '\n').trim()).digest('hex')

/** Well-known agencies under their full names, so that "AP" and "the Associated Press" credit one contributor. */
const AGENCIES: { name: string; aliases: string[] }[] = [
  { name: 'Associated Press', aliases: ['AP', 'The Associated Press'] },
  { name: 'Agence France-Presse', aliases: ['AFP', 'Agence France Presse'] },
  { name: 'United Press International', aliases: ['UPI'] },
]
const agencyOf = (name: string) => {
  const key = name.trim().toLowerCase()
  return AGENCIES.find((a) => a.name.toLowerCase() === key || a.aliases.some((alias) => alias.toLowerCase() === key))
}

/**
 * Cuts text that is longer than the API allows at the last space before the limit (or at the
 * limit when there is none), so the article stays editable through the API; the cut is reported.
 */
function clip(text: string, max: number, what: string, warnings: string[]): string {
  if (text.length <= max) return text
  const space = text.lastIndexOf(' ', max)
  let end = space > max / 2 ? space : max
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end -= 1 // never half a surrogate pair
  warnings.push(`${what} is longer than ${max} characters and was cut`)
  return text.slice(0, end).trimEnd()
}

/** Escaped paragraph HTML in pieces of at most `max` characters, split between words. */
function paragraphs(text: string, max: number): string[] {
  const html = escapeHtml(text)
  if (html.length <= max) return [html]
  const out: string[] = []
  let current = ''
  for (const word of text.split(/\s+/)) {
    // A single word longer than a paragraph (no spaces at all): cut it into escaped-safe pieces.
    const pieces = escapeHtml(word).length <= max ? [word] : (word.match(new RegExp(`[^]{1,${Math.floor(max / 6)}}`, 'gu')) ?? [])
    for (const piece of pieces) {
      const next = current === '' ? piece : `${current} ${piece}`
      if (escapeHtml(next).length > max) {
        out.push(escapeHtml(current))
        current = piece
      } else current = next
    }
  }
  if (current !== '') out.push(escapeHtml(current))
  return out
}

/** Body blocks as planned: photos and video teasers get their media rows only when the article is created. */
type PlannedBlock = Exclude<BodyBlockValue, { type: 'image' | 'video' }> | { type: 'new-image'; image: ParsedImage } | { type: 'new-video'; title: string }

interface Plan {
  headline: string
  print: { publication: string; headline: string } | null
  summary: string | null
  leadImage: ParsedImage | null
  body: PlannedBlock[]
  topicLabel: string | null
  credits: { name: string; kind: ContributorRow['kind']; role: NonNullable<ArticleCreateBody['credits']>[number]['role'] }[]
  /** Why the text cannot become an article even though it has a headline (it is too big for one). */
  refusal: string | null
}

/**
 * The parse as an article draft that fits the API's limits. Pure and run before anything is
 * written, so that a text that cannot become an article leaves no rows behind. Adjustments
 * (cut captions, a long standfirst moved into the body, split paragraphs) become warnings.
 */
function plan(parsed: ParsedArticle, warnings: string[]): Plan | null {
  const nonEmpty = (s: string | null | undefined): s is string => typeof s === 'string' && s.trim() !== ''
  if (!nonEmpty(parsed.headline)) return null
  const image = (img: ParsedImage, where: string): ParsedImage => ({
    caption: clip(img.caption, LIMITS.caption, `the caption of ${where}`, warnings),
    credit: nonEmpty(img.credit) ? clip(img.credit, LIMITS.credit, `the photo credit of ${where}`, warnings) : null,
  })
  const body: PlannedBlock[] = []
  let summary = parsed.summary
  if (summary !== null && summary.length > LIMITS.summary) {
    warnings.push(`the standfirst is longer than ${LIMITS.summary} characters; it was kept as the first paragraph`)
    for (const html of paragraphs(summary, LIMITS.paragraphHtml)) body.push({ type: 'paragraph', html })
    summary = null
  }
  parsed.body.forEach((block: ParsedBlock, i) => {
    const where = `body block ${i + 1}`
    if (block.type === 'paragraph') {
      const parts = paragraphs(block.text, LIMITS.paragraphHtml)
      if (parts.length > 1) warnings.push(`${where} is longer than a paragraph may be; it was split into ${parts.length}`)
      for (const html of parts) body.push({ type: 'paragraph', html })
    } else if (block.type === 'image') body.push({ type: 'new-image', image: image(block, where) })
    else if (block.type === 'video') body.push({ type: 'new-video', title: clip(block.title, LIMITS.videoTitle, `the video title of ${where}`, warnings) })
    else if (block.type === 'ad') body.push({ type: 'ad', slot: block.slot })
    else if (block.type === 'heading') body.push({ type: 'heading', level: 2, text: clip(block.text, LIMITS.heading, where, warnings) })
    else {
      const text = clip(block.text, LIMITS.quote, where, warnings)
      body.push(nonEmpty(block.attribution) ? { type: 'quote', text, attribution: clip(block.attribution, LIMITS.attribution, `the attribution of ${where}`, warnings) } : { type: 'quote', text })
    }
  })
  let refusal: string | null = null
  if (body.length > LIMITS.blocks) {
    refusal = `The text makes ${body.length} body blocks; an article holds at most ${LIMITS.blocks}. Split it into several articles.`
    warnings.push(`the text makes ${body.length} body blocks, more than the ${LIMITS.blocks} an article holds`)
  }
  // One credit per contributor name and role, in order of appearance.
  const seen = new Set<string>()
  const credits: Plan['credits'] = []
  for (const c of parsed.credits) {
    const name = clip(c.name, LIMITS.name, `the credit '${c.name.slice(0, 40)}'`, warnings)
    const key = `${(agencyOf(name)?.name ?? name).toLowerCase()}\n${c.role}`
    if (seen.has(key)) continue
    seen.add(key)
    credits.push({ name, kind: c.kind, role: c.role })
  }
  if (credits.length > LIMITS.credits) {
    warnings.push(`the text names ${credits.length} credits; the first ${LIMITS.credits} were kept`)
    credits.length = LIMITS.credits
  }
  return {
    headline: clip(parsed.headline, LIMITS.headline, 'the headline', warnings),
    print: parsed.print && nonEmpty(parsed.print.publication) && nonEmpty(parsed.print.headline)
      ? {
          publication: clip(parsed.print.publication, LIMITS.publication, 'the print publication', warnings),
          headline: clip(parsed.print.headline, LIMITS.headline, 'the print headline', warnings),
        }
      : null,
    summary: nonEmpty(summary) ? summary : null,
    leadImage: parsed.leadImage ? image(parsed.leadImage, 'the lead photo') : null,
    body,
    topicLabel: nonEmpty(parsed.topicLabel) ? clip(parsed.topicLabel, LIMITS.name, 'the topic label', warnings) : null,
    credits,
    refusal,
  }
}

/**
 * Raw text (a copied web page, wire copy) becomes a draft article: the parser finds the parts,
 * the draft is fitted to the API's limits, topics and contributors are matched by name or alias
 * (or created), captions and video teasers become media items, and the article is created.
 * Importing the same text again returns the first article.
 *
 * Writes are not one transaction (a service never holds one across an await), so:
 * - shared catalogue rows (topics, contributors) are found by name or alias, or created, and kept
 *   whatever happens next: another import may use them already, and a retry finds them again;
 * - the media items are this article's own: if creating the article fails, they are removed
 *   again, so a failed import leaves no orphaned media;
 * - within a process, imports write one at a time (a queue), so two imports never create the
 *   same contributor or topic twice; across processes the unique content hash makes a repeated
 *   text return the article that won, and a unique-name conflict is answered by the row that won.
 */
export function createImportService(deps: Deps, runtime: Runtime = systemRuntime) {
  const at = () => runtime.now().toISOString()

  /** The write phase of one import at a time; a failed import does not stop the next. */
  let queue: Promise<unknown> = Promise.resolve()
  function serially<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(work, work)
    queue = run.catch(() => undefined)
    return run
  }

  async function findOrCreate<Row extends { id: string; version: number }>(
    repo: Named<Row>,
    names: string[],
    fields: Record<string, unknown>,
  ): Promise<Row> {
    const lookup = async () => {
      for (const name of names) {
        const found = await repo.findByNameOrAlias(name)
        if (found) return found
      }
      return null
    }
    const found = await lookup()
    if (found) return found
    const name = names[0]!
    const now = at()
    const slugBase = slugOf(name)
    const id = runtime.newId()
    const taken = await repo.find(slugBase)
    const row = { id, name, slug: taken ? `${slugBase}-${id.slice(-6).toLowerCase()}` : slugBase, aliases: [], createdAt: now, updatedAt: now, ...fields }
    try {
      return await repo.create(row as never)
    } catch (err) {
      // Another process created it between our lookup and our insert: use theirs.
      if (err instanceof ConflictError) {
        const theirs = await lookup()
        if (theirs) return theirs
      }
      throw err
    }
  }

  /**
   * The topic the label names: a known topic (person, place, organisation, ...) by its name or an
   * alias, also when case, accents or spacing differ, with that topic's kind; otherwise a new subject.
   */
  async function resolveTopic(label: string): Promise<string> {
    const exact = await deps.topics.findByNameOrAlias(label)
    if (exact) return exact.id
    const known = topicNamed(label, await deps.topics.names())
    if (known) return known.id
    return (await findOrCreate(deps.topics, [label], { kind: 'subject', description: null })).id
  }

  async function resolveContributor(credit: Plan['credits'][number]): Promise<string> {
    const agency = credit.kind === 'agency' ? agencyOf(credit.name) : undefined
    const names = agency ? [agency.name, ...agency.aliases, credit.name] : [credit.name]
    const fields = { kind: credit.kind, bio: null, avatarUrl: null, ...(agency ? { aliases: agency.aliases } : {}) }
    return (await findOrCreate(deps.contributors, names, fields)).id
  }

  async function existing(hash: string, actor: Actor): Promise<ArticleAggregate | null> {
    const id = await deps.articleRepo.findIdByContentHash(hash)
    return id ? deps.articles.get(id, actor) : null
  }

  async function removeMedia(ids: string[]): Promise<void> {
    for (const id of ids.splice(0)) {
      try {
        await deps.media.remove(id, ANY_VERSION)
      } catch {
        // Already gone, or (impossibly, since no article refers to it) in use: nothing more to undo.
      }
    }
  }

  /** Creates the article for a planned draft, or finds the one made from the same text before. */
  async function save(draft: Plan, type: ParsedArticle['type'], hash: string, actor: Actor): Promise<{ article: ArticleAggregate; created: boolean }> {
    const before = await existing(hash, actor)
    if (before) return { article: before, created: false }

    const topics: NonNullable<ArticleCreateBody['topics']> = []
    if (draft.topicLabel) topics.push({ topicId: await resolveTopic(draft.topicLabel), primary: true })
    const credits: NonNullable<ArticleCreateBody['credits']> = []
    const creditKeys = new Set<string>()
    for (const credit of draft.credits) {
      const contributorId = await resolveContributor(credit)
      // Two spellings of one agency ("AP", "Associated Press") are one credit.
      if (creditKeys.has(`${contributorId} ${credit.role}`)) continue
      creditKeys.add(`${contributorId} ${credit.role}`)
      credits.push({ contributorId, role: credit.role })
    }

    const ownMedia: string[] = []
    const newMedia = async (input: MediaCreateBody) => {
      const { id } = await deps.media.create(input)
      ownMedia.push(id)
      return id
    }
    const photo = (img: ParsedImage) => newMedia(img.credit ? { kind: 'image', caption: img.caption, credit: img.credit } : { kind: 'image', caption: img.caption })
    try {
      const input: ArticleCreateBody = {
        type,
        headlines: draft.print ? { basic: draft.headline, print: draft.print.headline } : { basic: draft.headline },
        body: [],
        credits,
        topics,
      }
      if (draft.summary) input.summary = draft.summary
      if (draft.leadImage) input.leadMedia = { mediaId: await photo(draft.leadImage) }
      for (const block of draft.body) {
        if (block.type === 'new-image') input.body.push({ type: 'image', mediaId: await photo(block.image) })
        else if (block.type === 'new-video') input.body.push({ type: 'video', mediaId: await newMedia({ kind: 'video', caption: block.title }), title: block.title })
        else input.body.push(block)
      }
      if (draft.print) input.printEdition = { publication: draft.print.publication }
      try {
        return { article: await deps.articles.create(input, actor, { contentHash: hash }), created: true }
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err
        // The same text imported at the same time by another process (unique content hash): theirs wins.
        const winner = await existing(hash, actor)
        if (winner) {
          await removeMedia(ownMedia)
          return { article: winner, created: false }
        }
        // A slug taken between the article service's check and its insert: once more, with a fresh one.
        return { article: await deps.articles.create(input, actor, { contentHash: hash }), created: true }
      }
    } catch (err) {
      await removeMedia(ownMedia)
      throw err
    }
  }

  return {
    async importText(text: string, actor: Actor, options: { dryRun: boolean }): Promise<ImportResult> {
      const bytes = Buffer.byteLength(text)
      if (bytes > MAX_IMPORT_BYTES) throw new TextTooLargeError(bytes)
      if (text.includes('\u0000')) throw new NotTextError('it contains NUL characters (a binary file?)')
      if (text.trim() === '') throw new EmptyTextError()

      const parsed = parseRawText(text)
      const warnings = [...parsed.report.warnings]
      const parse: ParseResult = { article: parsed.article, report: { ...parsed.report, warnings } }
      // Fitted to the API's limits before anything is written, so a refusal leaves no rows.
      const draft = plan(parsed.article, warnings)
      const suggest = async () => suggestTopics(text, await deps.topics.names())

      if (options.dryRun) return { parse, suggestions: await suggest(), article: null, created: false }
      if (draft === null) throw new UnusableTextError('No headline was found in the text, so no article was created.', { warnings })
      if (draft.refusal) throw new UnusableTextError(draft.refusal, { warnings })

      const saved = await serially(() => save(draft, parsed.article.type, importHash(text), actor))
      // After saving, so that a topic made from the label is among the suggestions, as on a re-import.
      return { parse, suggestions: await suggest(), ...saved }
    },
  }
}

export type ImportService = ReturnType<typeof createImportService>
