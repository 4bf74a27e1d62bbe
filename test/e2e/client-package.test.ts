/**
 * openapi/client is an installable package: its build (the package's own
 * tsconfig) gives the files its package.json names, and the built client talks
 * to the API with its types (dist/index.d.ts with schema.d.ts beside it).
 */
import t from 'tap'
import { copyFileSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'
import { minimalArticle, testApp } from '../helpers.js'

const pkgDir = fileURLToPath(new URL('../../openapi/client/', import.meta.url))

interface PackageJson {
  name: string
  type: string
  main: string
  types: string
  exports: Record<string, { types: string; import: string }>
  files: string[]
  scripts: Record<string, string>
  dependencies: Record<string, string>
}

t.test('openapi/client builds to the files its package.json names, and the built client reads the API', async (t) => {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as PackageJson
  const rootPkg = JSON.parse(readFileSync(join(pkgDir, '..', '..', 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
  t.equal(pkg.type, 'module')
  t.equal(pkg.dependencies['openapi-fetch'], rootPkg.devDependencies['openapi-fetch'], 'the same openapi-fetch the repository tests with')
  t.match(pkg.scripts.build, /tsc -p tsconfig.json/)
  t.match(pkg.scripts.build, /schema\.d\.ts/, 'the build puts the generated types beside the declarations')

  // The package's build, into a scratch directory.
  const out = t.testdir()
  const config = ts.getParsedCommandLineOfConfigFile(join(pkgDir, 'tsconfig.json'), { outDir: join(out, 'dist') }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => t.fail(String(d.messageText)) })!
  const program = ts.createProgram(config.fileNames, config.options)
  const emitted = program.emit()
  t.same(ts.getPreEmitDiagnostics(program).concat(emitted.diagnostics).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), [], 'the client compiles')
  copyFileSync(join(pkgDir, 'schema.d.ts'), join(out, 'dist', 'schema.d.ts'))
  for (const file of [pkg.main, pkg.types, pkg.exports['.']!.types, pkg.exports['.']!.import]) t.ok(existsSync(join(out, file)), `${file} is built`)
  for (const file of pkg.files.filter((f) => f !== 'dist')) t.ok(existsSync(join(pkgDir, file)), `${file} is in the package`)

  const h = await testApp(t)
  await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: minimalArticle() })
  const base = await h.app.listen({ host: '127.0.0.1', port: 0 })
  const client = (await import(pathToFileURL(join(out, pkg.main)).href)) as typeof import('../../openapi/client/index.js')
  const newsdesk = client.createNewsdeskClient(base, h.as.write.authorization!.replace('Bearer ', ''))
  const { data, error } = await newsdesk.GET('/v1/articles', { params: { query: { status: 'draft' } } })
  t.equal(error, undefined)
  t.equal(data?.data[0]?.headlines.basic, minimalArticle().headlines.basic)
})
