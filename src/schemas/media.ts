import { Type, type Static } from '@sinclair/typebox'
import { Nullable, Strict, Timestamp, ref } from './common.js'

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max })
const Url = Type.String({ maxLength: 2000, pattern: '^https?://[^\\s]+$' })
const MimeType = Type.String({ maxLength: 100, pattern: '^(image|video|audio)/[A-Za-z0-9.+-]+$' })

export const MediaKind = Type.Unsafe<'image' | 'video' | 'audio'>({ $id: 'MediaKind', type: 'string', enum: ['image', 'video', 'audio'] })

export const Rendition = Strict(
  {
    name: Type.String({ minLength: 1, maxLength: 50, pattern: '^[A-Za-z0-9_-]+$' }),
    url: Url,
    width: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    height: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    mimeType: Type.Optional(MimeType),
  },
  { $id: 'Rendition' },
)

const fields = {
  kind: ref(MediaKind),
  url: Url,
  mimeType: MimeType,
  width: Type.Integer({ minimum: 1, maximum: 100000 }),
  height: Type.Integer({ minimum: 1, maximum: 100000 }),
  durationSeconds: Type.Integer({ minimum: 0, maximum: 1000000 }),
  sizeBytes: Type.Integer({ minimum: 0 }),
  alt: Text(1000),
  caption: Text(2000),
  credit: Text(300),
  copyright: Text(300),
  renditions: Type.Array(ref(Rendition), { maxItems: 20 }),
}

export const MediaCreate = Strict(
  {
    kind: fields.kind,
    url: Type.Optional(fields.url),
    mimeType: Type.Optional(fields.mimeType),
    width: Type.Optional(fields.width),
    height: Type.Optional(fields.height),
    durationSeconds: Type.Optional(fields.durationSeconds),
    sizeBytes: Type.Optional(fields.sizeBytes),
    alt: Type.Optional(fields.alt),
    caption: Type.Optional(fields.caption),
    credit: Type.Optional(fields.credit),
    copyright: Type.Optional(fields.copyright),
    renditions: Type.Optional(fields.renditions),
  },
  { $id: 'MediaCreate' },
)
export type MediaCreateBody = Static<typeof MediaCreate>

export const MediaPatch = Strict(
  {
    url: Type.Optional(Nullable(fields.url)),
    mimeType: Type.Optional(Nullable(fields.mimeType)),
    width: Type.Optional(Nullable(fields.width)),
    height: Type.Optional(Nullable(fields.height)),
    durationSeconds: Type.Optional(Nullable(fields.durationSeconds)),
    sizeBytes: Type.Optional(Nullable(fields.sizeBytes)),
    alt: Type.Optional(Nullable(fields.alt)),
    caption: Type.Optional(Nullable(fields.caption)),
    credit: Type.Optional(Nullable(fields.credit)),
    copyright: Type.Optional(Nullable(fields.copyright)),
    renditions: Type.Optional(fields.renditions),
  },
  { $id: 'MediaPatch', minProperties: 1 },
)
export type MediaPatchBody = Static<typeof MediaPatch>

export const Media = Strict(
  {
    id: Type.String(),
    kind: ref(MediaKind),
    url: Nullable(Type.String({ description: 'Null until the asset is attached (e.g. a photo known only by its caption from an import).' })),
    mimeType: Nullable(Type.String()),
    width: Nullable(Type.Integer()),
    height: Nullable(Type.Integer()),
    durationSeconds: Nullable(Type.Integer()),
    sizeBytes: Nullable(Type.Integer()),
    alt: Nullable(Type.String()),
    caption: Nullable(Type.String()),
    credit: Nullable(Type.String()),
    copyright: Nullable(Type.String()),
    renditions: Type.Array(ref(Rendition)),
    version: Type.Integer(),
    createdAt: ref(Timestamp),
    updatedAt: ref(Timestamp),
  },
  { $id: 'Media' },
)
export type MediaOut = Static<typeof Media>

export const MediaList = Strict({ data: Type.Array(ref(Media)), next: Nullable(Type.String()) }, { $id: 'MediaList' })

export const mediaSchemas = [MediaKind, Rendition, MediaCreate, MediaPatch, Media, MediaList]
