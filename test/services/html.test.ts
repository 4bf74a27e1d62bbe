import t from 'tap'
import fc from 'fast-check'
import { checkInlineHtml, isPlainInlineHtml, sanitiseInlineHtml, textOf, textOfSanitised } from '../../src/services/html.js'

// Pieces of inline HTML, allowed and not, well-formed and not, with entities and stray brackets.
const piece = fc.constantFrom(
  '<a href="https://example.com/?a=1&amp;b=2" title="x &quot;y&quot; > z">', '</a>', '<em>', '</em>', '<strong>', '</strong>',
  '<br>', '<br/>', '<sub>', '</sub>', '<script>alert(1)</script>', '<style>p{}</style>', '<span class="c">', '</span>',
  '<img src=x onerror=alert(1)>', '<!-- note -->', '<a href="javascript:alert(1)">', '&amp;', '&lt;', '&gt;', '&nbsp;', '&eacute;',
  '&#8212;', '&bogus;', '<', '>', '"', "'", ' a < b > c ', 'Photo: AP', ' ', '\n', 'é', '<textarea>t</textarea>',
)
const html = fc.array(fc.oneof(piece, fc.string({ maxLength: 12 })), { maxLength: 20 }).map((parts) => parts.join(''))

t.test('textOfSanitised reads the same text from checked HTML as a full parse of the input does', async (t) => {
  fc.assert(
    fc.property(html, (input) => textOfSanitised(checkInlineHtml(input).html) === textOf(input)),
    { numRuns: 2000, seed: 20261129 },
  )
  t.equal(textOfSanitised(checkInlineHtml('Fish &amp; chips <em>at</em> 5 &lt; 6<br>now').html), 'Fish & chips at 5 < 6now')
  t.equal(textOfSanitised(checkInlineHtml('<a href="https://x.test/" title="a > b">link</a>').html), 'link', 'a > inside an attribute is not text')
})

t.test('plain inline HTML skips the parse and comes back exactly as the parse would return it', async (t) => {
  // Plain pieces and near misses: tags in capitals, with attributes or spaces, unbalanced, stray brackets and entities.
  const near = fc.constantFrom(
    '<em>', '</em>', '<strong>', '</strong>', '<b>', '</b>', '<i>', '</i>', '<sub>', '</sub>', '<sup>', '</sup>', '<EM>', '</Em>', '<em >',
    '</em >', '<b class="x">', '<br>', '<br />', '<a href="https://x.test/">', '</a>', '<span>', '<', '>', '&', '&amp;', '"', "'",
    'The council met', ' ', '\n', '\r\n', 'é', '\u0000', '<!-- c -->',
  )
  const input = fc.array(fc.oneof(near, fc.string({ maxLength: 8 })), { maxLength: 16 }).map((parts) => parts.join(''))
  let plain = 0
  fc.assert(
    fc.property(input, (html) => {
      if (!isPlainInlineHtml(html)) return true
      plain += 1
      const parsed = sanitiseInlineHtml(html)
      return parsed.html === html && parsed.violations.length === 0 && checkInlineHtml(html).html === html
    }),
    { numRuns: 5000, seed: 20261130 },
  )
  t.ok(plain > 100, `the generator made plain inputs (${plain})`)
  t.ok(isPlainInlineHtml('The <em>council</em> met on <b><i>Tuesday</i></b>.'))
  for (const html of ['<em>open', 'closed</em>', '<em><b>x</em></b>', '<EM>x</EM>', 'a < b', 'fish &amp; chips', '<br>', '<a href="https://x.test/">x</a>']) {
    t.notOk(isPlainInlineHtml(html), html)
  }
})
