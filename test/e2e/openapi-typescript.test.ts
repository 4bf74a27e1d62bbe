/**
 * A user runs `npx openapi-typescript openapi.json` with its default settings
 * (defaultNonNullable: true among them) and type-checks requests against the
 * result: valid requests must type-check, and answers keep their required fields.
 */
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript'
import ts from 'typescript'
import { SPEC_PATH } from '../../src/cli/openapi.js'

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
  const program = ts.createProgram([join(dir, 'check.ts')], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
    skipLibCheck: true,
  })
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
  t.same(diagnostics, [], 'the requests type-check and every expected error is there')
})
