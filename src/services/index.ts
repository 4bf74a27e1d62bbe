import { loadConfig } from '../config.js'
import type { ContributorRow, MediaRow, Repositories, TopicRow } from '../db/index.js'
import type { MediaCreateBody, MediaPatchBody } from '../schemas/media.js'
import type { ContributorCreateBody, ContributorPatchBody, TopicCreateBody, TopicPatchBody } from '../schemas/contributor.js'
import { createApiKeyService } from './apiKeys.js'
import { createArchiveService } from './archive.js'
import { createArticleService } from './articles.js'
import { createCatalogService, slugOf } from './catalog.js'
import { systemRuntime, type Runtime } from './clock.js'
import { createImportService } from './imports.js'
import { createIdempotencyService, DEFAULT_IDEMPOTENCY, type IdempotencyOptions } from './idempotency.js'
import { createSectionService } from './sections.js'
import { createWebhookService, type WebhookDeps, type WebhookSettings } from './webhooks.js'
import { createReaderService } from './readers.js'

export interface ServiceOptions {
  idempotency?: IdempotencyOptions
  /** See Config.searchCandidateLimit. */
  searchCandidateLimit?: number
  /** Webhook delivery settings (Config.webhooks and PUBLIC_URL); defaults: nothing allowlisted, the config's defaults. */
  webhooks?: WebhookSettings
  /** Tests only: a resolver, sender or jitter of their own. */
  webhookDeps?: WebhookDeps
}

export function createServices(repos: Repositories, runtime: Runtime = systemRuntime, options: ServiceOptions = {}) {
  const core = {
    idempotency: createIdempotencyService(repos.idempotency, runtime, options.idempotency ?? DEFAULT_IDEMPOTENCY),
    articles: createArticleService(repos.articles, runtime, options.searchCandidateLimit),
    sections: createSectionService(repos.sections, runtime),
    apiKeys: createApiKeyService(repos.apiKeys, runtime),
    archive: createArchiveService(repos.archive, runtime),
    webhooks: createWebhookService(repos, runtime, options.webhooks ?? loadConfig({}).webhooks, options.webhookDeps),
    readers: createReaderService(repos.readers, runtime),
    media: createCatalogService<MediaRow, Omit<MediaRow, 'id' | 'version' | 'createdAt' | 'updatedAt'>, MediaCreateBody, MediaPatchBody>(
      repos.media,
      'media',
      (m) => ({
        kind: m.kind,
        url: m.url ?? null,
        mimeType: m.mimeType ?? null,
        width: m.width ?? null,
        height: m.height ?? null,
        durationSeconds: m.durationSeconds ?? null,
        sizeBytes: m.sizeBytes ?? null,
        alt: m.alt ?? null,
        caption: m.caption ?? null,
        credit: m.credit ?? null,
        copyright: m.copyright ?? null,
        renditions: m.renditions ?? [],
      }),
      runtime,
    ),
    contributors: createCatalogService<ContributorRow, Omit<ContributorRow, 'id' | 'version' | 'createdAt' | 'updatedAt'>, ContributorCreateBody, ContributorPatchBody>(
      repos.contributors,
      'contributor',
      (c) => ({ kind: c.kind, name: c.name, slug: c.slug ?? slugOf(c.name), bio: c.bio ?? null, avatarUrl: c.avatarUrl ?? null, aliases: c.aliases ?? [] }),
      runtime,
    ),
    topics: createCatalogService<TopicRow, Omit<TopicRow, 'id' | 'version' | 'createdAt' | 'updatedAt'>, TopicCreateBody, TopicPatchBody>(
      repos.topics,
      'topic',
      (t) => ({ kind: t.kind, name: t.name, slug: t.slug ?? slugOf(t.name), description: t.description ?? null, aliases: t.aliases ?? [] }),
      runtime,
    ),
  }
  const imports = createImportService(
    { articles: core.articles, articleRepo: repos.articles, media: core.media, contributors: repos.contributors, topics: repos.topics },
    runtime,
  )
  return { ...core, imports }
}

export type Services = ReturnType<typeof createServices>
