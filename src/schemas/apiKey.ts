import { Type, type Static } from '@sinclair/typebox'
import { Nullable, Strict, Timestamp, ref } from './common.js'

export const Scope = Type.Unsafe<'read' | 'write' | 'admin'>({
  $id: 'Scope',
  type: 'string',
  enum: ['read', 'write', 'admin'],
  description: 'read: published content; write: also drafts and every edit; admin: also API keys.',
})

export const ApiKeyCreate = Strict(
  { name: Type.String({ minLength: 1, maxLength: 100 }), scope: ref(Scope) },
  { $id: 'ApiKeyCreate' },
)
export type ApiKeyCreateBody = Static<typeof ApiKeyCreate>

const keyFields = {
  id: Type.String(),
  name: Type.String(),
  scope: ref(Scope),
  prefix: Type.String({ description: 'The first characters of the key, to recognise it.' }),
  createdAt: ref(Timestamp),
  lastUsedAt: Nullable(ref(Timestamp)),
  revokedAt: Nullable(ref(Timestamp)),
}
export const ApiKey = Strict(keyFields, { $id: 'ApiKey' })
export const ApiKeyCreated = Strict(
  { ...keyFields, key: Type.String({ description: 'The secret. It is shown once and stored only as a hash.' }) },
  { $id: 'ApiKeyCreated' },
)
export const ApiKeyList = Strict({ data: Type.Array(ref(ApiKey)) }, { $id: 'ApiKeyList' })

export const apiKeySchemas = [Scope, ApiKeyCreate, ApiKey, ApiKeyCreated, ApiKeyList]
