import t from 'tap'
import ts from 'typescript'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/* Layers import one way (routes > services > db): an import cycle, even through type-only imports, is a design error. */

const src = fileURLToPath(new URL('../src/', import.meta.url))

/** Every .ts file under src with the src files it imports or re-exports (TypeScript's own scanner reads the import lines). */
function importGraph(): Map<string, string[]> {
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(src, f))
  const known = new Set(files)
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
      const targets = importedFiles
        .map((i) => i.fileName)
        .filter((name) => name.startsWith('.'))
        .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')))
        .filter((target) => known.has(target))
      return [file, [...new Set(targets)]]
    }),
  )
}

/** The cycles of a graph, one for each edge that closes one in a depth-first walk, as the nodes around it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = []
  const done = new Set<string>()
  const path: string[] = []
  const visit = (node: string) => {
    if (done.has(node)) return
    const at = path.indexOf(node)
    if (at >= 0) {
      found.push([...path.slice(at), node])
      return
    }
    path.push(node)
    for (const next of graph.get(node) ?? []) visit(next)
    path.pop()
    done.add(node)
  }
  for (const node of graph.keys()) visit(node)
  return found
}

t.test('the cycle check finds a cycle, also one through several modules', async (t) => {
  t.same(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c', 'a']])
  t.same(cycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), [])
})

t.test('no module under src imports itself through others', async (t) => {
  const graph = importGraph()
  t.ok(graph.size > 50, `${graph.size} modules read`)
  t.ok((graph.get(join(src, 'db/index.ts')) ?? []).includes(join(src, 'db/rows.ts')), 'imports are resolved')
  const found = cycles(graph).map((cycle) => cycle.map((f) => relative(src, f)).join(' > '))
  t.same(found, [], found.join('\n'))
})
