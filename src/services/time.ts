/**
 * Instants. Every timestamp the service stores has one form, that of
 * `Date.prototype.toISOString()` in UTC ("2024-05-01T10:00:00.000Z"), so stored
 * timestamps compare as text exactly as the instants they name compare (the
 * database filters and orders on them). Every boundary that takes a timestamp
 * from outside (API bodies and query strings, the archive import, the ingest
 * import) turns it into this form with `toInstant`; the JSON Schema format
 * `date-time` only lets through what `isInstant` accepts (see
 * src/schemas/formats.ts), so a leap second or another time that is not a real
 * instant is a validation error, never a server error.
 */

const STORED_FORM = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

/** Whether `value` names a real instant between the years 0000 and 9999 (UTC). */
export function isInstant(value: string): boolean {
  const ms = Date.parse(value)
  return !Number.isNaN(ms) && STORED_FORM.test(new Date(ms).toISOString())
}

/** The stored form of an instant; throws a RangeError for text that is not one (callers validate first). */
export function toInstant(value: string): string {
  // isInstant's test, parsing once: the stored form is the one it checks.
  const ms = Date.parse(value)
  const instant = Number.isNaN(ms) ? '' : new Date(ms).toISOString()
  if (!STORED_FORM.test(instant)) throw new RangeError(`'${value.slice(0, 60)}' is not a date-time this service can store`)
  return instant
}

/** `toInstant` for optional values: null and undefined pass through. */
export function toInstantOrNull(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : toInstant(value)
}

