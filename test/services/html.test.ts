import t from 'tap'
import fc from 'fast-check'
import { checkInlineHtml, textOf, textOfSanitised } from '../../src/services/html.js'

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
