/**
 * Entity tags are `"<version>-<hash>"`: the version of the resource and a
 * hash of the representation (which also covers embedded resources).
 * If-Match is compared on the version (src/routes/common.ts, parseIfMatch),
 * so a client may also send the bare version number.
 */
export function etagFor(version: number, hash: string): string {
  return `"${version}-${hash}"`
}
