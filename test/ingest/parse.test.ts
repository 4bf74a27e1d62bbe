import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { parseRawText } from '../../src/ingest/parse.js'
import type { ParsedArticle, ParsedBlock, ParseResult } from '../../src/ingest/parse.js'
import { samplePages, skipUnlessPresent, textOf } from '../samples.js'
import { cpuSeconds } from '../cpu.js'
import { parseDateStamp } from '../../src/ingest/dates.js'
import { KNOWN_LINES, KNOWN_OPENINGS, RULE_REASONS } from '../../src/ingest/boilerplate.js'
import { CONFIDENCE_FIELDS } from '../../src/ingest/types.js'

const fixtures = new URL('../fixtures/ingest/', import.meta.url)

const ruleOf = (result: ParseResult, line: number): string | undefined =>
  result.report.lines.find((l) => l.line === line)?.rule
const blocksOf = <T extends ParsedBlock['type']>(article: ParsedArticle, type: T) =>
  article.body.filter((b): b is Extract<ParsedBlock, { type: T }> => b.type === type)

// -------------------------------------------------------------------------------------------
// The two properties every parse must have: it never invents text, and it accounts for every line.

const normalise = (input: string): string => input.replace(/\r\n?/g, '\n')

/** Every text-bearing string of the article (not the ISO dates, enum values or ad slot names). */
function articleStrings(article: ParsedArticle): string[] {
  const out: string[] = []
  const add = (s: string | null | undefined): void => {
    if (typeof s === 'string') out.push(s)
  }
  add(article.headline)
  add(article.topicLabel)
  add(article.summary)
  add(article.dateline)
  add(article.leadImage?.caption)
  add(article.leadImage?.credit)
  add(article.print?.publication)
  add(article.print?.headline)
  for (const credit of article.credits) add(credit.name)
  for (const block of article.body) {
    switch (block.type) {
      case 'paragraph':
      case 'heading':
        add(block.text)
        break
      case 'image':
        add(block.caption)
        add(block.credit)
        break
      case 'video':
        add(block.title)
        break
      case 'quote':
        add(block.text)
        add(block.attribution)
        break
      case 'ad':
        break
    }
  }
  return out
}

/**
 * Strings in the article that are neither a trimmed substring of the input nor consecutive lines of
 * it joined by single spaces (a hard-wrapped paragraph) (should be none).
 */
function inventedStrings(input: string, result: ParseResult): string[] {
  const text = normalise(input)
  const joined = text.split('\n').map((l) => l.trim()).join(' ')
  return articleStrings(result.article).filter((s) => s !== s.trim() || !(text.includes(s) || joined.includes(s)))
}

/** Lines the report does not account for properly (should be none). */
function unaccountedLines(input: string, result: ParseResult): string[] {
  const lines = normalise(input).split('\n')
  const problems: string[] = []
  if (result.report.lines.length !== lines.length) {
    problems.push(`report has ${result.report.lines.length} lines, input has ${lines.length}`)
  }
  lines.forEach((raw, i) => {
    const entry = result.report.lines[i]
    const text = raw.trim()
    if (entry === undefined) return
    if (entry.line !== i + 1 || entry.text !== text) problems.push(`line ${i + 1}: report does not match the input`)
    const dropped = /^(chrome|dropped):/.test(entry.rule)
    if (text === '') {
      if (entry.rule !== 'blank' || entry.used) problems.push(`line ${i + 1}: blank line reported as ${entry.rule}`)
    } else if (entry.rule === 'blank' || entry.rule === 'unclaimed') {
      problems.push(`line ${i + 1}: not claimed by any rule (${entry.rule})`)
    } else if (entry.used === dropped) {
      problems.push(`line ${i + 1}: rule ${entry.rule} but used=${entry.used}`)
    }
  })
  return problems
}

type TestContext = Parameters<Parameters<typeof t.test>[0]>[0]

/** Parses and checks the two properties every result must have. */
function parseChecked(t: TestContext, input: string): ParseResult {
  const result = parseRawText(input)
  t.same(inventedStrings(input, result), [], 'never invents text')
  t.same(unaccountedLines(input, result), [], 'accounts for every line')
  return result
}

// -------------------------------------------------------------------------------------------
// Whole sample pages (test/samples.ts): ours, and the shared third-party page when it is beside
// the repository (read from ../shared, never copied into the repository).

for (const page of samplePages) t.test(`the ${page.origin} sample page`, { skip: skipUnlessPresent(page) }, async (t) => {
  const text = textOf(page)
  const want = page.expect
  const lines = normalise(text).split('\n').map((l) => l.trim())
  const nonBlank = lines.filter((l) => l !== '')
  const labelLines = lines.flatMap((l, i) => (l === want.label ? [i] : []))
  const secondLabel = labelLines[1] ?? -1
  const result = parseChecked(t, text)
  const { article } = result

  t.test('parseRawText takes the headline from the line above the repeated topic label', async (t) => {
    const above = lines.slice(0, secondLabel).filter((l) => l !== '').pop()
    t.equal(article.headline, above)
  })

  t.test('parseRawText reads the topic label and keeps it once', async (t) => {
    t.equal(labelLines.length, 2, 'the sample repeats the label')
    t.equal(article.topicLabel, want.label)
    t.equal(ruleOf(result, secondLabel + 1), 'chrome:duplicate-label')
  })

  t.test('parseRawText takes the summary from the first paragraph after the repeated topic label', async (t) => {
    t.equal(article.summary, lines.slice(secondLabel + 1).find((l) => l !== ''))
  })

  t.test('parseRawText puts the lead photo before the headline into leadImage', async (t) => {
    const headlineAt = lines.indexOf(article.headline ?? '')
    const credit = ` Photo: ${want.leadCredit}`
    const caption = lines.slice(0, headlineAt).find((l) => l.endsWith(credit)) ?? ''
    t.same(article.leadImage, { caption: caption.slice(0, -credit.length), credit: want.leadCredit })
    t.notOk(blocksOf(article, 'image').some((b) => b.caption === article.leadImage?.caption), 'not repeated in the body')
  })

  t.test('parseRawText turns the body photos into image blocks with their credits', async (t) => {
    const images = blocksOf(article, 'image')
    t.same(images.map((b) => b.credit), want.imageCredits)
    for (const image of images) t.ok(lines.includes(`${image.caption} Photo: ${image.credit}`), 'caption without the credit')
  })

  t.test('parseRawText turns the "Watch:" line into a video block', async (t) => {
    const watch = lines.find((l) => l.startsWith('Watch: ')) ?? ''
    t.same(blocksOf(article, 'video'), [{ type: 'video', title: watch.slice('Watch: '.length) }])
  })

  t.test('parseRawText keeps the two ads above the article as the first ad slots of the body', async (t) => {
    t.same(lines.slice(0, 2), ['Advertisement', 'Advertisement'])
    t.equal(ruleOf(result, 1), 'ad-slot')
    t.equal(ruleOf(result, 2), 'ad-slot')
    t.same(blocksOf(article, 'ad'), [
      { type: 'ad', slot: 'ad-1' },
      { type: 'ad', slot: 'ad-2' },
    ])
    t.same(article.body.slice(0, 2).map((b) => b.type), ['ad', 'ad'], 'they open the body')
  })

  t.test('parseRawText credits the wire agency as additional reporting', async (t) => {
    t.same(article.credits, [{ name: want.agency, kind: 'agency', role: 'additional-reporting' }])
  })

  t.test('parseRawText reads the print-edition publication and headline', async (t) => {
    const printLine = lines.find((l) => l.includes(' print edition as: ')) ?? ''
    t.same(article.print, {
      publication: want.publication,
      headline: printLine.slice(printLine.indexOf(' as: ') + ' as: '.length),
    })
  })

  t.test('parseRawText keeps every other line of the sample as a body paragraph, in order', async (t) => {
    const summaryAt = lines.indexOf(article.summary ?? '')
    const expected = lines
      .slice(summaryAt + 1)
      .filter((l) => l !== '' && !l.includes(' Photo: ') && !l.startsWith('Watch: '))
      .filter((l) => !l.startsWith('With additional reporting') && !l.includes('print edition as:') && l !== want.trailingFragment)
    t.same(blocksOf(article, 'paragraph').map((b) => b.text), expected)
    t.equal(article.type, 'news')
    t.equal(article.dateline, null)
    t.equal(article.publishedAt, null)
  })

  t.test('parseRawText keeps page chrome out of every field', async (t) => {
    const chrome = ['Get more with myNEWS', 'Learn more', want.trailingFragment, 'Advertisement']
    const promo = nonBlank.find((l) => l.startsWith('A personalised news feed')) ?? ''
    const strings = articleStrings(article)
    for (const line of [...chrome, promo]) t.notOk(strings.includes(line), `"${line}" is not in the article`)
    t.notOk(strings.some((s) => s.includes('myNEWS')), 'no myNEWS promo anywhere')
    const last = lines.length - [...lines].reverse().findIndex((l) => l !== '')
    t.equal(lines[last - 1], want.trailingFragment)
    t.equal(ruleOf(result, last), 'chrome:fragment', `the trailing "${want.trailingFragment}" is a fragment`)
    t.same(result.report.warnings, [])
  })

  t.test('parseRawText gives the same article for CRLF and CR line endings', async (t) => {
    t.same(parseRawText(text.replace(/\n/g, '\r\n')).article, article)
    t.same(parseRawText(text.replace(/\n/g, '\r')).article, article)
  })
})

// -------------------------------------------------------------------------------------------
// Invented fixture pages, each with its expected article

const fixtureNames = readdirSync(fixtures)
  .filter((f) => f.endsWith('.txt'))
  .map((f) => f.slice(0, -'.txt'.length))
  .sort()

t.test('fixtures', async (t) => {
  t.ok(fixtureNames.length >= 10, 'at least ten fixture pages')
  for (const name of fixtureNames) {
    t.test(`parseRawText turns ${name}.txt into its expected article`, async (t) => {
      const input = readFileSync(new URL(`${name}.txt`, fixtures), 'utf8')
      const expected = JSON.parse(readFileSync(new URL(`${name}.expected.json`, fixtures), 'utf8')) as unknown
      const result = parseChecked(t, input)
      t.strictSame(result.article, expected)
    })
  }
})

const fixture = (name: string): ParseResult =>
  parseRawText(readFileSync(new URL(`${name}.txt`, fixtures), 'utf8'))

// -------------------------------------------------------------------------------------------
// Behaviour, shown on the fixtures and on small inline pages

t.test('parseRawText drops promo, share, reading-time and audio chrome and reports the rule', async (t) => {
  const result = fixture('news-site-with-chrome')
  const rules = new Map(result.report.lines.map((l) => [l.text, l.rule]))
  t.equal(rules.get('Get more with myNEWS'), 'chrome:promo')
  t.equal(rules.get('Learn more'), 'chrome:promo')
  t.equal(rules.get('Sign up for our newsletter'), 'chrome:promo')
  t.equal(rules.get('4 min read'), 'chrome:reading-time')
  t.equal(rules.get('Listen to this article'), 'chrome:audio')
  t.equal(rules.get('0:00 / 4:05'), 'chrome:audio')
  t.equal(rules.get('Share this article'), 'chrome:share')
  t.equal(rules.get('WhatsApp'), 'chrome:share')
  t.equal(rules.get('Skip to main content'), 'chrome:navigation')
})

t.test('parseRawText numbers every ad of a page with article text in page order', async (t) => {
  const result = parseChecked(t, [
    'Advertisement',
    'Harbour lights switched on',
    'By Ann Lee',
    'The harbour lights were switched on on Friday.',
    'Advertisement',
    'Crowds lined the quay to watch.',
    'Advertisement',
    'The lights will stay on until January.',
    'Advertisement',
  ].join('\n'))
  t.same(result.article.body.map((b) => (b.type === 'ad' ? b.slot : b.type)), [
    'ad-1', 'paragraph', 'ad-2', 'paragraph', 'ad-3', 'paragraph', 'ad-4',
  ])
  t.equal(ruleOf(result, 1), 'ad-slot')
  t.equal(ruleOf(result, 5), 'ad-slot')
  t.equal(ruleOf(result, 9), 'ad-slot')
})

t.test('parseRawText treats ads on a page without article text as chrome', async (t) => {
  const result = parseChecked(t, ['Advertisement', 'Share this article', 'Advertisement'].join('\n'))
  t.same(result.article.body, [])
  t.equal(ruleOf(result, 1), 'chrome:ad')
  t.equal(ruleOf(result, 3), 'chrome:ad')
})

t.test('parseRawText splits "By A and B" into two person bylines and credits the dateline agency', async (t) => {
  const { article } = fixture('ap-wire')
  t.same(article.credits.filter((c) => c.role === 'byline'), [
    { name: 'Marta Kowalczyk', kind: 'person', role: 'byline' },
    { name: 'Dev Raman', kind: 'person', role: 'byline' },
    { name: 'AP', kind: 'agency', role: 'byline' },
  ])
  t.equal(article.dateline, 'VALLEMORA, Italy')
  t.same(blocksOf(article, 'image').map((b) => b.credit), ['Luca Bellandi/AP', 'AP Photo/Luca Bellandi'])
})

t.test('parseRawText reads a Reuters dateline and "(Reporting by ...; Editing by ...)"', async (t) => {
  const { article } = fixture('reuters-wire')
  t.equal(article.dateline, 'STOCKHOLM')
  t.match(article.body[0], { type: 'paragraph', text: /^A Swedish ferry operator/ })
  t.same(article.credits.map((c) => `${c.role}:${c.name}:${c.kind}`), [
    'byline:Reuters:agency',
    'byline:Anja Lind:person',
    'additional-reporting:Piotr Nowak:person',
    'editing:Helen Marsh:person',
  ])
  t.equal(article.publishedAt, '2024-03-04T09:41:00Z')
})

t.test('parseRawText reads "Photograph: Name/Agency" and "(Picture: Reuters)" and keeps a repeated caption once', async (t) => {
  const result = fixture('photograph-credits')
  t.same(blocksOf(result.article, 'image'), [
    { type: 'image', caption: 'Grey seal pups rest on the shingle at Gull Point.', credit: 'Ines Carvalho/Coastal Images' },
    { type: 'image', caption: 'A warden counts pups from a hide above the beach', credit: 'Reuters' },
  ])
  t.equal(ruleOf(result, 5), 'chrome:duplicate-caption')
})

t.test('parseRawText reads published and updated stamps as ISO 8601', async (t) => {
  const { article } = fixture('published-updated-stamps')
  t.equal(article.publishedAt, '2023-05-03T10:02:00')
  t.equal(article.updatedAt, '2023-05-03T16:45:00')
  const wire = fixture('ap-wire').article
  t.equal(wire.updatedAt, '2024-04-09T16:12:00-04:00', 'a named zone becomes an offset')
  t.equal(fixture('print-archive-brief').article.publishedAt, '1998-03-14', 'a date without a time stays a date')
})

t.test('parseRawText drops a stamp it cannot read, with a warning', async (t) => {
  const result = parseChecked(t, 'Ferry fares frozen\nPublished: the day before yesterday\nFares will not rise this year.\nThe board agreed on Monday.\nIt will review them in spring.')
  t.equal(result.article.publishedAt, null)
  t.equal(ruleOf(result, 2), 'dropped:stamp')
  t.match(result.report.warnings, [/line 2: could not read the date/])
})

t.test('parseRawText reads the print-edition line of a print-archive brief', async (t) => {
  const { article } = fixture('print-archive-brief')
  t.same(article.print, { publication: 'Port Avery Courier', headline: 'Lighthouse log surfaces after 87 years' })
  t.equal(article.type, 'brief')
  t.equal(article.summary, null, 'a brief has no standfirst')
})

t.test('parseRawText reads a letter and credits its signature', async (t) => {
  const { article } = fixture('letter-to-the-editor')
  t.equal(article.type, 'letter')
  t.same(article.credits, [{ name: 'Maria Ostrova', kind: 'person', role: 'byline' }])
  t.equal(article.body.length, 3)
})

t.test('parseRawText reads an opinion teaser and warns that it has no body', async (t) => {
  const result = fixture('opinion-teaser')
  t.equal(result.article.type, 'opinion')
  t.match(result.article.summary, /^A three-route pilot is welcome\./)
  t.equal(result.article.publishedAt, '2023-06-12', 'a bare date line is the published date')
  t.same(result.report.warnings, ['no body text found'])
})

t.test('parseRawText turns the entry times of a live page into headings', async (t) => {
  const { article } = fixture('live-updates')
  t.equal(article.type, 'live')
  t.same(blocksOf(article, 'heading').map((b) => b.text), ['14:32', '14:05 BST', '13:48'])
  const unlabelled = parseChecked(t, 'Storm updates\n10:05\nThe bridge is closed.\n09:40\nThe ferry is cancelled.')
  t.equal(unlabelled.article.type, 'live', 'two or more entry times make a live page without a label')
})

t.test('parseRawText reads headings and a pull quote with its attribution', async (t) => {
  const { article } = fixture('feature-long-read')
  t.equal(article.type, 'feature')
  t.same(blocksOf(article, 'heading').map((b) => b.text), ['The first keeper', 'After the keepers'])
  t.same(blocksOf(article, 'quote'), [
    { type: 'quote', text: 'The light does not care who is tired.', attribution: 'Abel Mendes, keeper from 1961 to 2023' },
  ])
  t.match(article.summary, /^How one family kept a lighthouse burning/, 'a standfirst without a full stop')
})

t.test('parseRawText keeps a quoted paragraph without an attribution line as a paragraph', async (t) => {
  const { article } = parseChecked(t, 'Quay reopens\nThe quay reopened on Monday.\n“We are glad to be back.”\nTraders returned at dawn.')
  t.same(article.body.map((b) => b.type), ['paragraph', 'paragraph'])
})

t.test('parseRawText warns when the last paragraph looks truncated', async (t) => {
  const result = fixture('truncated-page')
  t.match(result.report.warnings, [/^line 12: the last paragraph ends without terminal punctuation/])
  const body = result.article.body
  t.match(body[body.length - 1], { type: 'paragraph', text: /spreads to$/ })
})

t.test('parseRawText keeps a caption without a credit as an image and warns', async (t) => {
  const result = parseChecked(t, 'Quay reopens\nThe quay reopened on Monday after repairs.\nTraders set up their stalls at dawn. Photo:\nThe market runs until noon.')
  t.same(blocksOf(result.article, 'image'), [{ type: 'image', caption: 'Traders set up their stalls at dawn.', credit: null }])
  t.match(result.report.warnings, [/^line 3: image caption without a credit$/])
})

t.test('parseRawText warns when no headline is found', async (t) => {
  const result = parseChecked(t, 'The quay reopened on Monday.\nTraders returned at dawn.')
  t.equal(result.article.headline, null)
  t.same(result.article.body.map((b) => b.type), ['paragraph', 'paragraph'])
  t.same(result.report.warnings, ['no headline found'])
})

t.test('parseRawText returns an empty article and a warning for a page that is only chrome', async (t) => {
  const result = parseChecked(t, readFileSync(new URL('only-chrome.txt', fixtures), 'utf8'))
  t.same(result.report.warnings, ['input contains only page chrome'])
  t.same(result.article.body, [])
  t.ok(result.report.lines.every((l) => !l.used), 'no line is used')
})

t.test('parseRawText does not mistake prose for bylines, stamps, credits, datelines or chrome', async (t) => {
  const input = [
    'Quay reopens after repairs',
    'By the end of the week, the quay was open again.',
    'Published in 1902, the harbour guide still lists the quay.',
    'Reporting by the harbour board suggested the repairs were urgent.',
    'US President Jo Bell - who visited in May - praised the work.',
    'Learn more about the repairs at the town hall.',
    'Share this article with your neighbours, the mayor said.',
  ].join('\n')
  const { article } = parseChecked(t, input)
  t.same(article.credits, [])
  t.equal(article.publishedAt, null)
  t.equal(article.dateline, null)
  t.equal(blocksOf(article, 'paragraph').length + (article.summary === null ? 0 : 1), 6)
})

t.test('parseRawText reads a dateline only on the first paragraph', async (t) => {
  const { article } = parseChecked(t, 'Bridge closes\nLONDON (Reuters) - The bridge closed.\nPARIS - Another bridge stayed open.')
  t.equal(article.dateline, 'LONDON')
  t.same(blocksOf(article, 'paragraph').map((b) => b.text), ['The bridge closed.', 'PARIS - Another bridge stayed open.'])
})

// -------------------------------------------------------------------------------------------
// Bad input

t.test('parseRawText returns a warning, not an error, for empty and whitespace-only input', async (t) => {
  for (const input of ['', '   ', '\n\n\r\n \t \n']) {
    const result = parseChecked(t, input)
    t.same(result.report.warnings, ['input is empty'])
    t.equal(result.article.headline, null)
    t.same(result.article.body, [])
  }
  const notAString = parseRawText(undefined as unknown as string)
  t.same(notAString.report.warnings, ['input is empty'], 'a non-string from an untyped caller')
})

t.test('parseRawText drops binary garbage with a warning', async (t) => {
  const nul = parseChecked(t, 'abc\u0000def\n\u0001\u0002\u0003\n\uFFFD\uFFFD')
  t.same(nul.report.warnings, ['dropped 3 line(s) of binary data or control characters', 'input contains no readable text'])
  t.ok(nul.report.lines.every((l) => l.rule === 'dropped:garbage'))

  const random = randomBytes(64 * 1024).toString('utf8')
  const result = parseChecked(t, random)
  t.ok(result.report.warnings.length > 0, 'random bytes produce warnings')
})

t.test('parseRawText drops a garbage line inside an article and keeps the rest', async (t) => {
  const result = parseChecked(t, 'Quay reopens\nThe quay reopened on Monday.\n\u0000\u0000PK\u0003\u0004\nTraders returned at dawn.\nThe market runs until noon.')
  t.equal(result.article.headline, 'Quay reopens')
  t.equal(ruleOf(result, 3), 'dropped:garbage')
  t.same(result.report.warnings, ['dropped 1 line(s) of binary data or control characters'])
})

t.test('parseRawText handles a 10 MB page in linear time', async (t) => {
  const page = [
    'Harbour news',
    'Night buses return to the harbour',
    'The council approved three overnight routes on Monday.',
    '',
    'Advertisement',
    'A bus waits at the terminus. Photo: Tomas Reyes',
    'The first bus leaves the harbour at midnight and reaches the hospital twenty minutes later.',
    'Share this article',
    '',
  ].join('\n')
  const input = page.repeat(Math.ceil((10 * 1024 * 1024) / page.length))
  const { result, seconds } = cpuSeconds(() => parseRawText(input))
  t.ok(seconds < 20, `parsed ${(input.length / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} CPU seconds`)
  t.equal(result.report.lines.length, input.split('\n').length)
  t.equal(result.article.headline, 'Night buses return to the harbour')
  t.ok(result.report.lines.every((l) => l.used || l.rule === 'blank' || /^(chrome|dropped):/.test(l.rule)))
})

t.test('parseRawText handles a 10 MB single line and pathological punctuation', async (t) => {
  const size = 10 * 1024 * 1024
  for (const [name, input] of [
    ['words', 'word '.repeat(size / 5)],
    ['brackets', '('.repeat(size)],
    ['credit markers', 'Photo: '.repeat(size / 7)],
    ['dashes', 'WASHINGTON - '.repeat(size / 13)],
    ['byline', `By ${'Ann and '.repeat(size / 8)}`],
    ['quote', `“${'a'.repeat(size)}`],
  ] as const) {
    const { result, seconds } = cpuSeconds(() => parseRawText(input))
    t.ok(seconds < 10, `${name}: ${seconds.toFixed(2)} CPU seconds`)
    t.equal(result.report.lines.length, 1)
  }
})

// -------------------------------------------------------------------------------------------
// Edges of the header and the end of the article

t.test('parseRawText keeps the label closest to the headline and drops other short lines above it', async (t) => {
  const result = parseChecked(t, 'World\nAsia\nTyphoon closes ports along the coast\nPorts closed on Monday.\nShips stayed at anchor.\nThe storm moved north.')
  t.equal(result.article.topicLabel, 'Asia')
  t.equal(ruleOf(result, 1), 'chrome:navigation')
  t.match(result.report.warnings, [/^line 1: dropped short line above the headline/])
})

t.test('parseRawText takes a short line under the headline as the topic label when none stands above', async (t) => {
  const { article } = parseChecked(t, 'Typhoon closes ports along the coast\nWeather\nPorts closed on Monday.\nShips stayed at anchor.\nThe storm moved north.')
  t.equal(article.topicLabel, 'Weather')
  t.equal(article.summary, 'Ports closed on Monday.')
})

t.test('parseRawText keeps long text after the end of the article as a paragraph, with a warning', async (t) => {
  const result = parseChecked(t, [
    'Quay reopens',
    'By Ann Lee',
    'The quay reopened on Monday.',
    'Traders returned at dawn.',
    'With additional reporting by Reuters',
    'Readers can send their photos of the quay to the newsroom.',
    'More stories',
  ].join('\n'))
  t.same(result.article.credits.map((c) => `${c.role}:${c.name}:${c.kind}`), [
    'byline:Ann Lee:person',
    'additional-reporting:Reuters:agency',
  ])
  t.match(result.article.body[result.article.body.length - 1], { type: 'paragraph', text: /^Readers can send/ })
  t.equal(ruleOf(result, 7), 'chrome:fragment')
  t.match(result.report.warnings, [/^line 6: text after the end of the article/])
})

t.test('parseRawText classifies bylines with job titles, organisations and agencies', async (t) => {
  const { article } = parseChecked(t, 'Quay reopens\nBy Ann Lee, harbour correspondent, and the Newsdesk Staff\nThe quay reopened on Monday.\nTraders returned at dawn.\nThe market runs until noon.')
  t.same(article.credits, [
    { name: 'Ann Lee', kind: 'person', role: 'byline' },
    { name: 'Newsdesk Staff', kind: 'organisation', role: 'byline' },
  ])
})

// ---- formerly dates.test.ts ----

t.test('parseDateStamp reads the stamp formats news pages use', async (t) => {
  const cases: Array<[string, string]> = [
    ['10:02am, 3 May, 2017', '2017-05-03T10:02:00'],
    ['12:05am, 1 January, 2024', '2024-01-01T00:05:00'],
    ['12:30pm, 1 January, 2024', '2024-01-01T12:30:00'],
    ['4:12 PM EDT, April 9, 2024', '2024-04-09T16:12:00-04:00'],
    ['March 4, 2024 9:41 AM UTC', '2024-03-04T09:41:00Z'],
    ['Monday 4 March 2024 09.41 GMT', '2024-03-04T09:41:00Z'],
    ['Tue 5 Mar 2024 18:00 +0800', '2024-03-05T18:00:00+08:00'],
    ['5 Sept. 2023 at 7pm GMT+8', '2023-09-05T19:00:00+08:00'],
    ['29 February 2024', '2024-02-29'],
    ['2024-03-05', '2024-03-05'],
    ['2024-03-05T10:00:00Z', '2024-03-05T10:00:00Z'],
    ['2024-03-05T10:00+01:00', '2024-03-05T10:00:00+01:00'],
    ['2024-03-05 10:00:30.123', '2024-03-05T10:00:30'],
  ]
  for (const [input, iso] of cases) t.equal(parseDateStamp(input), iso, input)
})

t.test('parseDateStamp returns null for anything that is not a whole, valid date', async (t) => {
  const cases = [
    '', 'yesterday', '2 hours ago', '3 May', 'May 2017', '31 April 2024', '29 February 2023',
    '13:00pm, 3 May, 2017', '25:00, 3 May, 2017', '3 May 2017 in the morning', '2024-13-01',
    '2024-02-30', '2024-03-05T25:00', '2024-03-05T10:00+99:00', '3 4 May 2017', '3 May May 2017',
    '10:00 11:00 3 May 2017', 'am 3 May 2017', '3 May 2017 GMT+99', 'x'.repeat(100),
  ]
  for (const input of cases) t.equal(parseDateStamp(input), null, JSON.stringify(input.slice(0, 30)))
})

// -------------------------------------------------------------------------------------------
// Pages from any publisher: chrome by its shape, bylines in many shapes, the report's reasons and confidence

t.test('the report gives a reason for every dropped line of every fixture, and none for a used line', async (t) => {
  for (const name of fixtureNames) {
    const { report } = fixture(name)
    const wrong = report.lines.filter((l) => (l.used || l.rule === 'blank' ? l.reason !== null : typeof l.reason !== 'string' || l.reason === ''))
    t.same(wrong, [], name)
  }
})

t.test('every chrome rule of the boilerplate list has a reason in words', async (t) => {
  for (const rule of [...Object.keys(KNOWN_LINES), ...Object.keys(KNOWN_OPENINGS)]) t.ok(RULE_REASONS[rule], rule)
})

t.test('parseRawText drops chrome by its shape and names the rule', async (t) => {
  const result = parseChecked(t, [
    'https://www.quayside-gazette.example/news/2024/05/quay',
    'Quayside Gazette',
    'News › Local',
    'This article is more than 4 years old',
    'Quay market stays for ten more years',
    'By Ann Lee',
    'Updated 12 minutes ago',
    '1.2k shares',
    'Comments (34)',
    'Save article',
    'The council will offer the traders a ten-year lease on the quay.',
    'Get our free morning newsletter in your inbox',
    'Download the Quayside Gazette app',
    'We are an independent newsroom and rely on donations from readers like you.',
    'Traders said the lease would let them invest in new stalls.',
    'Source: Quayside Gazette',
    'Ann Lee covers the harbour for the Quayside Gazette.',
  ].join('\n'))
  t.same(result.report.lines.filter((l) => !l.used).map((l) => `${l.line} ${l.rule}`), [
    '1 chrome:url', '2 chrome:publisher-name', '3 chrome:breadcrumbs', '4 chrome:age-banner', '7 chrome:relative-time',
    '8 chrome:counter', '9 chrome:counter', '10 chrome:promo', '12 chrome:promo', '13 chrome:promo', '14 chrome:appeal',
    '16 chrome:source', '17 chrome:author-bio',
  ])
  t.equal(result.article.headline, 'Quay market stays for ten more years')
  t.same(result.article.body.map((b) => b.type), ['paragraph', 'paragraph'])
})

t.test('parseRawText keeps prose that only resembles chrome', async (t) => {
  const lines = [
    'Quay market stays',
    'The council will offer the traders a ten-year lease on the quay.',
    'Follow the river path from the station and the market is on your left.',
    '"Sign up and support us, we need every stall filled," said Ana Ruiz, who chairs the traders.',
    'Donations to the lifeboat fund reached £12,000, the charity said.',
    'Source material for the plan came from a 1998 survey.',
    '87 traders have applied for pitches this year, up from 60.',
    'Join us at the quay on Saturday, the mayor told residents on Friday.',
    'Our reporting found that donations to the harbour fund fell by half in 2023.',
    'We rely on the market, and our customers come from all over the county, traders told the council.',
    'Traders said the lease would let them invest in new stalls.',
  ]
  const { article } = parseChecked(t, lines.join('\n'))
  t.same([article.summary, ...blocksOf(article, 'paragraph').map((b) => b.text)], lines.slice(1))
})

t.test('parseRawText reads bylines without "By": name over role, name in place, lists, agencies', async (t) => {
  const credits = (input: string) => parseChecked(t, input).article.credits.map((c) => `${c.role}:${c.name}:${c.kind}`)
  const body = '\nThe quay reopened on Monday.\nTraders returned at dawn.\nThe market runs until noon.'
  t.same(credits(`Quay reopens\nTom Hale\nEnvironment correspondent${body}`), ['byline:Tom Hale:person'])
  t.same(credits(`Quay reopens\nMei Lin\nin Beijing${body}`), ['byline:Mei Lin:person'])
  t.same(credits(`Quay reopens\nKarin Holm in Velden${body}`), ['byline:Karin Holm:person'])
  t.same(credits(`Quay reopens\nAna Ruiz, Ben Cole and Cara Diaz${body}`), ['byline:Ana Ruiz:person', 'byline:Ben Cole:person', 'byline:Cara Diaz:person'])
  t.same(credits(`Quay reopens\nReuters${body}`), ['byline:Reuters:agency'])
  t.same(credits(`Quay reopens\nBy Ann Lee, Showbiz Reporter, and Jo Park${body}`), ['byline:Ann Lee:person', 'byline:Jo Park:person'], 'a role is not a name')
  t.same(credits(`Quay reopens\nLena Park via Harbour Weekly · 3. März 2024${body}`), ['byline:Lena Park:person', 'byline:Harbour Weekly:organisation'])
  t.same(credits(`Quay reopens\nBy Ann Lee${body}\nThis story was produced in partnership with the Harbour Data Project.`), [
    'byline:Ann Lee:person', 'additional-reporting:Harbour Data Project:organisation',
  ])
  t.same(credits(`Quay reopens\nWeather${body}`), [], 'a one-word label under the headline is no byline')
})

t.test('parseRawText gives a confidence per field and flags a low-confidence parse', async (t) => {
  const sound = fixture('wire-northwind-agency').report
  t.same(Object.keys(sound.confidence).sort(), [...CONFIDENCE_FIELDS].sort())
  t.ok(Object.values(sound.confidence).every((c) => c >= 0 && c <= 1))
  t.same(sound.lowConfidence, [])
  t.same(fixture('truncated-cut-mid-word').report.lowConfidence, ['body'])
  const guess = parseRawText('World\nAsia\nStorm\nShips stayed at anchor.\nThe storm moved north.').report
  t.ok(guess.lowConfidence.includes('headline'), 'a headline picked from short lines only')
  t.equal(parseRawText('').report.confidence.headline, 0)
})

t.test('parseDateStamp reads dates in other languages and scripts', async (t) => {
  const cases: Array<[string, string]> = [
    ['3. März 2024', '2024-03-03'],
    ['12 de marzo de 2024', '2024-03-12'],
    ['5 марта 2024, 10:32', '2024-03-05T10:32:00'],
    ['2024年3月5日 10:32', '2024-03-05T10:32:00'],
    ['2024년 3월 5일', '2024-03-05'],
    ['14 juillet 2024', '2024-07-14'],
    ['4 ottobre 2023', '2023-10-04'],
  ]
  for (const [input, iso] of cases) t.equal(parseDateStamp(input), iso, input)
  t.equal(parseDateStamp('2024年2月30日'), null, 'not a day of February')
  t.equal(parseDateStamp('10:02 am, 3 May, 2017'), '2017-05-03T10:02:00', 'am is still a meridiem')
})

t.test('parseRawText stays linear with many distinct bylines and bios', async (t) => {
  const lines = ['Quay reopens']
  for (let i = 0; i < 20000; i++) lines.push(`By Ann Lee${i}`, `Ann Lee${i} covers the harbour.`)
  const { seconds } = cpuSeconds(() => parseRawText(lines.join('\n')))
  t.ok(seconds < 5, `${seconds.toFixed(2)} CPU seconds`)
})

t.test('parseRawText joins the lines of a hard-wrapped paragraph and reports the lines it joined', async (t) => {
  const result = fixture('wire-hard-wrapped')
  t.match(result.article.body[0], { type: 'paragraph', text: /voted on Thursday to strike .* would leave them too tired/ })
  t.same(result.report.lines.filter((l) => l.rule === 'paragraph-continued').map((l) => l.line), [6, 7, 10, 15])
  t.equal(result.article.dateline, 'PORT AVERY')
  const unwrapped = parseChecked(t, 'Quay reopens after repairs to the old stone wall\nThe council said the quay would reopen on Monday after six weeks of work\n\nTraders returned at dawn.')
  t.equal(unwrapped.article.summary, 'The council said the quay would reopen on Monday after six weeks of work', 'a page with no wrapped lines is not joined')
})
