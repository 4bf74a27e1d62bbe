/**
 * Related blocks as readers see them. A related block names another article
 * by id; a reader (anonymous or a read key) must not learn the id of an
 * article they cannot see (a draft, a scheduled or embargoed one), nor follow
 * a link to one that was deleted. For readers, such a block is left out of the
 * body: the rest of the article is unchanged. Editors (write keys) see every block.
 *
 * Pure functions over a mapped article (or list item; one without a body, as
 * with `fields=`, passes through), so they apply wherever a read is answered:
 * collect the ids with `relatedIdsOf`, ask which are visible to the caller,
 * then `hideUnseenRelated` each article.
 */

interface WithBody {
  body?: { type: string; articleId?: string }[]
}

/** The article ids the related blocks of these articles name, once each. */
export function relatedIdsOf(articles: WithBody[]): string[] {
  const ids = new Set<string>()
  for (const a of articles) for (const b of a.body ?? []) if (b.type === 'related' && b.articleId !== undefined) ids.add(b.articleId)
  return [...ids]
}

/** The article without the related blocks whose target is not in `visible`. */
export function hideUnseenRelated<T extends WithBody>(article: T, visible: ReadonlySet<string>): T {
  if (!article.body?.some((b) => b.type === 'related' && !visible.has(b.articleId ?? ''))) return article
  return { ...article, body: article.body.filter((b) => b.type !== 'related' || visible.has(b.articleId ?? '')) }
}
