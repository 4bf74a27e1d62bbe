/**
 * Runs `tick` every `intervalMs` (never two at once) until stopped. The work
 * itself is claimed in the database, so several processes may each run one.
 */
export function createScheduler(tick: () => Promise<unknown>, intervalMs: number, onError: (err: unknown) => void) {
  let timer: NodeJS.Timeout | null = null
  let running: Promise<void> | null = null
  const run = () => {
    if (running) return
    running = tick()
      .then(() => undefined, onError)
      .finally(() => {
        running = null
      })
  }
  return {
    start() {
      if (timer || intervalMs <= 0) return
      timer = setInterval(run, intervalMs)
      timer.unref()
      run()
    },
    async stop() {
      if (timer) clearInterval(timer)
      timer = null
      await running
    },
  }
}
