import { getTableColumns } from 'drizzle-orm'
import { articles } from './schema.js'

/** An article's columns as ArticleRow has them: all but the generated search vector, which no read needs. */
const { search: _search, ...articleRowColumns } = getTableColumns(articles)
export { articleRowColumns }
