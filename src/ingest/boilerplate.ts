// Page chrome: what a news page carries around a story that is not the story.
//
// Two kinds of knowledge live here, both easy to extend:
//
// 1. KNOWN BOILERPLATE: exact lines (compared case- and whitespace-insensitively) and line
//    openings that publishers print around their stories. To teach the parser a new one, add the
//    phrase (lower case) to the list of the rule it belongs to. A phrase must be chrome wherever it
//    stands as a whole line: "Share" yes, "Breaking" no (it may be a headline kicker).
//
// 2. SHAPES (structural signals, in classify.ts and parse.ts), which need no list:
//    - counters ("142 comments", "1.2k shares", "Comments (34)", a bare "87", "1 of 4");
//    - a line that is only a URL, or breadcrumbs ("Home > News > UK", "World | Asia");
//    - calls to action: a short line that starts with an imperative (sign up, subscribe, download,
//      donate, follow, republish, ...) and names a promo object (newsletter, app, inbox, alerts,
//      us/our, an e-mail address);
//    - appeals and publisher voice: a line in the publisher's first person plural ("we", "our")
//      about donations, membership or its own journalism, outside any quotation;
//    - "This article is more than N years old" banners and relative times ("5 minutes ago");
//    - lines that are only the publisher's name (learnt from the page itself: its URL, a
//      "Source:" line, "Why you can trust X", "via X", "for X" in a byline);
//    - short lines between the header's byline or date lines and the first paragraph;
//    - an author's bio after the story ("Ann Lee covers the harbour for ...").
//
// Every dropped line is reported with its rule, and RULE_REASONS says in words why.

/** Rule name -> exact lines (lower case, single spaces). */
export const KNOWN_LINES: Record<string, string[]> = {
  'chrome:promo': [
    'get more with mynews', 'a personalised news feed of stories that matter to you',
    'a personalized news feed of stories that matter to you', 'learn more', 'subscribe',
    'subscribe now', 'sign in', 'sign up', 'log in', 'register', 'already a subscriber? log in',
    'sign up for our newsletter', 'sign up to our newsletter', 'support our journalism', 'read more',
    'continue reading', 'follow', 'unfollow', 'donate', 'donate now', 'gift article', 'gift this article',
    'save', 'save article', 'saved',
  ],
  'chrome:share': [
    'share', 'share this', 'share this article', 'share this story', 'share article', 'facebook',
    'twitter', 'x', 'whatsapp', 'linkedin', 'email', 'e-mail', 'copy link', 'link copied', 'print',
    'reddit', 'telegram', 'pinterest', 'share on facebook', 'share on twitter', 'share on x',
    'share on whatsapp', 'share on linkedin', 'share via email', 'share or comment on this article',
    '分享', '分享到微信', '分享到微博', 'поделиться', 'compartir', 'teilen', 'partager',
  ],
  'chrome:audio': [
    'listen to this article', 'listen to article', 'listen', 'play', 'pause', 'play audio', '1x',
  ],
  'chrome:navigation': [
    'skip to content', 'skip to main content', 'menu', 'search', 'home', 'back to top', 'most read',
    'most popular', 'recommended', 'related', 'related articles', 'more on this story', 'comments',
    'view comments', 'key events', 'show key events only', 'top stories', 'trending',
  ],
}

/** Rule name -> line openings (lower case). The line must start with one of them. */
export const KNOWN_OPENINGS: Record<string, string[]> = {
  'chrome:trust': ['why you can trust ', 'our standards:', 'how we report', 'about our journalism'],
  'chrome:source': ['source:', 'sources:', 'source :', '来源：', '来源:', 'источник:', 'fuente:', 'quelle:'],
  'chrome:related': ['read more:', 'read more about', 'related:', 'see also:', 'more from '],
  'chrome:via-link': ['read the full story at ', 'read the original story at ', 'read the original at '],
  'chrome:notice': ['please turn on javascript', 'please enable javascript', 'javascript is disabled'],
  'chrome:promo': ['subscribe to continue', 'already a subscriber'],
}

/** Why a rule drops a line, in words, for the import report. */
export const RULE_REASONS: Record<string, string> = {
  'chrome:promo': 'a promotion or call to action (subscribe, sign up, donate, download, follow)',
  'chrome:share': 'a share button or share prompt',
  'chrome:audio': 'an audio player control',
  'chrome:navigation': 'site navigation (menus, skip links, most-read lists)',
  'chrome:reading-time': 'a reading-time estimate',
  'chrome:trust': "the publisher's trust or standards box",
  'chrome:source': 'a "Source:" line naming where the page came from',
  'chrome:related': 'a link to another story',
  'chrome:via-link': 'a link to the original story on another site',
  'chrome:notice': 'a browser notice',
  'chrome:counter': 'a share, comment or picture counter',
  'chrome:url': 'a web address on a line of its own',
  'chrome:breadcrumbs': 'breadcrumbs (section path)',
  'chrome:age-banner': 'an "article is more than N years old" banner',
  'chrome:relative-time': 'a relative time ("5 minutes ago") that is no date',
  'chrome:appeal': 'a donation or membership appeal in the publisher\'s voice',
  'chrome:publisher-voice': 'the publisher speaking about its own journalism',
  'chrome:publisher-name': "the publisher's name on a line of its own",
  'chrome:header-widget': 'a short line between the byline or date and the story (a button or widget label)',
  'chrome:author-bio': "the author's bio after the story",
  'chrome:ad': 'an advertisement marker on a page without article text',
  'chrome:duplicate-label': 'the topic label repeated',
  'chrome:duplicate-caption': 'a photo caption seen before',
  'chrome:duplicate-print': 'a second print-edition line',
  'chrome:duplicate-stamp': 'a second date of the same kind',
  'chrome:fragment': 'a short fragment after the end of the article (a logo or button)',
  'dropped:garbage': 'binary data or control characters',
  'dropped:stamp': 'a date stamp whose date could not be read',
}

/** The reason for a dropping rule; null for rules that use the line. */
export function reasonOf(rule: string): string | null {
  if (!rule.startsWith('chrome:') && !rule.startsWith('dropped:')) return null
  return RULE_REASONS[rule] ?? 'page chrome'
}

// --- shapes ------------------------------------------------------------------------------------

/** "142 comments", "1.2k shares", "Comments (34)", "87", "1 of 4", "12 评论". */
const COUNTERS = [
  /^\d[\d.,]*\s?[km]?\s(?:comments?|shares?|replies|reactions|likes|views|reads)$/i,
  /^(?:comments?|shares?|replies|reactions)\s?\(\d[\d.,]*[km]?\)$/i,
  /^\d{1,6}$/,
  /^\d{1,3} of \d{1,3}$/i,
  /^\d[\d.,]*\s?(?:评论|条评论|комментари[йяев]*)$/u,
]

export function isCounter(text: string): boolean {
  return text.length <= 30 && COUNTERS.some((re) => re.test(text))
}

const URL_LINE = /^(?:https?:\/\/|www\.)\S+$/i

export function isUrlLine(text: string): boolean {
  return text.length <= 2000 && URL_LINE.test(text)
}

/** "harbourside-herald" from "https://www.harbourside-herald.example/news/..."; null if not a URL. */
export function hostName(url: string): string | null {
  const m = /^(?:https?:\/\/)?(?:www\.)?([a-z0-9-]+)\./i.exec(url)
  return m?.[1]?.toLowerCase() ?? null
}

const AGE_BANNER = /^this (?:article|story|page|piece) is (?:more|older) than (?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten) (?:years?|months?|days?) old$/i
export const isAgeBanner = (text: string): boolean => text.length <= 60 && AGE_BANNER.test(text)

const RELATIVE_TIME = /^(?:(?:updated|published|posted)\s)?(?:\d{1,3}|an?|one)\s?(?:s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)\sago$/i
export const isRelativeTime = (text: string): boolean => text.length <= 40 && RELATIVE_TIME.test(text)

/** Separators of breadcrumbs; '/' and '|' need every part to be a short capitalised label. */
const STRONG_SEPARATORS = [' > ', ' › ', ' » ', ' → ']
const WEAK_SEPARATORS = [' / ', ' | ']

/** The parts of a breadcrumb line ("News › World › Europe"), or null. */
export function breadcrumbs(text: string): string[] | null {
  if (text.length > 100) return null
  for (const sep of [...STRONG_SEPARATORS, ...WEAK_SEPARATORS]) {
    if (!text.includes(sep)) continue
    const parts = text.split(sep).map((p) => p.trim())
    const strong = STRONG_SEPARATORS.includes(sep)
    const ok = parts.every((p) =>
      p !== '' && p.length <= 30 && p.split(/\s+/).length <= (strong ? 4 : 3) && !/[.!?:;,。]$/.test(p) &&
      (strong || /^[\p{Lu}\p{Lo}]/u.test(p)))
    if (ok && parts.length >= 2) return parts
  }
  return null
}

// Calls to action: an imperative opening and a promo object.
const STRONG_CTA = /^(?:sign up|subscribe|download|donate|republish|become a (?:member|subscriber|supporter)|get the latest|get our|install)\b/i
const WEAK_CTA = /^(?:follow|support|join|make|email|e-mail|get|have|got|send|tell|read|share|contact|like|listen)\b/i
const PROMO_OBJECT = /\b(?:newsletters?|app|apps|inbox|alerts?|us|our|donation|donate|membership|member|subscription|instagram|facebook|twitter|tiktok|youtube|whatsapp|telegram|podcast)\b|[\w.+-]+@[\w-]+\.[\w.-]+/i
const QUOTES = /["“”«»„]/
/** Reported speech is story, not chrome: "Join us, the mayor told residents." */
const REPORTING = /\b(?:said|says|told|tells|according|asked|urged)\b/i

export function isCallToAction(text: string): boolean {
  if (text.length > 140) return false
  const words = countSpaces(text) + 1
  if (words > 18) return false
  const cta = STRONG_CTA.test(text) || (words <= 16 && WEAK_CTA.test(text) && PROMO_OBJECT.test(text))
  return cta && !QUOTES.test(text) && !REPORTING.test(text)
}

function countSpaces(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 32) n++
  return n
}

// Appeals and the publisher's voice: first person plural, about money or its own journalism.
const WE = /\b(?:we|we're|we’re|we are|our|us)\b/i
const APPEAL = /\b(?:donate(?: today| now)?|make a (?:donation|gift)|become a member|support (?:us|our)|readers like you|rely on (?:readers|donations|support)|can['’]t do (?:this|it) without|non-?profit newsroom)\b/i
const PUBLISHER_VOICE = /^our (?:journalism|standards|editorial|mission)\b|\bour editorial (?:code|guidelines|standards)\b/i

export function appealKind(text: string): 'chrome:appeal' | 'chrome:publisher-voice' | null {
  if (text.length > 400) return null
  const kind = APPEAL.test(text) && WE.test(text) ? 'chrome:appeal' : PUBLISHER_VOICE.test(text) ? 'chrome:publisher-voice' : null
  return kind !== null && !QUOTES.test(text) && !REPORTING.test(text) ? kind : null
}
