import { ConflictError } from '../../errors.js'
import { brokenConstraint as sqliteBrokenConstraint } from '../sqlite/errors.js'
import { brokenConstraint as postgresBrokenConstraint } from '../pg/errors.js'

/** Turns a UNIQUE violation (on either engine) into a 409 naming the field; anything else is rethrown. */
export function rethrowUnique(err: unknown, field: string, value: string): never {
  if (sqliteBrokenConstraint(err)?.kind === 'unique' || postgresBrokenConstraint(err)?.kind === 'unique') {
    throw new ConflictError(`The ${field} '${value}' is already taken.`)
  }
  throw err
}
