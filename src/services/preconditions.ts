import { PreconditionRequiredError } from '../errors.js'

/**
 * Entity tags are `"<version>-<hash>"`: the version of the resource and a
 * hash of the representation (which also covers embedded resources).
 * If-Match is compared on the version, so a client may also send the bare
 * version number. `*` matches any existing version.
 */
export function etagFor(version: number, hash: string): string {
  return `"${version}-${hash}"`
}

/**
 * The version an If-Match header asks for: null for `*`, -1 (matches no
 * version, so the write gets 412) for a tag that is not ours. Throws 428 when absent.
 */
export function expectedVersion(ifMatch: string | undefined): number | null {
  if (ifMatch === undefined || ifMatch.trim() === '') throw new PreconditionRequiredError()
  const value = ifMatch.trim()
  if (value === '*') return null
  const first = value.split(',')[0]!.trim().replace(/^W\//, '')
  const match = /^"?(\d{1,9})(?:-[0-9a-f]{1,64})?"?$/.exec(first)
  if (!match) return -1
  return Number(match[1])
}
