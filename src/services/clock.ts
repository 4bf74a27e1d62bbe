import { uuidv7 } from 'uuidv7'

/** Time and ids come from here so tests can pin them. */
export interface Runtime {
  now(): Date
  newId(): string
}

export const systemRuntime: Runtime = { now: () => new Date(), newId: () => uuidv7() }
