import closeWithGrace from 'close-with-grace'
import { ConfigError, loadConfig, type Config } from './config.js'
import { buildApp } from './app.js'
import { seedDemoContent } from './demo/seed.js'

/** The process: config, app, first-start bootstrap, listen, graceful shutdown. */
async function main(config: Config): Promise<void> {
  const { app, services } = await buildApp(config)

  const bootstrap = await services.apiKeys.bootstrap(config.adminKey)
  if (bootstrap && !bootstrap.generated) app.log.info('created the bootstrap admin key from NEWSDESK_ADMIN_KEY')
  if (config.demoContent) {
    const seeded = await seedDemoContent(services, { samplesDir: config.demoSamplesDir, log: app.log })
    if (seeded > 0) app.log.info({ articles: seeded }, 'loaded demo content')
  }

  closeWithGrace({ delay: config.shutdownGraceMs }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down: finishing in-flight requests')
    await app.close()
  })

  const address = await app.listen({ host: config.host, port: config.port })
  const base = config.publicUrl ?? address.replace('://0.0.0.0', '://127.0.0.1')
  if (bootstrap?.generated) {
    // Printed once, on the first start, to the terminal rather than into the log stream.
    process.stdout.write(
      `\nNewsdesk created an admin API key. It is shown only this once; keep it safe:\n\n  ${bootstrap.key}\n\n` +
        `Use it as: Authorization: Bearer <key>\nLost it? npm run keys -- create --scope admin --name "me" makes another.\nAPI docs: ${base}/docs\n\n`,
    )
  } else if (!bootstrap && !(await services.apiKeys.anyUsed())) {
    // A restart before any key was used: the printed admin key may be lost, so say how to make another.
    process.stdout.write(
      `\nNo API key has been used yet. If you lost the admin key printed at the first start, make another (the server may keep running):\n\n` +
        `  npm run keys -- create --scope admin --name "me"\n\nnpm run keys -- list shows the keys, npm run keys -- revoke ID revokes one. API docs: ${base}/docs\n\n`,
    )
  }
  app.log.info(`Newsdesk is listening on ${base} (docs: ${base}/docs)`)
}

try {
  await main(loadConfig())
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`)
    process.exit(1)
  }
  throw err
}
