import t from 'tap'
import { ESLint } from 'eslint'
import { fileURLToPath } from 'node:url'

/* The house rule "never read a write's result with an autocommit .get()" is a lint rule; this shows it bites. */

const cwd = fileURLToPath(new URL('../', import.meta.url))

async function messages(code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd }).lintText(code, { filePath: 'src/db/repositories/example.ts' })
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message)
}

t.test('a repository that reads a write with .get() fails the lint; .all() in a transaction and .run() pass', async (t) => {
  const header = 'declare const db: any\ndeclare const articles: any\n'
  const a = await messages(`${header}export const a = db.insert(articles).values({}).returning().get()\n`)
  t.ok(a.some((m) => /never with \.returning\(\)\.get\(\)/.test(m)), a.join(' | '))
  const b = await messages(`${header}export const b = db.update(articles).set({}).get()\n`)
  t.ok(b.some((m) => /never with \.get\(\)/.test(m)), b.join(' | '))
  t.same(await messages(`${header}export const c = db.transaction(() => db.insert(articles).values({}).returning().all()[0], { behavior: 'immediate' })\n`), [])
  t.same(await messages(`${header}export const d = db.delete(articles).run()\nexport const e = db.select().from(articles).get()\n`), [])
})
