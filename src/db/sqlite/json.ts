import { sql, type Placeholder, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'

/**
 * Lists as one parameter, on SQLite: a JSON array read with json_each. The
 * length of a list does not change a statement's SQL, so a statement
 * prepared once serves lists of any length.
 */

/** The parameter value of a list. */
export const listParam = (values: readonly unknown[]): string => JSON.stringify(values)

/** The values of a list parameter, as a subquery (for `in`). */
export const listValues = (param: SQL | Placeholder): SQL => sql`(select value from json_each(${param}))`

/** Whether a JSON array column holds `value`, compared case-insensitively. */
export const arrayHoldsIgnoringCase = (column: SQLiteColumn, value: string): SQL =>
  sql`exists (select 1 from json_each(${column}) where lower(json_each.value) = lower(${value}))`
