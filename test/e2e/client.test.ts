/**
 * The generated client, one file since each part loads the same heavy tools
 * (openapi-typescript, the TypeScript compiler):
 *
 * - openapi/client/schema.d.ts is what the committed spec generates (drift).
 * - openapi/client is an installable package: its build (the package's own
 *   tsconfig) gives the files its package.json names, and the built client talks
 *   to the API with its types (dist/index.d.ts with schema.d.ts beside it).
 * - A user runs `npx openapi-typescript openapi.json` with its default settings
 *   (defaultNonNullable: true among them) and type-checks requests against the
 *   result: valid requests must type-check, and answers keep their required fields.
 */
import t from 'tap'
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript'
import ts from 'typescript'
import { CLIENT_TYPES_PATH, generateClientTypes } from '../../src/cli/client.js'
import { SPEC_PATH } from '../../src/cli/openapi.js'
import { minimalArticle, testApp } from '../helpers.js'

// Generated once here; the determinism test generates it a second time and compares.
const generated = await generateClientTypes()

t.test('the committed openapi/client/schema.d.ts equals what the committed spec generates (run npm run client)', async (t) => {
  t.equal(readFileSync(CLIENT_TYPES_PATH, 'utf8'), generated)
})

t.test('the generator is deterministic', async (t) => {
  t.equal(await generateClientTypes(), generated)
})

const pkgDir = fileURLToPath(new URL('../../openapi/client/', import.meta.url))

/**
 * TypeScript's own library files (lib.dom.d.ts and the rest), parsed once for
 * both programs of this file rather than once each: they never change, and
 * both programs target ES2022 with NodeNext modules, so they parse the same.
 */
const libFiles = new Map<string, ts.SourceFile | undefined>()
function compilerHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options)
  const libDir = dirname(host.getDefaultLibFileName(options))
  const read = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (dirname(fileName) !== libDir) return read(fileName, languageVersion, onError, shouldCreate)
    if (!libFiles.has(fileName)) libFiles.set(fileName, read(fileName, languageVersion, onError, shouldCreate))
    return libFiles.get(fileName)
  }
  return host
}

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
  const program = ts.createProgram(config.fileNames, config.options, compilerHost(config.options))
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

const CHECK = `
import type { components, operations } from './schema.js'
type S = components['schemas']

// Requests: a field with a documented default may be left out.
export const create: S['ArticleCreate'] = { headlines: { basic: 'Ferry timetable' }, body: [{ type: 'paragraph', html: 'New sailings.' }], topics: [{ topicId: 'transport' }] }
export const listQuery: S['ArticleListQuery'] = {}
export const pageQuery: S['PageQuery'] = {}
export const forceQuery: S['ForceQuery'] = {}
export const changeQuery: S['ChangeQuery'] = {}
export const relatedQuery: S['RelatedQuery'] = {}
export const listParams: NonNullable<operations['listArticles']['parameters']['query']> = {}
export const deleteParams: NonNullable<operations['deleteTopic']['parameters']['query']> = {}

// If-Match is required in the document, so an SDK asks for it.
export const patchHeader: operations['updateArticle']['parameters']['header'] = { 'if-match': '"1-9f86d081"' }
// @ts-expect-error: no If-Match
export const noIfMatch: operations['updateArticle']['parameters']['header'] = {}

// Answers: what the server always sends stays required.
declare const article: S['Article']
export const version: number = article.version
export const primary: boolean = article.topics[0]!.primary
declare const list: S['ArticleList']
export const firstId: string = list.data[0]!.id
// A sparse item (fields=) has only its id for sure.
declare const sparse: S['SparseArticleListItem']
export const sparseId: string = sparse.id
// @ts-expect-error: a sparse item may lack the headlines
export const sparseHeadline: string = sparse.headlines.basic
`

t.test('openapi-typescript with its defaults types a create with topics: [{ topicId }] and list queries without limit', async (t) => {
  const dir = t.testdir()
  const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as OpenAPI3
  writeFileSync(join(dir, 'schema.d.ts'), astToString(await openapiTS(spec, { silent: true })))
  writeFileSync(join(dir, 'check.ts'), CHECK)
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
    skipLibCheck: true,
  }
  const program = ts.createProgram([join(dir, 'check.ts')], options, compilerHost(options))
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
  t.same(diagnostics, [], 'the requests type-check and every expected error is there')
})
