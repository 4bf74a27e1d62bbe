/**
 * Related blocks as readers see them. A related block names another article
 * by id; a reader (anonymous or a read key) must not learn the id of an
 * article they cannot see (a draft, a scheduled or embargoed one), nor follow
 * a link to one that was deleted. For readers, such a block is left out of the
 * body: the rest of the article is unchanged. Editors (write keys) see every block.
 *
 * A pure function over a mapped article (or list item; one without a body, as
 * with `fields=`, passes through), so it applies wherever a read is answered:
 * the ids sit beside each stored rendering (mappers/rendering.ts), the caller
 * asks which are visible, then `hideUnseenRelated` each article.
 */

interface WithBody {
  body?: { type: string; articleId?: string }[]
}

/** The article without the related blocks whose target is not in `visible`. */
export function hideUnseenRelated<T extends WithBody>(article: T, visible: ReadonlySet<string>): T {
  if (!article.body?.some((b) => b.type === 'related' && !visible.has(b.articleId ?? ''))) return article
  return { ...article, body: article.body.filter((b) => b.type !== 'related' || visible.has(b.articleId ?? '')) }
}
