import type { BodyBlockOutValue, BodyBlockValue } from '../schemas/article.js'
import { textOfSanitised } from './html.js'

/** A body as written (blocks in) or as read (blocks out, with their media): their text fields are the same. */
type Blocks = readonly (BodyBlockValue | BodyBlockOutValue)[]

/**
 * The readable text of a body, one block a line: paragraphs, headings, quotes
 * and lists, and with `captions` (the search text) the captions of images and
 * titles of videos too. Paragraphs hold checked HTML (normaliseBody's, the
 * archive import's, or a stored article's), read without parsing it again.
 */
export function bodyText(body: Blocks, { captions }: { captions: boolean }): string {
  return body
    .map((block) => {
      switch (block.type) {
        case 'paragraph':
          return textOfSanitised(block.html)
        case 'heading':
          return block.text
        case 'quote':
          return block.attribution ? `${block.text} ${block.attribution}` : block.text
        case 'list':
          return block.items.join('\n')
        case 'image':
          return captions ? (block.caption ?? '') : ''
        case 'video':
          return captions ? (block.title ?? '') : ''
        default:
          return ''
      }
    })
    .filter((line) => line.length > 0)
    .join('\n')
}

/** Words a reader reads in the body: paragraphs, headings, quotes and lists (not captions). */
export function wordCount(body: Blocks): number {
  return bodyText(body, { captions: false })
    .split(/\s+/)
    .filter((w) => w.length > 0).length
}
