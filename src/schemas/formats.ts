import { isInstant } from '../services/time.js'

interface FormatAjv {
  formats: Record<string, unknown>
  addFormat(name: string, format: { type: 'string'; validate: (value: string) => boolean }): unknown
}

/**
 * Tightens the `date-time` format of an Ajv instance (given by
 * @fastify/ajv-compiler's `onCreate`): RFC 3339 as ajv-formats checks it, and
 * also a real instant that `new Date()` can read. RFC 3339 allows a leap second
 * (23:59:60), which JavaScript cannot represent; such a value is a 400 naming
 * the field rather than a 500 later.
 */
export function strictDateTime(ajv: FormatAjv): void {
  const base = ajv.formats['date-time'] as { validate?: (v: string) => boolean } | ((v: string) => boolean) | RegExp | undefined
  const rfc3339 = (value: string): boolean => {
    if (typeof base === 'function') return base(value)
    if (base instanceof RegExp) return base.test(value)
    if (base && typeof base.validate === 'function') return base.validate(value)
    return true
  }
  ajv.addFormat('date-time', { type: 'string', validate: (value) => rfc3339(value) && isInstant(value) })
}
