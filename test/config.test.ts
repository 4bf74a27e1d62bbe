import t from 'tap'
import { loadConfig } from '../src/config.js'

t.test('loadConfig gives defaults for an empty environment', async (t) => {
  t.match(loadConfig({}), { host: '127.0.0.1', port: 3000, databasePath: 'data/newsdesk.db', anonymousReads: true, demoContent: true, adminKey: undefined })
})

t.test('loadConfig parses every variable', async (t) => {
  const c = loadConfig({
    HOST: '0.0.0.0',
    PORT: '8080',
    DATABASE_PATH: '/var/lib/newsdesk/db.sqlite',
    LOG_LEVEL: 'warn',
    NEWSDESK_ADMIN_KEY: 'a-very-long-admin-key-for-automation',
    ANONYMOUS_READS: 'false',
    DEMO_CONTENT: 'false',
    PUBLIC_URL: 'https://news.example',
    REQUEST_TIMEOUT_MS: '5000',
    BODY_LIMIT_BYTES: '2048',
  })
  t.match(c, { host: '0.0.0.0', port: 8080, logLevel: 'warn', anonymousReads: false, demoContent: false, publicUrl: 'https://news.example', requestTimeoutMs: 5000, bodyLimitBytes: 2048 })
})

t.test('a bad value stops start-up with a message naming the variable', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ ANONYMOUS_READS: 'maybe' }, /ANONYMOUS_READS/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ NEWSDESK_ADMIN_KEY: 'short' }, /NEWSDESK_ADMIN_KEY/],
    [{ PUBLIC_URL: 'ftp://x' }, /PUBLIC_URL/],
    [{ REQUEST_TIMEOUT_MS: '0' }, /REQUEST_TIMEOUT_MS/],
  ]
  for (const [env, name] of cases) t.throws(() => loadConfig(env), { name: 'ConfigError', message: name }, JSON.stringify(env))
})

t.test('TRUST_PROXY is empty (no proxy trusted), "true", a hop count, or addresses and CIDRs; anything else is refused', async (t) => {
  t.equal(loadConfig({}).trustProxy, false)
  t.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true)
  t.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2)
  t.same(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).trustProxy, ['10.0.0.0/8', '127.0.0.1', '::1'])
  t.throws(() => loadConfig({ TRUST_PROXY: 'loopback; rm -rf' }), /TRUST_PROXY/)
})

t.test('DATABASE_REPLICA_URL is a PostgreSQL URL, and only with DATABASE_URL (a replica of what?)', async (t) => {
  const url = 'postgres://newsdesk@db:5432/newsdesk'
  const replica = 'postgres://newsdesk@replica:5432/newsdesk'
  t.equal(loadConfig({ DATABASE_URL: url, DATABASE_REPLICA_URL: replica }).databaseReplicaUrl, replica)
  t.equal(loadConfig({}).databaseReplicaUrl, undefined)
  t.throws(() => loadConfig({ DATABASE_REPLICA_URL: replica }), { name: 'ConfigError', message: /DATABASE_REPLICA_URL .*DATABASE_URL/ })
  t.throws(() => loadConfig({ DATABASE_URL: url, DATABASE_REPLICA_URL: 'data/replica.db' }), { name: 'ConfigError', message: /DATABASE_REPLICA_URL/ })
})
