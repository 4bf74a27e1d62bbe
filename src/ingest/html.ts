// htmlToText: a saved web page (HTML) -> the text an editor would copy from it, one block a line,
// for parseRawText. Parsed with htmlparser2 (a streaming, tolerant HTML tokenizer that decodes
// entities), never with regular expressions.
//
// - Block elements (p, h1-h6, li, div, figcaption, blockquote, br, ...) start a new line; inline
//   elements (a, em, span, ...) stay within their line; runs of whitespace become one space.
// - What a reader never sees as text is left out: head (with its title and meta), script, style,
//   noscript, template, svg, iframe, form controls. Everything else (navigation, footers, promos)
//   stays, so that the parser's chrome rules drop it and the import report says why.
// - Linear in the input; never throws.

import { Parser } from 'htmlparser2'

const SKIPPED = new Set(['head', 'script', 'style', 'noscript', 'template', 'svg', 'iframe', 'object', 'select', 'textarea', 'button', 'canvas', 'math'])

const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'caption', 'dd', 'details', 'dialog', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr',
  'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'td', 'th', 'thead', 'tr',
  'ul', 'body', 'html', 'picture', 'video', 'audio',
])

export function htmlToText(html: string): string {
  const lines: string[] = []
  let current = ''
  let skipDepth = 0

  const breakLine = (): void => {
    const line = current.trim()
    if (line !== '') {
      lines.push(line)
      lines.push('') // a blank line between blocks, as on a copied page
    }
    current = ''
  }

  const parser = new Parser(
    {
      onopentag(name) {
        if (skipDepth > 0 || SKIPPED.has(name)) {
          if (SKIPPED.has(name)) skipDepth++
          return
        }
        if (BLOCKS.has(name)) breakLine()
      },
      ontext(text) {
        if (skipDepth > 0) return
        current += text.replace(/\s+/g, ' ')
      },
      onclosetag(name) {
        if (SKIPPED.has(name)) {
          if (skipDepth > 0) skipDepth--
          return
        }
        if (skipDepth === 0 && BLOCKS.has(name)) breakLine()
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  )
  parser.write(typeof html === 'string' ? html : '')
  parser.end()
  breakLine()
  return lines.join('\n').trim()
}
