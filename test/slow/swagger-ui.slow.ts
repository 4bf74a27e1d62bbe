/**
 * The API docs in a real browser: the real server (src/server.ts in a child
 * process) and Debian's Chromium driven by playwright-core. Swagger UI must
 * list every operation of the live /openapi.json, load nothing from outside
 * 127.0.0.1, and "Try it out" must reach the API. A screenshot goes to
 * test-artifacts/swagger-ui.png.
 *
 * Chromium is the system package (/usr/bin/chromium). Without it the test is
 * skipped, saying why and how to install it; under CI=true (.ci/run, which
 * installs it when missing) a missing browser is a failure instead.
 *
 * A slow check (npm run test:slow): a browser and a real server cost more CPU
 * than any file of npm test, and most machines skip it for want of Chromium.
 */
import t from 'tap'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { root, startServer } from '../e2e/server.js'

const CHROMIUM = '/usr/bin/chromium'
const noBrowser = existsSync(CHROMIUM) ? null : `Chromium is not installed at ${CHROMIUM}: run \`apt-get install -y chromium\` to run this test (.ci/run installs it)`
const ci = process.env.CI === 'true'
const STEP_TIMEOUT = 30_000
const SCREENSHOT = join(root, 'test-artifacts', 'swagger-ui.png')

interface Operation {
  operationId: string
  tags: string[]
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>
  webhooks?: Record<string, Record<string, Operation>>
}
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])

/** Swagger UI's deep-link id of an operation (deepLinking is on). */
const blockId = (tag: string, operationId: string) => `operations-${tag.replace(/\s/g, '_')}-${operationId.replace(/\s/g, '_')}`

if (noBrowser !== null && !ci) process.stderr.write(`skipping the Swagger UI test: ${noBrowser}\n`)

t.test('Swagger UI lists every operation, loads only local assets and runs "Try it out"', { skip: noBrowser !== null && !ci ? noBrowser : false }, async (t) => {
  if (noBrowser !== null) {
    t.fail(`${noBrowser} (CI=true: the browser is required)`)
    return
  }
  const server = await startServer(t)
  const spec = (await (await fetch(`${server.base}/openapi.json`)).json()) as OpenApiDocument
  // The document's webhooks (OpenAPI 3.1) are listed too, by event name where a path would be.
  const expected = [...Object.entries(spec.paths), ...Object.entries(spec.webhooks ?? {})].flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, op]) => ({ id: blockId(op.tags[0] ?? 'default', op.operationId), method, path })),
  )
  t.ok(expected.length >= 25, `${expected.length} operations in the live document`)

  const context: BrowserContext = await chromium.launchPersistentContext(join(server.dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    timeout: STEP_TIMEOUT,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  })
  // Registered after startServer's, so tap runs it first: the browser closes, then the server stops.
  t.teardown(() => context.close())
  context.setDefaultTimeout(STEP_TIMEOUT)

  // Every request the page makes is recorded; one for another host is aborted (and fails the test below).
  const requested: string[] = []
  const local = (url: string) => {
    const { protocol, hostname } = new URL(url)
    return protocol === 'data:' || protocol === 'blob:' || hostname === '127.0.0.1'
  }
  await context.route('**/*', (route) => {
    const url = route.request().url()
    requested.push(url)
    return local(url) ? route.continue() : route.abort('blockedbyclient')
  })
  const pageErrors: string[] = []
  const page: Page = context.pages()[0] ?? (await context.newPage())
  page.on('pageerror', (err) => pageErrors.push(err.message))
  const consoleErrors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text())
  })

  const docs = await page.goto(`${server.base}/docs`, { waitUntil: 'load' })
  t.equal(docs?.status(), 200, '/docs answers')
  const blocks = page.locator('.opblock')
  await blocks.first().waitFor({ state: 'visible' })
  await blocks.nth(expected.length - 1).waitFor({ state: 'attached' })

  const rendered: { id: string; method: string; path: string }[] = []
  for (const block of await blocks.all()) {
    rendered.push({
      id: (await block.getAttribute('id')) ?? '',
      method: ((await block.locator('.opblock-summary-method').first().textContent()) ?? '').trim().toLowerCase(),
      path: (await block.locator('.opblock-summary-path').first().getAttribute('data-path')) ?? '',
    })
  }
  const key = (o: { id: string; method: string; path: string }) => `${o.method.toUpperCase()} ${o.path} (#${o.id})`
  t.same(rendered.map(key).sort(), expected.map(key).sort(), 'every operation of /openapi.json is listed, by id, method and path')

  // "Try it out" on GET /healthz: expand, enable, execute, and read the live response.
  const health = page.locator(`#${blockId('system', 'getHealth')}`)
  await health.locator('.opblock-summary').first().click()
  await health.locator('button.try-out__btn').click()
  await health.locator('button.execute').click()
  const status = health.locator('.live-responses-table .response .response-col_status').first()
  await status.waitFor({ state: 'visible' })
  t.equal((await status.textContent())?.trim(), '200', 'the live response is 200')
  const body = await health.locator('.live-responses-table .response-col_description pre').first().textContent()
  t.match(body ?? '', /"status": "ok"/, 'the live response body is shown')

  // The body block union lists its branches by name (their titles), each an object: no "object | (any | any | ...)".
  const models = page.locator('section.models')
  const union = models
    .locator('article[data-json-schema-level="0"]')
    .filter({ has: page.locator(':scope > .json-schema-2020-12-head .json-schema-2020-12__title', { hasText: /^BodyBlock$/ }) })
  await union.locator('.json-schema-2020-12-expand-deep-button').first().click()
  await union.getByText('RelatedBlock').first().waitFor({ state: 'visible' })
  const unionText = await union.innerText()
  for (const name of ['ParagraphBlock', 'ImageBlock', 'RelatedBlock']) t.match(unionText, new RegExp(`#\\d ${name}`), `BodyBlock lists ${name} as a branch`)
  t.notMatch(unionText, /\bany\b/, 'and no branch as "any"')

  // The screenshot shows the operations and the live response; the long Schemas list is folded away.
  if (await models.count()) await models.locator('h4').first().click()
  mkdirSync(join(root, 'test-artifacts'), { recursive: true })
  await page.screenshot({ path: SCREENSHOT, fullPage: true })
  t.ok(existsSync(SCREENSHOT), `screenshot at ${SCREENSHOT}`)

  t.ok(requested.some((u) => u.endsWith('/openapi.json') || u.includes('/docs/json')), 'the UI loaded the document')
  t.same(
    requested.filter((u) => !local(u)),
    [],
    'no request leaves 127.0.0.1',
  )
  t.same(pageErrors, [], 'no script errors on the page')
  t.same(
    consoleErrors.filter((m) => /Content Security Policy/i.test(m)),
    [],
    'the page breaks no rule of its Content-Security-Policy (inline styles included)',
  )
  t.comment(`${rendered.length} of ${expected.length} operations listed; ${requested.length} requests from the page, ${requested.filter((u) => !local(u)).length} not to 127.0.0.1; ${pageErrors.length} script errors`)
})
