import t from 'tap'
import { DrizzleQueryError } from 'drizzle-orm'
import { brokenConstraint, databaseErrorOf, searchQueryProblem } from '../../../src/db/pg/errors.js'
import { translateDatabaseError } from '../../../src/db/index.js'
import { rethrowUnique } from '../../../src/db/repositories/util.js'
import { ConflictError, DatabaseBusyError, InsufficientStorageError } from '../../../src/errors.js'

const pgError = (code: string, fields: Record<string, string> = {}) => Object.assign(new Error(`error ${code}`), { code, ...fields })
const wrapped = (cause: Error) => new DrizzleQueryError('select secret from articles', [], cause)

t.test('a serialization failure, a deadlock, a lock or statement timeout, a shutdown or a lost connection is DatabaseBusyError', async (t) => {
  for (const code of ['40001', '40P01', '55P03', '57014', '53300', '57P01', '08006', 'ECONNREFUSED', 'ECONNRESET']) {
    t.type(databaseErrorOf(pgError(code)), DatabaseBusyError, code)
  }
  t.type(databaseErrorOf(new Error('Connection terminated unexpectedly')), DatabaseBusyError, 'node-postgres: connection lost')
  t.type(databaseErrorOf(new Error('timeout exceeded when trying to connect')), DatabaseBusyError, 'node-postgres: no free connection')
})

t.test('disk_full is InsufficientStorageError; constraint and syntax errors are not busy', async (t) => {
  t.type(databaseErrorOf(pgError('53100')), InsufficientStorageError)
  for (const code of ['23505', '23503', '42601', '42P01']) t.equal(databaseErrorOf(pgError(code)), undefined, code)
  t.equal(databaseErrorOf('40001'), undefined, 'not an error')
})

t.test('translateDatabaseError finds a PostgreSQL error as the cause of a DrizzleQueryError, and keeps it only as the cause', async (t) => {
  const err = wrapped(pgError('40P01'))
  const translated = translateDatabaseError(err)
  t.type(translated, DatabaseBusyError)
  t.notMatch((translated as Error).message, /secret/)
  t.equal((translated as Error).cause, err)
  const other = wrapped(pgError('42P01'))
  t.equal(translateDatabaseError(other), other, 'any other error is returned as it is')
})

t.test('brokenConstraint names unique, primary-key and foreign-key violations', async (t) => {
  t.same(brokenConstraint(wrapped(pgError('23505', { constraint: 'articles_slug_unique', table: 'articles' }))), { kind: 'unique', table: 'articles', constraint: 'articles_slug_unique' })
  t.same(brokenConstraint(pgError('23505', { constraint: 'media_pkey', table: 'media' })), { kind: 'primary-key', table: 'media', constraint: 'media_pkey' })
  t.match(brokenConstraint(pgError('23503', { constraint: 'article_credits_contributor_id_contributors_id_fk' })), { kind: 'foreign-key' })
  t.equal(brokenConstraint(pgError('40001')), null)
  t.equal(brokenConstraint(new Error('plain')), null)
})

t.test('rethrowUnique turns a PostgreSQL unique violation into ConflictError naming the field', async (t) => {
  t.throws(() => rethrowUnique(wrapped(pgError('23505', { constraint: 'articles_slug_unique' })), 'slug', 'taken'), new ConflictError("The slug 'taken' is already taken."))
  const other = pgError('23503')
  t.throws(() => rethrowUnique(other, 'slug', 'x'), other)
})

t.test('searchQueryProblem recognises a tsquery syntax error only', async (t) => {
  t.type(searchQueryProblem(wrapped(Object.assign(new Error('syntax error in tsquery: "a &"'), { code: '42601' }))), 'string')
  t.equal(searchQueryProblem(pgError('42601')), null)
})
