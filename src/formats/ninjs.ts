import type { ArticleOut } from '../schemas/article.js'
import type { MediaOut } from '../schemas/media.js'
import { bodyHtml, imagesOf, videosOf } from './body.js'
import { articleApiUrl, articleUrl, contributorUrl, mediaUrl, topicUrl, type FormatContext } from './context.js'

export const NINJS_TYPE = 'application/vnd.iptc.ninjs+json'
export type NinjsVersion = '2' | '3'

/** The schema each version is produced for: its URI is the document's `standard.schema` and the `profile` of its media type. */
export const NINJS_SCHEMAS: Record<NinjsVersion, { version: string; uri: string }> = {
  '2': { version: '2.2', uri: 'http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json#' },
  '3': { version: '3.1', uri: 'http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#' },
}

/** The Content-Type of a ninjs document of this version. */
export const ninjsContentType = (v: NinjsVersion) => `${NINJS_TYPE}; version=${NINJS_SCHEMAS[v].version}; profile="${NINJS_SCHEMAS[v].uri}"`

type Json = Record<string, unknown>
const defined = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)))

/** ninjs 3 renamed the 2.x properties to camelCase; everything else we produce is the same. */
const RENAMED_IN_3: Record<string, string> = {
  representationtype: 'representationType',
  firstcreated: 'firstCreated',
  versioncreated: 'versionCreated',
  contentcreated: 'contentCreated',
  embargoed: 'embargoedUntil',
  pubstatus: 'pubStatus',
  copyrightholder: 'copyrightHolder',
  copyrightnotice: 'copyrightNotice',
  infosources: 'infoSources',
  contenttype: 'contentType',
  charcount: 'charCount',
  wordcount: 'wordCount',
  sizeinbytes: 'sizeInBytes',
  altids: 'altIds',
}
function toVersion3(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toVersion3)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [RENAMED_IN_3[k] ?? k, toVersion3(v)]))
}

const MEDIA_TYPE = { image: 'picture', video: 'video', audio: 'audio' } as const

/** A media item as an associated ninjs object: its renditions (the original first), caption and credit. */
function mediaItem(name: string, media: MediaOut, caption: string | null, credit: string | null, ctx: FormatContext, v: NinjsVersion): Json {
  const original = media.url
    ? [defined({ name: 'original', href: media.url, contenttype: media.mimeType, width: media.width, height: media.height, sizeinbytes: media.sizeBytes, duration: media.durationSeconds })]
    : []
  return defined({
    name,
    ...(v === '3' ? { rel: name === 'lead' ? 'lead' : 'body' } : {}),
    uri: mediaUrl(ctx, media.id),
    type: MEDIA_TYPE[media.kind],
    version: String(media.version),
    versioncreated: media.updatedAt,
    firstcreated: media.createdAt,
    descriptions: caption ? [{ role: 'caption', contenttype: 'text/plain', value: caption }] : undefined,
    by: credit ?? undefined,
    copyrightnotice: media.copyright,
    renditions: [
      ...original,
      ...media.renditions.map((r) => defined({ name: r.name, href: r.url, contenttype: r.mimeType, width: r.width, height: r.height })),
    ],
  })
}

const PUBSTATUS = { published: 'usable', archived: 'usable', draft: 'withheld', scheduled: 'withheld' } as const

/**
 * An article as an IPTC ninjs news item, 2.x (2.2) or 3.x (3.1): headlines
 * by role, bodies (HTML and text), the standfirst as a description, typed
 * topics as subjects, people, places, organisations and events, bylines in
 * `by`, agencies and additional reporting as information sources, photos and
 * videos as associations with renditions, and the publication state and dates.
 */
export function ninjs(article: ArticleOut, text: string, ctx: FormatContext, version: NinjsVersion = '2'): Json {
  const words = (s: string) => s.split(/\s+/).filter((w) => w.length > 0).length
  const html = bodyHtml(article, ctx)
  const topics = (kinds: string[]) =>
    article.topics.filter((t) => kinds.includes(t.kind)).map((t) => defined({ name: t.name, uri: topicUrl(ctx, t.slug), literal: t.slug, rel: t.primary ? 'primary' : undefined }))
  const headlines = (['basic', 'print', 'seo', 'social'] as const).flatMap((role) => (article.headlines[role] ? [{ role, contenttype: 'text/plain', value: article.headlines[role] }] : []))
  const bylines = article.credits.filter((c) => c.role === 'byline')
  const sources = article.credits.filter((c) => c.contributor.kind !== 'person' || c.role === 'additional-reporting')
  const associations: Json[] = []
  imagesOf(article).forEach(({ media, caption, credit, role }, i) => associations.push(mediaItem(role === 'lead' ? 'lead' : `image-${i}`, media, caption, credit, ctx, version)))
  videosOf(article).forEach((video, i) => {
    const name = video.role === 'lead' ? 'lead' : `video-${i + 1}`
    if (video.media) associations.push(mediaItem(name, video.media, video.title ?? video.caption, video.credit, ctx, version))
    else if (video.url) {
      associations.push(
        defined({
          name,
          ...(version === '3' ? { rel: 'body' } : {}),
          uri: video.url,
          type: 'video',
          headlines: video.title ? [{ role: 'basic', value: video.title }] : undefined,
          renditions: [{ name: 'original', href: video.url }],
        }),
      )
    }
  })
  const doc = defined({
    uri: articleApiUrl(ctx, article.id),
    standard: { name: 'ninjs', version: NINJS_SCHEMAS[version].version, schema: NINJS_SCHEMAS[version].uri },
    type: 'text',
    representationtype: 'full',
    version: String(article.version),
    firstcreated: article.createdAt,
    versioncreated: article.updatedAt,
    contentcreated: article.firstPublishedAt ?? undefined,
    embargoed: article.embargoUntil ?? undefined,
    pubstatus: PUBSTATUS[article.status],
    language: article.language,
    slugline: article.slug,
    genres: [{ name: article.type, literal: article.type }],
    headlines,
    descriptions: article.summary ? [{ role: 'summary', contenttype: 'text/plain', value: article.summary }] : undefined,
    bodies: [
      { role: 'main', contenttype: 'text/html', charcount: html.length, wordcount: article.wordCount, value: html },
      { role: 'main', contenttype: 'text/plain', charcount: text.length, wordcount: words(text), value: text },
    ],
    by: bylines.map((c) => c.contributor.name).join(', ') || undefined,
    subjects: topics(['subject']),
    people: topics(['person']),
    places: topics(['place']),
    organisations: topics(['organisation']),
    events: topics(['event']),
    infosources: sources.map((c) => ({ name: c.contributor.name, role: c.role, uri: contributorUrl(ctx, c.contributor.slug), literal: c.contributor.slug })),
    copyrightholder: ctx.publisherName,
    altids: [{ role: 'webpage', value: articleUrl(article, ctx) }],
    associations,
  })
  return version === '3' ? (toVersion3(doc) as Json) : doc
}

/** A page of articles as one ninjs package: a composite item whose associations are the articles, in order. */
export function ninjsList(items: { article: ArticleOut; text: string }[], ctx: FormatContext, url: string, version: NinjsVersion = '2', at: string = new Date(0).toISOString()): Json {
  const doc = {
    uri: url,
    standard: { name: 'ninjs', version: NINJS_SCHEMAS[version].version, schema: NINJS_SCHEMAS[version].uri },
    type: 'composite',
    versioncreated: at,
    associations: items.map(({ article, text }, i) => ({ ...ninjs(article, text, ctx, version), name: `item-${i + 1}` })),
  }
  return version === '3' ? (toVersion3(doc) as Json) : doc
}
