// Parses the date part of "Published: 10:02am, 3 May, 2017"-style stamps into ISO 8601.
// A token scanner, not a grammar: every token must be a day, month, year, time, am/pm,
// weekday, time zone or filler word, otherwise the stamp is not a date and we return null.
// Without a zone the result is a local ISO time ("2017-05-03T10:02:00"); we never guess one.

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5,
  jun: 6, june: 6, jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9,
  oct: 10, october: 10, nov: 11, november: 11, dec: 12, december: 12,
  // German, French, Spanish, Italian, Portuguese and Russian (genitive, as in "5 марта 2024")
  januar: 1, jänner: 1, februar: 2, märz: 3, mai: 5, juni: 6, juli: 7, oktober: 10, dezember: 12,
  janvier: 1, février: 2, mars: 3, avril: 4, juin: 6, juillet: 7, août: 8, septembre: 9, octobre: 10,
  novembre: 11, décembre: 12,
  enero: 1, febrero: 2, marzo: 3, abril: 4, mayo: 5, junio: 6, julio: 7, agosto: 8, septiembre: 9,
  setiembre: 9, octubre: 10, noviembre: 11, diciembre: 12,
  gennaio: 1, febbraio: 2, aprile: 4, maggio: 5, giugno: 6, luglio: 7, settembre: 9, ottobre: 10,
  dicembre: 12,
  janeiro: 1, fevereiro: 2, março: 3, maio: 5, junho: 6, julho: 7, setembro: 9, outubro: 10,
  novembro: 11, dezembro: 12,
  января: 1, февраля: 2, марта: 3, апреля: 4, мая: 5, июня: 6, июля: 7, августа: 8, сентября: 9,
  октября: 10, ноября: 11, декабря: 12,
}

const WEEKDAYS = new Set([
  'mon', 'monday', 'tue', 'tues', 'tuesday', 'wed', 'wednesday', 'thu', 'thur', 'thurs', 'thursday',
  'fri', 'friday', 'sat', 'saturday', 'sun', 'sunday',
])

const FILLERS = new Set([
  'at', 'on', '-', '–', '—', '|', '/', '·', '•', 'de', 'del', 'el', 'le', 'um', 'uhr', 'à', 'a', 'las', 'alle', 'в', 'г',
])

/** "2024年3月5日 10:32" (Chinese, Japanese), "2024년 3월 5일" (Korean). */
const CJK_DATE = /^(\d{4})\s?[年년]\s?(\d{1,2})\s?[月월]\s?(\d{1,2})\s?[日일](?:\s*(\d{1,2}):(\d{2}))?$/

/** Zone abbreviations that are not ambiguous in English-language news copy. */
const ZONES: Record<string, string> = {
  Z: 'Z', UTC: 'Z', GMT: 'Z', BST: '+01:00', CET: '+01:00', CEST: '+02:00', EET: '+02:00',
  EEST: '+03:00', HKT: '+08:00', SGT: '+08:00', JST: '+09:00', KST: '+09:00', AEST: '+10:00',
  AEDT: '+11:00', EST: '-05:00', EDT: '-04:00', CDT: '-05:00', MST: '-07:00', MDT: '-06:00',
  PST: '-08:00', PDT: '-07:00',
}

export function isMonthName(word: string): boolean {
  const key = word.toLowerCase()
  return MONTHS[key.endsWith('.') ? key.slice(0, -1) : key] !== undefined
}

const pad = (n: number): string => String(n).padStart(2, '0')

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

function validDate(year: number, month: number, day: number): boolean {
  return year >= 1800 && year <= 2200 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
}

/** "+0800", "+08:00", "-05" → "+08:00"; null if not an offset. */
function offset(text: string): string | null {
  const m = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(text)
  if (!m) return null
  const hours = Number(m[2])
  const minutes = Number(m[3] ?? '0')
  if (hours > 14 || minutes > 59) return null
  return `${m[1]}${pad(hours)}:${pad(minutes)}`
}

function parseIso(text: string): string | null | undefined {
  const cut = text.search(/[T ]/)
  const datePart = cut < 0 ? text : text.slice(0, cut)
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(datePart)
  if (!d) return undefined // not ISO-shaped at all
  const [year, month, day] = [Number(d[1]), Number(d[2]), Number(d[3])]
  if (!validDate(year, month, day)) return null
  if (cut < 0) return datePart
  const t = /^(\d{2}):(\d{2})(:\d{2})?(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.slice(cut + 1))
  if (!t) return null
  const [hour, minute, second] = [Number(t[1]), Number(t[2]), Number((t[3] ?? ':00').slice(1))]
  if (hour > 23 || minute > 59 || second > 59) return null
  const zone = t[5] === undefined ? '' : t[5] === 'Z' ? 'Z' : offset(t[5])
  if (zone === null) return null
  return `${datePart}T${pad(hour)}:${pad(minute)}:${pad(second)}${zone}`
}

/** ISO 8601 for a stamp like "10:02am, 3 May, 2017" or "April 9, 2024 4:12 PM EDT"; null if not a date. */
export function parseDateStamp(value: string): string | null {
  const text = value.trim()
  if (text === '' || text.length > 80) return null
  const iso = parseIso(text)
  if (iso !== undefined) return iso
  const cjk = CJK_DATE.exec(text)
  if (cjk) {
    const [year, month, day] = [Number(cjk[1]), Number(cjk[2]), Number(cjk[3])]
    if (!validDate(year, month, day)) return null
    const date = `${year}-${pad(month)}-${pad(day)}`
    if (cjk[4] === undefined) return date
    const [hour, minute] = [Number(cjk[4]), Number(cjk[5])]
    return hour > 23 || minute > 59 ? null : `${date}T${pad(hour)}:${pad(minute)}:00`
  }

  let day: number | undefined
  let month: number | undefined
  let year: number | undefined
  let hour: number | undefined
  let minute = 0
  let meridiem: 'am' | 'pm' | undefined
  let zone: string | undefined

  for (const token of text.replace(/,/g, ' ').split(/\s+/)) {
    if (token === '') continue
    const lower = token.toLowerCase()
    const bare = lower.endsWith('.') && !lower.endsWith('m.') ? lower.slice(0, -1) : lower
    let m: RegExpExecArray | null
    if (FILLERS.has(bare) || WEEKDAYS.has(bare)) continue
    if ((m = /^(\d{1,2})[:.](\d{2})(am|pm|a\.m\.|p\.m\.)?$/.exec(bare))) {
      if (hour !== undefined) return null
      hour = Number(m[1])
      minute = Number(m[2])
      if (m[3] !== undefined) meridiem = m[3].startsWith('a') ? 'am' : 'pm'
    } else if ((m = /^(\d{1,2})(am|pm)$/.exec(bare))) {
      if (hour !== undefined) return null
      hour = Number(m[1])
      meridiem = m[2] === 'am' ? 'am' : 'pm'
    } else if (bare === 'am' || bare === 'a.m.' || bare === 'pm' || bare === 'p.m.') {
      if (hour === undefined || meridiem !== undefined) return null
      meridiem = bare.startsWith('a') ? 'am' : 'pm'
    } else if (MONTHS[bare] !== undefined) {
      if (month !== undefined) return null
      month = MONTHS[bare]
    } else if ((m = /^(\d{1,2})(st|nd|rd|th|\.)?$/.exec(lower))) {
      if (day !== undefined) return null
      day = Number(m[1])
    } else if (/^\d{4}$/.test(bare)) {
      if (year !== undefined) return null
      year = Number(bare)
    } else if (ZONES[token.toUpperCase()] !== undefined && zone === undefined) {
      zone = ZONES[token.toUpperCase()]
    } else if (offset(token) !== null && zone === undefined) {
      zone = offset(token) ?? undefined
    } else if ((m = /^(?:utc|gmt)([+-][\d:]{1,5})$/.exec(lower)) && zone === undefined) {
      zone = offset(m[1] ?? '') ?? undefined
      if (zone === undefined) return null
    } else {
      return null
    }
  }

  if (day === undefined || month === undefined || year === undefined) return null
  if (!validDate(year, month, day)) return null
  const date = `${year}-${pad(month)}-${pad(day)}`
  if (hour === undefined) return date
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return null
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0)
  }
  if (hour > 23 || minute > 59) return null
  return `${date}T${pad(hour)}:${pad(minute)}:00${zone ?? ''}`
}
