import { Type } from '@sinclair/typebox'
import { Strict, Timestamp, ref } from './common.js'

export const Change = Strict(
  {
    seq: Type.Integer({ description: 'Position in the feed; strictly increasing.' }),
    kind: Type.Unsafe<string>({
      type: 'string',
      enum: ['created', 'updated', 'published', 'unpublished', 'scheduled', 'archived', 'restored', 'deleted'],
      description:
        'For read keys and anonymous callers: published (became visible), updated (changed while visible), unpublished (no longer visible), deleted. Write keys see every change.',
    }),
    articleId: Type.String(),
    version: Type.Integer({ description: 'The article version after the change (before it, for deleted).' }),
    at: ref(Timestamp),
  },
  { $id: 'Change' },
)

export const ChangeList = Strict(
  {
    data: Type.Array(ref(Change)),
    next: Type.String({ description: 'Poll again with since=next; it is the same cursor when nothing changed.' }),
    more: Type.Boolean({ description: 'True when more changes are waiting: ask again at once.' }),
  },
  { $id: 'ChangeList' },
)

export const ChangeQuery = Strict(
  {
    since: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The `next` of the previous answer; from the start when absent.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'At most this many changes, 1..1000 (default 100).' })),
  },
  { $id: 'ChangeQuery' },
)

export const changeSchemas = [Change, ChangeList, ChangeQuery]
