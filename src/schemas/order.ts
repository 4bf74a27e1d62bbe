/**
 * Puts a value's object keys in the order its schema lists the properties
 * (nested objects, arrays and unions included; keys the schema does not name
 * follow in their own order). A value read back from PostgreSQL's jsonb has
 * its keys in jsonb's order (by length), one stored as text by SQLite in the
 * order its writer gave: in the schema's order, both engines write the same bytes.
 */
interface Node {
  $id?: string
  $ref?: string
  properties?: Record<string, Node>
  items?: Node
  anyOf?: Node[]
  oneOf?: Node[]
  discriminator?: { propertyName: string }
  const?: unknown
  enum?: unknown[]
}

export type Orderer = (value: unknown, schema: { $id?: string }) => unknown

/** An orderer over these schemas (every `$ref` must name one of them by its $id). */
export function schemaOrder(schemas: readonly object[]): Orderer {
  const byId = new Map((schemas as Node[]).filter((s) => s.$id !== undefined).map((s) => [s.$id!, s]))
  const resolve = (schema: Node): Node => {
    let s = schema
    for (let depth = 0; s.$ref !== undefined; depth++) {
      const next = byId.get(s.$ref)
      if (!next || depth > 20) throw new Error(`schemaOrder: no schema ${s.$ref}`)
      s = next
    }
    return s
  }
  /** The branch of a union that describes this value: the array one for an array; for an object, the one whose tag (`type`) matches. */
  const branchOf = (value: object, branches: Node[], tag: string): Node | undefined => {
    if (Array.isArray(value)) return branches.find((b) => b.items !== undefined)
    const objects = branches.filter((b) => b.properties !== undefined)
    if (objects.length <= 1) return objects[0]
    const given = (value as Record<string, unknown>)[tag]
    return objects.find((b) => {
      const p = b.properties![tag]
      const t = p ? resolve(p) : undefined
      return t !== undefined && (t.const === given || (t.enum?.length === 1 && t.enum[0] === given))
    })
  }
  const order = (value: unknown, schema: Node): unknown => {
    if (value === null || typeof value !== 'object') return value
    let s = resolve(schema)
    const branches = s.oneOf ?? s.anyOf
    if (branches) {
      const branch = branchOf(value, branches.map(resolve), s.discriminator?.propertyName ?? 'type')
      if (!branch) return value
      s = branch
    }
    if (Array.isArray(value)) return s.items ? value.map((v) => order(v, s.items!)) : value
    if (!s.properties) return value
    const given = value as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const [key, sub] of Object.entries(s.properties)) if (key in given) out[key] = order(given[key], sub)
    for (const [key, v] of Object.entries(given)) if (!(key in out)) out[key] = v
    return out
  }
  return (value, schema) => order(value, schema as Node)
}
