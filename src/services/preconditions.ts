import { PreconditionRequiredError, ValidationError } from '../errors.js'

/**
 * Entity tags are `"<version>-<hash>"`: the version of the resource and a
 * hash of the representation (which also covers embedded resources).
 * If-Match is compared on the version, so a client may also send the bare
 * version number. `*` matches any existing version.
 */
export function etagFor(version: number, hash: string): string {
  return `"${version}-${hash}"`
}

/** What If-Match takes, for the 400 that answers a malformed one. */
export const IF_MATCH_FORM = '"*", an ETag as sent in the ETag header ("3-9f86d081"), or a version number (3)'

/**
 * The version an If-Match header asks for: null for `*`, -1 (matches no
 * version, so the write gets 412) for well-formed entity tags none of which is
 * ours. Throws 428 when absent, and 400 when it is not an entity-tag list
 * (`If-Match: banana`): a malformed precondition is the client's error, not a stale one.
 */
export function expectedVersion(ifMatch: string | undefined): number | null {
  if (ifMatch === undefined || ifMatch.trim() === '') throw new PreconditionRequiredError()
  const value = ifMatch.trim()
  if (value === '*') return null
  const tags = value.split(',').map((tag) => tag.trim())
  if (!tags.every((tag) => /^\d{1,9}(-[0-9a-f]{1,64})?$/.test(tag) || /^(W\/)?"[\x21\x23-\x7e]*"$/.test(tag))) {
    throw new ValidationError(`If-Match must be ${IF_MATCH_FORM}.`, [{ path: '/headers/if-match', message: `must be ${IF_MATCH_FORM}` }])
  }
  for (const tag of tags) {
    const match = /^"?(\d{1,9})(?:-[0-9a-f]{1,64})?"?$/.exec(tag.replace(/^W\//, ''))
    if (match) return Number(match[1])
  }
  return -1
}
