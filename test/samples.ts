/**
 * Sample pages: whole news pages as an editor copies them from a website
 * (page chrome, ads, a topic label, photos with credits, a video teaser, a wire
 * credit and a print-edition line), for the ingest tests that check every part
 * lands in its field.
 *
 * - Ours, always: test/fixtures/samples/harbour-ferry-talks.txt, a page we
 *   wrote in the shape of a real one, so the repository tests itself alone.
 * - The shared third-party sample, when it is beside the repository
 *   (../shared/samples, as in CI): read from there at test time, never copied
 *   in. CI (CI=true) requires it: there its absence is a failure, not a skip.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Where our own sample pages are (the stand-in for ../shared/samples). */
export const OWN_SAMPLES_DIR = join(root, 'test/fixtures/samples')
/** The shared samples beside the repository, when they are there. */
export const SHARED_SAMPLES_DIR = resolve(root, '../shared/samples')

/** What an editor reads on the page: where each part must land. */
export interface SampleExpectation {
  headline: string
  /** The topic label above and below the headline. */
  label: string
  /** How often the label's name occurs in the page (the topic suggestion's count). */
  labelMentions: number
  summary: string
  leadCaption: string
  leadCredit: string
  /** Body paragraphs, the first and last of them by their beginning. */
  paragraphs: number
  firstParagraph: RegExp
  lastParagraph: RegExp
  /** Credits of the body photos, in order. */
  imageCredits: string[]
  videoTitle: string
  /** The wire agency credited for additional reporting. */
  agency: string
  publication: string
  printHeadline: string
  /** The stray last line (the rest of a logo) that is page chrome. */
  trailingFragment: string
}

export interface SamplePage {
  /** 'own' or 'shared', for test names. */
  origin: 'own' | 'shared'
  path: string
  /** The page's text, or null when the shared page is not there. */
  text: string | null
  expect: SampleExpectation
}

const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : null)

export const ownSample: SamplePage = {
  origin: 'own',
  path: join(OWN_SAMPLES_DIR, 'harbour-ferry-talks.txt'),
  text: read(join(OWN_SAMPLES_DIR, 'harbour-ferry-talks.txt')),
  expect: {
    headline: 'Port Avery and Westmere agree to share one ferry fleet across the bay',
    label: 'Port Avery Harbour',
    labelMentions: 5,
    summary: 'The two towns will pool their ageing boats under a single operator from next spring, ending a decade of rival timetables on the same crossing.',
    leadCaption: "Mayor Ines Calloway and harbour master Teodor Brandt at the east pier before Monday's talks on the ferry fleet.",
    leadCredit: 'Reuters',
    paragraphs: 8,
    firstParagraph: /^The agreement, signed on Monday after three months of talks/,
    lastParagraph: /^The first shared timetable is due to be published in February\.$/,
    imageCredits: ['Lena Hartmann', 'Port Avery Courier', 'Tomas Reyes'],
    videoTitle: 'A morning crossing on the oldest boat still in service',
    agency: 'Reuters',
    publication: 'Port Avery Courier',
    printHeadline: 'Rival towns sign up to one ferry fleet',
    trailingFragment: 'Courier',
  },
}

export const sharedSample: SamplePage = {
  origin: 'shared',
  path: join(SHARED_SAMPLES_DIR, 'scmp-trump-putin-call.txt'),
  text: read(join(SHARED_SAMPLES_DIR, 'scmp-trump-putin-call.txt')),
  expect: {
    headline: 'Trump and Putin discuss how to defuse North Korea crisis and end violence in Syria',
    label: 'Donald Trump',
    labelMentions: 6,
    summary: 'US President Donald Trump spoke by phone with Russia’s President Vladimir Putin about easing tensions on the Korean Peninsula.',
    leadCaption: 'President Donald Trump spoke by phone with Russian leader Vladimir Putin where they discussed the situation on the Korean Peninsula and in Syria.',
    leadCredit: 'AP',
    paragraphs: 13,
    firstParagraph: /^The two leaders “spoke about how best to resolve/,
    lastParagraph: /^A Russian news agency says Trump and Putin also discussed/,
    imageCredits: ['EPA', 'Reuters', 'Hawar News Agency via AP', 'Reuters'],
    videoTitle: 'How the North Korea situation intensified in just 12 days',
    agency: 'Associated Press',
    publication: 'South China Morning Post',
    printHeadline: 'US, Russian leaders’ ‘business-like’ call',
    trailingFragment: 'Post',
  },
}

/** Every sample page: ours, then the shared one (text null when it is not there). */
export const samplePages: SamplePage[] = [ownSample, sharedSample]

const ci = process.env.CI === 'true'

/**
 * The tap `skip` option of a test on `page`: false when the page is there. The
 * shared page is skipped, saying why, on a machine without ../shared; under
 * CI=true it is never skipped (the test then fails for want of the page; see
 * requireSharedSamples).
 */
export function skipUnlessPresent(page: SamplePage): string | false {
  if (page.text !== null || ci) return false
  return `the shared sample page is not at ${page.path} (it is only beside the repository in CI)`
}

/** The page's text; fails (under CI) when a shared page is missing. */
export function textOf(page: SamplePage): string {
  if (page.text === null) throw new Error(`the ${page.origin} sample page is missing at ${page.path}${ci ? ' (CI=true requires the shared samples)' : ''}`)
  return page.text
}
