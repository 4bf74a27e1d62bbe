import t from 'tap'
import { suggestTopics, topicNamed, type TaggableTopic } from '../../src/ingest/tagging.js'
import { cpuSeconds } from '../cpu.js'

const putin: TaggableTopic = { id: 't-putin', name: 'Vladimir Putin', aliases: ['Putin'] }
const trump: TaggableTopic = { id: 't-trump', name: 'Donald Trump', aliases: ['Trump'] }
const zelensky: TaggableTopic = { id: 't-zel', name: 'Volodymyr Zelenskyy', aliases: ['Zelenskyy', 'Zelensky'] }
const saoPaulo: TaggableTopic = { id: 't-sp', name: 'São Paulo', aliases: [] }
const iran: TaggableTopic = { id: 't-iran', name: 'Iran', aliases: [] }

/** What each position points at in the text, `length` characters long. */
const at = (text: string, positions: number[], length: number): string[] =>
  positions.map((p) => text.slice(p, p + length))

t.test('suggestTopics finds the "Vladimir Putin" topic through its "Putin" alias', async (t) => {
  const text = 'The Kremlin said Putin was ready to talk.'
  t.same(suggestTopics(text, [putin]), [{ topicId: 't-putin', name: 'Vladimir Putin', count: 1, positions: [17] }])
})

t.test('suggestTopics counts "Vladimir Putin" once, not once for the name and once for the alias', async (t) => {
  const text = 'Vladimir Putin spoke first. Putin then left.'
  const [found] = suggestTopics(text, [putin])
  t.equal(found?.count, 2)
  t.same(at(text, found?.positions ?? [], 5), ['Vladi', 'Putin'])
})

t.test('suggestTopics ignores case', async (t) => {
  const text = 'PUTIN, putin and pUtIn.'
  t.same(suggestTopics(text, [putin])[0]?.positions, [0, 7, 17])
})

t.test('suggestTopics ignores diacritics in the text and in the topic', async (t) => {
  const text = 'Zélensky met Zelenskyy fans in Sao Paulo and SÃO PAULO.'
  const found = suggestTopics(text, [zelensky, saoPaulo])
  t.same(found.map((f) => [f.name, f.count]), [['São Paulo', 2], ['Volodymyr Zelenskyy', 2]])
  t.same(at(text, found[0]?.positions ?? [], 9), ['Sao Paulo', 'SÃO PAULO'])
  t.same(at(text, found[1]?.positions ?? [], 8), ['Zélensky', 'Zelensky'])

  const plain: TaggableTopic = { id: 't-sp2', name: 'Sao Paulo', aliases: [] }
  t.equal(suggestTopics('Rain in São Paulo.', [plain])[0]?.count, 1, 'an unaccented topic finds accented text')
})

t.test('suggestTopics matches decomposed accents and reports offsets into the original text', async (t) => {
  const text = 'Ze\u0301lensky and Sa\u0303o Paulo' // combining acute accent and tilde
  const found = suggestTopics(text, [zelensky, saoPaulo])
  const zel = found.find((f) => f.topicId === 't-zel')
  const sp = found.find((f) => f.topicId === 't-sp')
  t.same(zel?.positions, [0])
  t.same(sp?.positions, [14])
  t.equal(text.slice(14), 'Sa\u0303o Paulo')
})

t.test('suggestTopics matches whole words only: "Iran" is not found in "Iranian"', async (t) => {
  t.same(suggestTopics('Iranian officials met in Tehran.', [iran]), [])
  const text = "Iran's navy, the Iran-Iraq border and Iran."
  t.same(suggestTopics(text, [iran])[0]?.positions, [0, 17, 38])
})

t.test('suggestTopics treats letters of any script as word characters', async (t) => {
  const kyiv: TaggableTopic = { id: 't-kyiv', name: 'Kyiv', aliases: ['Київ'] }
  t.same(suggestTopics('Kyivska street and Київська вулиця', [kyiv]), [])
  t.equal(suggestTopics('Talks in Київ today', [kyiv])[0]?.count, 1)
  t.same(suggestTopics('Putin2024 and 2024Putin', [putin]), [], 'digits are word characters too')
})

t.test('suggestTopics matches names across line breaks and repeated spaces', async (t) => {
  const text = 'Talks with Vladimir\nPutin and Vladimir   Putin.'
  const [found] = suggestTopics(text, [putin])
  t.equal(found?.count, 2)
  t.same(found?.positions, [11, 30])
})

t.test('suggestTopics treats non-breaking and other Unicode spaces as spaces', async (t) => {
  const text = 'Vladimir\u00a0Putin and Vladimir\u2009\u3000Putin'
  t.same(suggestTopics(text, [putin])[0]?.positions, [0, 19])
})

t.test('suggestTopics keeps offsets right when folding makes the text longer (Hangul)', async (t) => {
  const seoul: TaggableTopic = { id: 't-seoul', name: 'Seoul', aliases: ['서울'] }
  const text = `${'한국 '.repeat(40)}서울 시내, 서울시 and Seoul`
  const [found] = suggestTopics(text, [seoul])
  t.equal(found?.count, 2, '서울시 is another word')
  t.same(at(text, found?.positions ?? [], 2), ['서울', 'Se'])
})

t.test('suggestTopics reports UTF-16 offsets after astral characters', async (t) => {
  const text = '🇺🇦 😀 Putin'
  t.same(suggestTopics(text, [putin])[0]?.positions, [text.indexOf('Putin')])
})

t.test('suggestTopics sorts by count, then by name, and leaves out topics not mentioned', async (t) => {
  const text = 'Trump called Putin. Trump said Iran was discussed. Putin agreed with Trump.'
  const found = suggestTopics(text, [iran, putin, trump, saoPaulo])
  t.same(found.map((f) => [f.name, f.count]), [['Donald Trump', 3], ['Vladimir Putin', 2], ['Iran', 1]])
  const tie = suggestTopics('Putin and Trump.', [trump, putin])
  t.same(tie.map((f) => f.name), ['Donald Trump', 'Vladimir Putin'], 'ties are ordered by name')
})

t.test('suggestTopics returns nothing for empty text, blank aliases or no topics', async (t) => {
  t.same(suggestTopics('', [putin]), [])
  t.same(suggestTopics('Putin', []), [])
  t.same(suggestTopics('  ', [{ id: 'x', name: ' ', aliases: ['', '  '] }]), [])
  t.same(suggestTopics(undefined as unknown as string, [putin]), [], 'a non-string from an untyped caller')
})

t.test('suggestTopics handles 10 MB of text in linear time', async (t) => {
  const chunk = 'Vladimir Putin and Donald Trump met in São Paulo; Iranian and Zélensky aides watched. '
  const text = chunk.repeat(Math.ceil((10 * 1024 * 1024) / chunk.length))
  const { result: found, seconds } = cpuSeconds(() => suggestTopics(text, [putin, trump, zelensky, saoPaulo, iran]))
  t.ok(seconds < 20, `tagged ${(text.length / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} CPU seconds`)
  const repeats = Math.ceil((10 * 1024 * 1024) / chunk.length)
  t.same(found.map((f) => f.count), [repeats, repeats, repeats, repeats])
  t.notOk(found.some((f) => f.topicId === 't-iran'), 'Iranian never counts as Iran')
})

t.test('topicNamed finds the topic a label names by name or alias, ignoring case, accents and spacing', async (t) => {
  const topics = [
    { id: 't1', name: 'Ines Calloway', aliases: ['Mayor Calloway'] },
    { id: 't2', name: 'São Vicente', aliases: [] },
  ]
  t.equal(topicNamed('mayor  calloway', topics)?.id, 't1')
  t.equal(topicNamed('Sao Vicente', topics)?.id, 't2')
  t.equal(topicNamed('Calloway', topics), null, 'a part of a name is not the name')
  t.equal(topicNamed('  ', topics), null)
})
