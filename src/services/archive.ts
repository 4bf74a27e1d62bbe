import type { ArchiveCounts, ArchiveEntry, ArchiveProblem, ArchiveReader, ArchiveRepository } from '../db/index.js'
import { allSchemas } from '../schemas/index.js'
import { schemaOrder } from '../schemas/order.js'
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  ArchiveArticle,
  ArchiveContributor,
  ArchiveMedia,
  ArchiveRevision,
  ArchiveSection,
  ArchiveTopic,
  compileArchiveLineValidator,
  type ArchiveHeaderValue,
  type ArchiveImportResultValue,
  type ArchiveLineValue,
  type ArchiveRecordValue,
} from '../schemas/archive.js'
import { DomainError } from '../errors.js'
import { bodyText } from './bodyText.js'
import { checkEmbedHtml, checkInlineHtml } from './html.js'
import { systemRuntime, type Runtime } from './clock.js'
import { toInstant, toInstantOrNull } from './time.js'

/** Rows per repository read on export. */
export const ARCHIVE_PAGE_SIZE = 500
/** Records per import transaction (an article's revisions always share its batch). */
export const ARCHIVE_BATCH_SIZE = 500
/** The longest line an import takes; readline would hold a line of any length in memory. */
export const MAX_ARCHIVE_LINE_BYTES = 64 * 1024 * 1024
/** Export output is handed on in pieces of about this many characters. */
const CHUNK_CHARS = 256 * 1024

export type ArchiveImportSummary = ArchiveImportResultValue

export interface ArchiveProgress {
  /** The last line read (import) or written (export). */
  line: number
  /** Records (lines between header and end) done. */
  records: number
  articles: number
  /** What the archive holds, from its header. */
  total: ArchiveCounts | null
}

export interface ArchiveExportOptions {
  revisions: boolean
  pageSize?: number
  onProgress?: (progress: ArchiveProgress) => void
}

export interface ArchiveImportOptions {
  /** Skip the lines before this one (imported by an earlier run); the header is still read. */
  resumeFrom?: number
  batchSize?: number
  onProgress?: (progress: ArchiveProgress) => void
}

/** A failed import: the problem carries the summary, so the caller knows what was imported and where to resume. */
export class ArchiveImportFailedError extends DomainError {
  constructor(readonly summary: ArchiveImportSummary) {
    const { failed, resumeFrom } = summary
    super(
      'archive-line-failed',
      `Line ${failed!.line}: ${failed!.error}. Nothing from line ${resumeFrom} on was imported, every line before it was; ` +
        `fix the line and import again with resumeFrom=${resumeFrom} (or the whole archive: rows already imported are skipped).`,
      { ...summary },
    )
  }
}

const zero = (): ArchiveCounts => ({ sections: 0, topics: 0, contributors: 0, media: 0, articles: 0, revisions: 0 })
const add = (into: ArchiveCounts, more: ArchiveCounts) => {
  for (const k of Object.keys(into) as (keyof ArchiveCounts)[]) into[k] += more[k]
}

/** The end line, recognised without parsing (lines skipped by resumeFrom are not parsed). */
const END_LINE = /^\s*\{\s*"kind"\s*:\s*"end"/

/** A line that stops the import (also thrown by the line reader for a line too long to hold). */
class BadLine extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message)
  }
}

/** The input itself failed (a read error, a body over its limit, a client gone). */
class InputError extends Error {}

/** What an import reads: the bytes of the archive, in pieces (a stream, or any iterable of chunks). */
export type ArchiveInput = AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>

async function* guarded<T>(input: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T> {
  try {
    for await (const chunk of input) yield chunk
  } catch (err) {
    throw new InputError((err as Error).message ?? String(err))
  }
}

/**
 * The lines of an NDJSON stream with their 1-based numbers, read chunk by chunk
 * (only the current line is held). "\r\n" ends a line too; a line that is not
 * UTF-8 comes back with `text: null`.
 */
export async function* ndjsonLines(
  input: ArchiveInput,
  maxLineBytes = MAX_ARCHIVE_LINE_BYTES,
): AsyncGenerator<{ line: number; text: string | null }> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let line = 0
  let parts: Buffer[] = []
  let size = 0
  const decode = (bytes: Buffer) => {
    line += 1
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length
    try {
      return { line, text: decoder.decode(bytes.subarray(0, end)) }
    } catch {
      return { line, text: null }
    }
  }
  for await (const chunk of guarded(input)) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let start = 0
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      const piece = buf.subarray(start, nl)
      if (size + piece.length > maxLineBytes) throw new BadLine(line + 1, `the line is longer than ${maxLineBytes} bytes`)
      const whole = parts.length === 0 ? piece : Buffer.concat([...parts, piece])
      parts = []
      size = 0
      yield decode(whole)
      start = nl + 1
    }
    if (start < buf.length) {
      const rest = buf.subarray(start)
      size += rest.length
      if (size > maxLineBytes) throw new BadLine(line + 1, `the line is longer than ${maxLineBytes} bytes`)
      parts.push(rest)
    }
  }
  if (size > 0) yield decode(Buffer.concat(parts))
}

/** Pages of rows by keyset: each call asks for the rows after the last one seen. */
async function* paged<T>(fetch: (after: string | null) => Promise<T[]>, key: (row: T) => string, size: number): AsyncGenerator<T[]> {
  let after: string | null = null
  for (;;) {
    const rows = await fetch(after)
    if (rows.length > 0) yield rows
    if (rows.length < size) return
    after = key(rows[rows.length - 1]!)
  }
}

type RevisionRecord = Awaited<ReturnType<ArchiveReader['revisions']>>[number]

/** Walks the revisions of one page of articles alongside the articles, one page of revisions at a time. */
function revisionWalker(reader: ArchiveReader, firstId: string, lastId: string, size: number) {
  let buffer: RevisionRecord[] = []
  let i = 0
  let after: { articleId: string; version: number } | null = null
  let exhausted = false
  return async function* revisionsOf(articleId: string): AsyncGenerator<RevisionRecord> {
    for (;;) {
      while (i < buffer.length && buffer[i]!.articleId < articleId) i += 1
      while (i < buffer.length && buffer[i]!.articleId === articleId) yield buffer[i++]!
      if (i < buffer.length || exhausted) return
      buffer = await reader.revisions(firstId, lastId, after, size)
      i = 0
      if (buffer.length < size) exhausted = true
      const last = buffer[buffer.length - 1]
      if (!last) return
      after = { articleId: last.articleId, version: last.version }
    }
  }
}

type Corrections = { at: string; text: string }[]
const correctionsInUtc = (list: Corrections): Corrections => list.map((c) => ({ ...c, at: toInstant(c.at) }))

/**
 * The record with every timestamp in the one stored form (src/services/time.ts):
 * an archive may say "2024-05-01T12:00:00+02:00", the database holds
 * "2024-05-01T10:00:00.000Z", so that stored times compare as instants
 * (visibility, embargoes, the scheduler). The schema has checked each is a real instant.
 */
function inUtc(record: ArchiveRecordValue): ArchiveRecordValue {
  switch (record.kind) {
    case 'article': {
      const d = record.data
      return {
        kind: 'article',
        data: {
          ...d,
          createdAt: toInstant(d.createdAt),
          updatedAt: toInstant(d.updatedAt),
          listedAt: toInstant(d.listedAt),
          firstPublishedAt: toInstantOrNull(d.firstPublishedAt),
          publishedAt: toInstantOrNull(d.publishedAt),
          scheduledAt: toInstantOrNull(d.scheduledAt),
          embargoUntil: toInstantOrNull(d.embargoUntil),
          corrections: correctionsInUtc(d.corrections),
        },
      }
    }
    case 'revision': {
      const d = record.data
      const s = d.snapshot
      return {
        kind: 'revision',
        data: {
          ...d,
          createdAt: toInstant(d.createdAt),
          snapshot: {
            ...s,
            firstPublishedAt: toInstantOrNull(s.firstPublishedAt),
            publishedAt: toInstantOrNull(s.publishedAt),
            scheduledAt: toInstantOrNull(s.scheduledAt),
            embargoUntil: toInstantOrNull(s.embargoUntil),
            corrections: correctionsInUtc(s.corrections),
          },
        },
      }
    }
    default:
      return { ...record, data: { ...record.data, createdAt: toInstant(record.data.createdAt), updatedAt: toInstant(record.data.updatedAt) } } as ArchiveRecordValue
  }
}

/** What a stored row held against a record of the archive: a unique value it takes, by the columns the data layer names. */
const TAKEN: Record<string, (data: Record<string, unknown>) => string> = {
  'articles.slug': (d) => `another article already has the slug '${String(d.slug)}'`,
  'articles.content_hash': () => 'another article was imported from the same raw text (contentHash)',
  'topics.slug': (d) => `another topic already has the slug '${String(d.slug)}'`,
  'contributors.slug': (d) => `another contributor already has the slug '${String(d.slug)}'`,
  'sections.path': (d) => `another section already has the path '${String(d.path)}'`,
}

/** Why the data layer refused a record, in words; a field of the record is named by a pointer into the line (/data/...). */
export function describeArchiveProblem(problem: ArchiveProblem, entry: ArchiveEntry): string {
  const data = entry.data as unknown as Record<string, unknown>
  const given = entry.data.version
  const name = entry.kind === 'revision' ? `revision ${given} of article '${entry.data.articleId}'` : `${entry.kind} '${String(data.id)}'`
  switch (problem.kind) {
    case 'missing':
      return `/data/${problem.field.join('/')}: no ${problem.resource} '${problem.id}' in the database or earlier in the archive`
    case 'section-path':
      return `/data/path: '${String(data.path)}' is not its parent's path and its slug ('${problem.expected}')`
    case 'topic-repeated': {
      const topicId = entry.kind === 'article' ? entry.data.topics[problem.index]?.topicId : undefined
      return `/data/topics/${problem.index}/topicId: the topic '${String(topicId)}' is listed twice`
    }
    case 'primary-topics':
      return '/data/topics: more than one topic is primary'
    case 'differs':
      if (problem.storedVersion > given) return `the stored ${name} is at version ${problem.storedVersion}, newer than the archive's ${given}; it is left as it is`
      return (
        `the stored ${name} differs from the archive's (stored version ${problem.storedVersion}, archive version ${given}); an import never overwrites a stored row: ` +
        'restore into an empty database, or change the row through the API'
      )
    case 'taken':
      return TAKEN[problem.columns]?.(data) ?? `it conflicts with a stored row (${problem.columns})`
    case 'dangling':
      return 'it refers to a row that does not exist'
  }
}

/** The line validator, compiled once per process on first use (compiling takes a moment; the schemas never change). */
let validator: ReturnType<typeof compileArchiveLineValidator> | null = null
const validate = (value: unknown) => (validator ??= compileArchiveLineValidator(allSchemas))(value)

/**
 * Each record's keys, nested ones too, in its schema's order: the engines keep
 * JSON in different orders (PostgreSQL's jsonb sorts keys by length; SQLite
 * keeps the writer's), and an archive of the same content is the same bytes
 * from either.
 */
const inSchemaOrder = schemaOrder(allSchemas)
const RECORD_SCHEMAS = { section: ArchiveSection, topic: ArchiveTopic, contributor: ArchiveContributor, media: ArchiveMedia, article: ArchiveArticle, revision: ArchiveRevision }
const record = (kind: keyof typeof RECORD_SCHEMAS, data: object) => ({ kind, data: inSchemaOrder(data, RECORD_SCHEMAS[kind]) })

/**
 * Bulk export and import of the whole archive as NDJSON (src/schemas/archive.ts
 * describes the format). Both stream: export reads the database page by page
 * and hands on text as it goes; import reads line by line and writes a batch of
 * records per transaction. Memory stays flat however large the archive.
 */
export function createArchiveService(repo: ArchiveRepository, runtime: Runtime = systemRuntime) {
  /** The import entry of a valid record, after the checks JSON Schema cannot make; the article's search text is derived here. */
  function entryOf(line: number, given: ArchiveRecordValue): ArchiveEntry {
    const record = inUtc(given)
    if (record.kind !== 'article') return { line, ...record } as ArchiveEntry
    // Lists rely on it (a publication window is a range of the list order): once published, an article is listed at that time.
    if (record.data.publishedAt !== null && record.data.listedAt !== record.data.publishedAt) {
      throw new BadLine(line, `/data/listedAt: a published article is listed at its publication time (${record.data.publishedAt})`)
    }
    record.data.body = record.data.body.map((block, i) => {
      if (block.type === 'paragraph') {
        // Stored as sanitised (what an export holds already: the same bytes), which bodyText reads without parsing again.
        const { html, violations } = checkInlineHtml(block.html)
        if (violations.length > 0) throw new BadLine(line, `/data/body/${i}/html: ${violations[0]}`)
        return { ...block, html }
      }
      if (block.type === 'video' && (block.mediaId === undefined) === (block.url === undefined)) {
        throw new BadLine(line, `/data/body/${i}: a video block needs exactly one of mediaId and url`)
      }
      if (block.type === 'embed' && block.html !== undefined) {
        const { html, violations } = checkEmbedHtml(block.html)
        if (violations.length > 0) throw new BadLine(line, `/data/body/${i}/html: ${violations[0]}`)
        if (html !== block.html) throw new BadLine(line, `/data/body/${i}/html: an embedded iframe needs a sandbox attribute`)
      }
      return block
    })
    return { line, kind: 'article', data: record.data, bodyText: bodyText(record.data.body, { captions: true }) }
  }

  function parseLine(line: number, text: string): ArchiveLineValue {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      throw new BadLine(line, `not valid JSON (${(err as Error).message})`)
    }
    const issue = validate(value)
    if (issue) throw new BadLine(line, `${issue.path} ${issue.message}`)
    return value as ArchiveLineValue
  }

  function parseHeader(line: number, text: string): ArchiveHeaderValue {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      value = null
    }
    const v = value as Partial<ArchiveHeaderValue> | null
    if (typeof v !== 'object' || v === null || v.kind !== 'header' || v.format !== ARCHIVE_FORMAT) {
      throw new BadLine(line, `this is not a Newsdesk archive: it must start with a header line {"kind":"header","format":"${ARCHIVE_FORMAT}",...}`)
    }
    if (v.version !== ARCHIVE_VERSION) throw new BadLine(line, `the archive format version ${String(v.version)} is not supported; this server reads version ${ARCHIVE_VERSION}`)
    return parseLine(line, text) as ArchiveHeaderValue
  }

  return {
    /**
     * The archive as NDJSON text, in pieces: header, sections (parents first),
     * topics, contributors, media, then articles each followed by its revisions
     * when asked, and the end line. It reads one consistent snapshot, a page at a
     * time; stopping the iteration early releases it.
     */
    async *exportArchive(options: ArchiveExportOptions): AsyncGenerator<string> {
      const size = options.pageSize ?? ARCHIVE_PAGE_SIZE
      const reader = await repo.openReader()
      try {
        const total = await reader.counts(options.revisions)
        let out: string[] = []
        let chars = 0
        let records = 0
        let articles = 0
        const write = (value: object) => {
          const text = JSON.stringify(value)
          out.push(text)
          chars += text.length
        }
        const take = () => {
          const chunk = `${out.join('\n')}\n`
          out = []
          chars = 0
          return chunk
        }
        const progress = () => options.onProgress?.({ line: records + 1, records, articles, total })
        const header: ArchiveHeaderValue = {
          kind: 'header',
          format: ARCHIVE_FORMAT,
          version: ARCHIVE_VERSION,
          exportedAt: runtime.now().toISOString(),
          revisions: options.revisions,
          counts: total,
        }
        write(header)

        const catalogue = [
          ['section', paged((after) => reader.sections(after, size), (s) => s.path, size)],
          ['topic', paged((after) => reader.topics(after, size), (t) => t.id, size)],
          ['contributor', paged((after) => reader.contributors(after, size), (c) => c.id, size)],
          ['media', paged((after) => reader.media(after, size), (m) => m.id, size)],
        ] as const
        for (const [kind, pages] of catalogue) {
          for await (const rows of pages) {
            for (const data of rows) write(record(kind, data))
            records += rows.length
            if (chars >= CHUNK_CHARS) yield take()
            progress()
          }
        }

        for await (const page of paged((after) => reader.articles(after, size), (a) => a.id, size)) {
          const revisionsOf = options.revisions ? revisionWalker(reader, page[0]!.id, page[page.length - 1]!.id, size) : null
          for (const data of page) {
            write(record('article', data))
            records += 1
            if (revisionsOf) {
              for await (const revision of revisionsOf(data.id)) {
                write(record('revision', revision))
                records += 1
              }
            }
            if (chars >= CHUNK_CHARS) yield take()
          }
          articles += page.length
          progress()
        }
        write({ kind: 'end', records })
        yield take()
        progress()
      } finally {
        await reader.close()
      }
    },

    /**
     * Imports an NDJSON archive from a stream of bytes. Lines are checked one by
     * one and written in batches, each in one transaction; the first bad line stops
     * the import and its whole batch is rolled back, so every line before
     * `resumeFrom` is imported and none after it. An import is a restore that
     * never overwrites: records the database lacks are added, identical ones are
     * left alone (so an interrupted import is finished by running it again, or
     * faster with `resumeFrom`), and a record stored with other content stops the
     * import at its line.
     */
    async importArchive(input: ArchiveInput, options: ArchiveImportOptions = {}): Promise<ArchiveImportSummary> {
      const batchSize = options.batchSize ?? ARCHIVE_BATCH_SIZE
      const resumeFrom = options.resumeFrom ?? 1
      const summary: ArchiveImportSummary = { imported: zero(), unchanged: zero(), lines: 0, failed: null, resumeFrom: null }
      let header: ArchiveHeaderValue | null = null
      let batch: ArchiveEntry[] = []
      let records = 0
      let ended = false
      const progress = () =>
        options.onProgress?.({ line: summary.lines, records, articles: summary.imported.articles + summary.unchanged.articles, total: header?.counts ?? null })

      const flush = async () => {
        if (batch.length === 0) return
        const result = await repo.importBatch(batch, { at: runtime.now().toISOString(), revisionsIncluded: header!.revisions })
        const { failed } = result
        if (failed) throw new BadLine(failed.line, describeArchiveProblem(failed.problem, batch.find((e) => e.line === failed.line)!))
        add(summary.imported, result.imported)
        add(summary.unchanged, result.unchanged)
        batch = []
        progress()
      }

      try {
        for await (const { line, text } of ndjsonLines(input)) {
          summary.lines = line
          if (text === null) throw new BadLine(line, 'the line is not UTF-8 text')
          if (text.trim() === '') continue
          if (header === null) {
            header = parseHeader(line, text)
            continue
          }
          if (ended) throw new BadLine(line, 'there is a line after the end line')
          if (line < resumeFrom && !END_LINE.test(text)) {
            // Imported by an earlier run: counted for the end line's check, not read.
            records += 1
            continue
          }
          const value = parseLine(line, text)
          if (value.kind === 'header') throw new BadLine(line, 'a second header line')
          if (value.kind === 'end') {
            if (value.records !== records) {
              throw new BadLine(line, `the end line counts ${value.records} records but ${records} lines precede it: lines are missing or were added`)
            }
            ended = true
            continue
          }
          // A batch ends only before a record that is not a revision, so an article and its revisions are imported together.
          if (batch.length >= batchSize && value.kind !== 'revision') await flush()
          batch.push(entryOf(line, value))
          records += 1
        }
        if (header === null) throw new BadLine(1, 'the archive is empty')
        await flush()
        if (!ended) throw new BadLine(summary.lines + 1, 'the archive ends before its end line: the file is cut short')
        progress()
      } catch (err) {
        let failed: { line: number; error: string }
        if (err instanceof BadLine) failed = { line: err.line, error: err.message }
        else if (err instanceof InputError) failed = { line: summary.lines + 1, error: `the archive could not be read: ${err.message}` }
        else throw err
        summary.failed = failed
        // The batch in hand (if any) was not written, or was rolled back as a whole.
        summary.resumeFrom = batch[0]?.line ?? failed.line
      }
      return summary
    },
  }
}

export type ArchiveService = ReturnType<typeof createArchiveService>
