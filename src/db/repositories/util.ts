import { ConflictError } from '../../errors.js'
import { brokenConstraint } from '../sqlite/errors.js'

/** Turns a UNIQUE violation into a 409 naming the field; anything else is rethrown. */
export function rethrowUnique(err: unknown, field: string, value: string): never {
  if (brokenConstraint(err)?.kind === 'unique') throw new ConflictError(`The ${field} '${value}' is already taken.`)
  throw err
}
