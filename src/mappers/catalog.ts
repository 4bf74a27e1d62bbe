import type { Static } from '@sinclair/typebox'
import type { ApiKeyRow, ContributorRow, MediaRow, SectionRow, TopicRow } from '../db/rows.js'
import type { Media } from '../schemas/media.js'
import type { Contributor, Topic } from '../schemas/contributor.js'
import type { ApiKey } from '../schemas/apiKey.js'
import type { Section } from '../schemas/section.js'

/** Mappers whitelist what leaves the API: each names every field it sends. */
export function mapMedia(m: MediaRow): Static<typeof Media> {
  return {
    id: m.id,
    kind: m.kind,
    url: m.url,
    mimeType: m.mimeType,
    width: m.width,
    height: m.height,
    durationSeconds: m.durationSeconds,
    sizeBytes: m.sizeBytes,
    alt: m.alt,
    caption: m.caption,
    credit: m.credit,
    copyright: m.copyright,
    renditions: m.renditions,
    version: m.version,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  }
}

export function mapContributor(c: ContributorRow & { articleCount?: number }): Static<typeof Contributor> {
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    slug: c.slug,
    bio: c.bio,
    avatarUrl: c.avatarUrl,
    aliases: c.aliases,
    ...(c.articleCount === undefined ? {} : { articleCount: c.articleCount }),
    version: c.version,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  }
}

export function mapTopic(t: TopicRow & { articleCount?: number }): Static<typeof Topic> {
  return {
    id: t.id,
    kind: t.kind,
    name: t.name,
    slug: t.slug,
    description: t.description,
    aliases: t.aliases,
    ...(t.articleCount === undefined ? {} : { articleCount: t.articleCount }),
    version: t.version,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  }
}

export function mapApiKey(k: ApiKeyRow): Static<typeof ApiKey> {
  return { id: k.id, name: k.name, scope: k.scope, prefix: k.prefix, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt, revokedAt: k.revokedAt }
}

export function mapSection(s: SectionRow & { articleCount?: number }): Static<typeof Section> {
  return {
    id: s.id,
    name: s.name,
    slug: s.slug,
    parentId: s.parentId,
    path: s.path,
    description: s.description,
    ...(s.articleCount === undefined ? {} : { articleCount: s.articleCount }),
    version: s.version,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  }
}
