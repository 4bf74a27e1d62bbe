// npm run bench:ingest: how fast the raw-text parser is, on demand (not in `npm test`).
//
// Parses every fixture page of test/fixtures/ingest (our invented pages of many publishers) many
// times, then one 10 MB page made of them, and prints CPU time per page and MB/s. Pure CPU, no
// I/O, so the figures mean something only on an otherwise idle machine: run it there.
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { parseRawText } from '../src/ingest/parse.js'
import { htmlToText } from '../src/ingest/html.js'

const dir = fileURLToPath(new URL('../test/fixtures/ingest/', import.meta.url))
const pages = readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(dir, f), 'utf8'))
const bytes = pages.reduce((sum, p) => sum + Buffer.byteLength(p), 0)

const cpu = (work: () => void): number => {
  const start = process.cpuUsage()
  work()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

const rounds = 200
for (const page of pages) parseRawText(page) // warm up
const corpusMs = cpu(() => {
  for (let r = 0; r < rounds; r++) for (const page of pages) parseRawText(page)
})
console.log(`${pages.length} fixture pages x ${rounds}: ${(corpusMs / (rounds * pages.length)).toFixed(3)} CPU ms a page, ${((bytes * rounds) / 1e6 / (corpusMs / 1000)).toFixed(1)} MB/s`)

const big = pages.join('\n\n').repeat(Math.ceil((10 * 1024 * 1024) / bytes))
const bigMs = cpu(() => parseRawText(big))
console.log(`one ${(big.length / 1e6).toFixed(1)} MB page: ${bigMs.toFixed(0)} CPU ms`)

const html = pages.map((p) => `<article>${p.split('\n').map((l) => `<p>${l.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`).join('')}</article>`).join('').repeat(50)
const htmlMs = cpu(() => parseRawText(htmlToText(html)))
console.log(`${(html.length / 1e6).toFixed(1)} MB of HTML to text and parsed: ${htmlMs.toFixed(0)} CPU ms`)
