/**
 * The CPU seconds `fn` takes in this process (all its threads). A bound on
 * these, unlike one on wall-clock time, does not depend on a quiet machine:
 * other work on a busy machine delays the test but does not add to them.
 */
export function cpuSeconds<T>(fn: () => T): { result: T; seconds: number } {
  const before = process.cpuUsage()
  const result = fn()
  const used = process.cpuUsage(before)
  return { result, seconds: (used.user + used.system) / 1e6 }
}
