// npm run keys -- create --scope admin|write|read --name NAME
// npm run keys -- list
// npm run keys -- revoke ID
//
// API keys, on the database DATABASE_PATH names, directly (the server need not run): how to
// get an admin key when the one printed at the first start is lost. Exit code: 0 on success,
// 1 when there is no key with that id, 2 for a usage or configuration error.
import { parseArgs } from 'node:util'
import { openDataLayer } from '../db/index.js'
import { createApiKeyService } from '../services/apiKeys.js'
import type { Scope } from '../services/actor.js'
import { DomainError, NotFoundError } from '../errors.js'
import { configOrExplain, isMain } from './main.js'

export const KEYS_USAGE = `Usage: npm run keys -- create --scope admin|write|read --name NAME
       npm run keys -- list
       npm run keys -- revoke ID

create   makes a key and prints its secret, this once (only its hash is stored)
list     lists the keys: id, scope, name, first characters, created, last used, revoked
revoke   revokes the key with this id (see list); requests with it get 401 from then on

The database is DATABASE_PATH (default data/newsdesk.db).
Exit code: 0 on success, 1 when there is no key with that id, 2 for a usage or configuration error.
`

const SCOPES: readonly Scope[] = ['admin', 'write', 'read']

interface Stream {
  write(chunk: string): unknown
}
export interface KeysIo {
  stdout: Stream
  stderr: Stream
  env: Record<string, string | undefined>
}

const usage = (io: KeysIo, message: string) => {
  io.stderr.write(`${message}\n\n${KEYS_USAGE}`)
  return 2
}

/** Runs the command; returns the exit code. */
export async function runKeysCli(argv: string[], io: KeysIo): Promise<number> {
  let args
  try {
    args = parseArgs({ args: argv, allowPositionals: true, options: { scope: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
  } catch (err) {
    return usage(io, (err as Error).message)
  }
  const [command, ...rest] = args.positionals
  if (args.values.help) {
    io.stdout.write(KEYS_USAGE)
    return 0
  }
  const { scope, name } = args.values
  if (command === 'create') {
    if (rest.length > 0) return usage(io, `create takes no argument besides --scope and --name (got '${rest.join(' ')}').`)
    if (!SCOPES.includes(scope as Scope)) return usage(io, `--scope must be one of ${SCOPES.join(', ')}${scope === undefined ? '' : ` (got '${scope}')`}.`)
    if (name === undefined || name.trim() === '' || name.length > 100) return usage(io, '--name must be 1 to 100 characters, saying who or what uses the key.')
  } else if (command === 'list') {
    if (rest.length > 0 || scope !== undefined || name !== undefined) return usage(io, 'list takes no arguments.')
  } else if (command === 'revoke') {
    if (rest.length !== 1 || scope !== undefined || name !== undefined) return usage(io, 'revoke takes one key id (see npm run keys -- list).')
  } else {
    return usage(io, command === undefined ? 'Say what to do: create, list or revoke.' : `Unknown command '${command}'.`)
  }

  const config = configOrExplain(io.env, io.stderr)
  if (!config) return 2
  const data = await openDataLayer(config.databaseUrl ?? config.databasePath)
  const keys = createApiKeyService(data.repos.apiKeys)
  try {
    if (command === 'create') {
      const { row, key } = await keys.create(name!.trim(), scope as Scope)
      io.stdout.write(`Created ${row.scope} key ${row.id} (${row.name}). The key is shown only this once; keep it safe:\n\n  ${key}\n\nUse it as: Authorization: Bearer <key>\n`)
    } else if (command === 'list') {
      const rows = await keys.list()
      if (rows.length === 0) io.stdout.write('No API keys yet: npm run keys -- create --scope admin --name "me"\n')
      for (const r of rows) {
        const state = r.revokedAt ? `revoked ${r.revokedAt}` : r.lastUsedAt ? `last used ${r.lastUsedAt}` : 'never used'
        io.stdout.write(`${r.id}  ${r.scope.padEnd(5)}  ${r.prefix}…  ${r.name}  (created ${r.createdAt}, ${state})\n`)
      }
    } else {
      const row = await keys.revoke(rest[0]!)
      io.stdout.write(`Revoked ${row.scope} key ${row.id} (${row.name}) at ${row.revokedAt}.\n`)
    }
    return 0
  } catch (err) {
    if (err instanceof NotFoundError) {
      io.stderr.write(`No API key with id '${rest[0]}' (npm run keys -- list shows them).\n`)
      return 1
    }
    if (err instanceof DomainError && err.code === 'last-admin-key') {
      io.stderr.write(`${err.message}\n`)
      return 1
    }
    throw err
  } finally {
    await data.close()
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await runKeysCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
}
