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

/** A tag of the plain subset (no attributes), or a character that needs the full parse. */
const PLAIN_TOKEN = /<(\/?)(em|strong|b|i|sub|sup)>|[<>&]/g

/**
 * Whether the input is plain inline HTML that sanitize-html returns unchanged:
 * text with no `<`, `>` or `&`, and only attribute-less em, strong, b, i, sub
 * and sup tags, in lower case and properly nested. Most paragraphs are (an
 * archive holds what an export wrote: sanitised already), and this check is a
 * scan where the parse costs tens of microseconds a paragraph.
 */
export function isPlainInlineHtml(input: string): boolean {
  const open: string[] = []
  PLAIN_TOKEN.lastIndex = 0
  for (let m = PLAIN_TOKEN.exec(input); m !== null; m = PLAIN_TOKEN.exec(input)) {
    const tag = m[2]
    if (tag === undefined) return false
    if (m[1] === '/') {
      if (open.pop() !== tag) return false
    } else open.push(tag)
  }
  return open.length === 0
}

/**
 * Checks inline HTML against the allowed subset and returns it sanitised by
 * sanitize-html. Anything outside the subset is reported so the caller can
 * reject it rather than have it silently dropped. Plain HTML (isPlainInlineHtml)
 * is returned as it is, which is what sanitize-html would return.
 */
export function checkInlineHtml(input: string): HtmlCheck {
  if (isPlainInlineHtml(input)) return { html: input, violations: [] }
  return sanitiseInlineHtml(input)
}

/** checkInlineHtml by the full parse, whatever the input. */
export function sanitiseInlineHtml(input: string): HtmlCheck {
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

/** The visible text of any HTML (entities decoded): parsed, so it holds for input no one has checked. */
export function textOf(html: string): string {
  return decodeHTML(sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }))
}

/**
 * The visible text of inline HTML that checkInlineHtml returned (entities decoded), for
 * word counts, search and feeds, without parsing it again: in sanitize-html's output
 * every `<` and `>` outside a tag is escaped (in text and attribute values alike), so
 * dropping the tags leaves exactly the text. Not for unchecked input: use textOf.
 */
export function textOfSanitised(html: string): string {
  return decodeHTML(html.replace(/<[^>]*>/g, ''))
}

/**
 * Embed HTML: only iframes, from these providers' hosts over https, with these
 * attributes. The iframe is sandboxed: a sandbox of its own may hold only the
 * tokens below (never allow-top-navigation), and one without gets DEFAULT_SANDBOX.
 * An embed without `html` is a plain link to its `url`.
 */
export const EMBED_HOSTS = [
  'www.youtube.com',
  'www.youtube-nocookie.com',
  'player.vimeo.com',
  'open.spotify.com',
  'w.soundcloud.com',
  'www.openstreetmap.org',
  'www.google.com',
  'datawrapper.dwcdn.net',
  'flo.uri.sh',
]
const EMBED_ATTRIBUTES = ['src', 'width', 'height', 'title', 'allow', 'allowfullscreen', 'loading', 'referrerpolicy', 'frameborder', 'sandbox']
const SANDBOX_TOKENS = ['allow-scripts', 'allow-same-origin', 'allow-popups', 'allow-presentation', 'allow-forms', 'allow-popups-to-escape-sandbox']
export const DEFAULT_SANDBOX = 'allow-scripts allow-same-origin allow-popups allow-presentation'

function embedSourceAllowed(src: string): boolean {
  try {
    const url = new URL(src)
    return url.protocol === 'https:' && EMBED_HOSTS.includes(url.hostname) && url.username === '' && url.password === ''
  } catch {
    return false
  }
}

/** Checks embed HTML against the provider list; returns it sanitised and sandboxed, with what was not allowed. */
export function checkEmbedHtml(input: string): HtmlCheck {
  const violations: string[] = []
  const html = sanitizeHtml(input, {
    allowedTags: ['iframe'],
    allowedAttributes: { iframe: EMBED_ATTRIBUTES },
    allowedSchemes: ['https'],
    allowedIframeHostnames: EMBED_HOSTS,
    allowIframeRelativeUrls: false,
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    transformTags: {
      iframe: (tagName, attribs) => ({ tagName, attribs: attribs.sandbox === undefined ? { ...attribs, sandbox: DEFAULT_SANDBOX } : attribs }),
    },
    onOpenTag(name, attribs) {
      if (name !== 'iframe') {
        violations.push(`the <${name}> element is not allowed in an embed (only an <iframe> from a known provider)`)
        return
      }
      for (const [attr, value] of Object.entries(attribs)) {
        if (!EMBED_ATTRIBUTES.includes(attr)) violations.push(`the ${attr} attribute is not allowed on an embedded <iframe>`)
        else if (attr === 'sandbox') {
          const bad = value.split(/\s+/).filter((token) => token !== '' && !SANDBOX_TOKENS.includes(token))
          if (bad.length > 0) violations.push(`the sandbox token ${bad.join(', ')} is not allowed`)
        }
      }
      if (attribs.src === undefined || !embedSourceAllowed(attribs.src)) {
        violations.push(`the iframe source '${(attribs.src ?? '').slice(0, 100)}' is not https on a known provider (${EMBED_HOSTS.join(', ')})`)
      }
    },
  })
  if (textOf(input.replace(/<iframe\b[^>]*>[\s\S]*?<\/iframe>/gi, '')).trim() !== '') violations.push('an embed holds iframes only, no text')
  return { html, violations }
}
