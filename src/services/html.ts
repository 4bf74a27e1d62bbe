import sanitizeHtml from 'sanitize-html'
import { decodeHTML } from 'entities'

/** The inline HTML a paragraph may hold. */
const ALLOWED_TAGS = ['a', 'em', 'strong', 'b', 'i', 'sub', 'sup', 'br']
const ALLOWED_ATTRIBUTES: Record<string, string[]> = { a: ['href', 'title', 'rel'] }
const ALLOWED_SCHEMES = ['http', 'https', 'mailto']

export interface HtmlCheck {
  html: string
  /** What was not allowed, in words; empty when the input was acceptable. */
  violations: string[]
}

function hrefAllowed(href: string): boolean {
  try {
    const url = new URL(href, 'https://relative.invalid/')
    return ALLOWED_SCHEMES.includes(url.protocol.slice(0, -1))
  } catch {
    return false
  }
}

/**
 * Checks inline HTML against the allowed subset and returns it sanitised by
 * sanitize-html. Anything outside the subset is reported so the caller can
 * reject it rather than have it silently dropped.
 */
export function checkInlineHtml(input: string): HtmlCheck {
  const violations: string[] = []
  const html = sanitizeHtml(input, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedSchemes: ALLOWED_SCHEMES,
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    onOpenTag(name, attribs) {
      if (!ALLOWED_TAGS.includes(name)) {
        violations.push(`the <${name}> element is not allowed`)
        return
      }
      for (const [attr, value] of Object.entries(attribs)) {
        if (!(ALLOWED_ATTRIBUTES[name] ?? []).includes(attr)) violations.push(`the ${attr} attribute is not allowed on <${name}>`)
        else if (attr === 'href' && !hrefAllowed(value)) violations.push(`the link '${value.slice(0, 100)}' uses a scheme that is not allowed`)
      }
    },
  })
  return { html, violations }
}

/** The visible text of inline HTML (entities decoded), for word counts, search and feeds. */
export function textOf(html: string): string {
  return decodeHTML(sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }))
}
