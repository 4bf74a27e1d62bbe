import t from 'tap'
import { htmlToText } from '../../src/ingest/html.js'
import { parseRawText } from '../../src/ingest/parse.js'
import { cpuSeconds } from '../cpu.js'

t.test('htmlToText puts each block on its own line and keeps inline markup within it', async (t) => {
  const text = htmlToText('<h1>Quay <em>reopens</em></h1><p>By <a href="/a">Ann Lee</a></p><ul><li>One</li><li>Two</li></ul><p>Line one<br>line two</p>')
  t.same(text.split('\n').filter((l) => l !== ''), ['Quay reopens', 'By Ann Lee', 'One', 'Two', 'Line one', 'line two'])
})

t.test('htmlToText leaves out what a reader never sees as text: head, scripts, styles, templates', async (t) => {
  const text = htmlToText('<html><head><title>T</title><meta name="x" content="y"></head><body><script>if (a < b) document.write("<p>x</p>")</script><style>p{}</style><noscript>Enable JS</noscript><template><p>tpl</p></template><svg><text>chart</text></svg><p>Body text.</p></body></html>')
  t.equal(text, 'Body text.')
})

t.test('htmlToText decodes entities and folds whitespace as a browser does', async (t) => {
  t.equal(htmlToText('<p>Fish &amp; chips &#8211; &quot;hot&quot;&nbsp;now\n\n  today</p>'), 'Fish & chips – "hot" now today')
})

t.test('htmlToText survives broken markup and non-strings', async (t) => {
  t.equal(htmlToText('<p>Unclosed <b>bold <div>Block</p></i>'), 'Unclosed bold\n\nBlock')
  t.equal(htmlToText('<script>never closed'), '')
  t.equal(htmlToText(undefined as unknown as string), '')
})

t.test('a saved page parses like its copied text', async (t) => {
  const html = '<nav>Home › News</nav><h1>Quay reopens after repairs</h1><p>By Ann Lee</p><p>The quay reopened on Monday.</p><p>Traders returned at dawn.</p><p>The market runs until noon.</p>'
  const { article } = parseRawText(htmlToText(html))
  t.equal(article.headline, 'Quay reopens after repairs')
  t.same(article.credits, [{ name: 'Ann Lee', kind: 'person', role: 'byline' }])
  t.equal(article.body.length, 3)
})

t.test('htmlToText handles a large page in linear time', async (t) => {
  const page = '<div><p>The quay reopened on <b>Monday</b> &amp; traders returned.</p><script>var x = 1</script></div>'.repeat(40000)
  const { result, seconds } = cpuSeconds(() => htmlToText(page))
  t.ok(seconds < 5, `${(page.length / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} CPU seconds`)
  t.equal(result.split('\n').filter((l) => l !== '').length, 40000)
})
