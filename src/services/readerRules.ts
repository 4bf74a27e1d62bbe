/** myNEWS limits and the relevance formula's constants (no imports: the schemas document them too). */

/** A reader follows at most this many topics, contributors and sections (and mutes at most as many). */
export const MAX_FOLLOWS = 200
export const MAX_MUTES = 200
/** `?order=relevance` ranks this many of the newest matches (see relevance in readers.ts). */
export const RELEVANCE_WINDOW = 100
/** Relevance halves for every this many hours of age. */
export const RELEVANCE_HALF_LIFE_HOURS = 24
