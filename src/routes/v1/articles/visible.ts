import type { StoredRendering } from '../../../db/index.js'
import { withoutUnseenRelated } from '../../../mappers/rendering.js'
import type { ArticleService } from '../../../services/articles.js'
import { canSeeUnpublished, type Actor } from '../../../services/actor.js'

/**
 * Renderings as this caller may read them: for readers, related blocks
 * whose target they cannot see are left out (and the ETag follows the bytes).
 * Only renderings that have related blocks are looked at again.
 */
export async function forCaller<T extends StoredRendering>(service: ArticleService, actor: Actor, items: T[]): Promise<T[]> {
  if (canSeeUnpublished(actor)) return items
  const ids = [...new Set(items.flatMap((item) => (item.relatedIds === null ? [] : (JSON.parse(item.relatedIds) as string[]))))]
  if (ids.length === 0) return items
  const visible = await service.visibleIds(ids, actor)
  return items.map((item) => (item.relatedIds === null ? item : { ...item, ...withoutUnseenRelated(item, visible) }))
}
