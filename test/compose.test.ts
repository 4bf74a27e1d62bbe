import t from 'tap'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { EnvSchema, loadConfig } from '../src/config.js'

/**
 * compose.yaml (the README's scaled-out layout) cannot be run here (no
 * container engine); this checks that it parses and agrees with what the
 * tests run: the API's variables exist and are valid, it reaches the
 * PostgreSQL and Redis of the file with their credentials, the balancer
 * proxies to the port the image listens on, and the images are the versions CI tests against.
 */
const root = new URL('../', import.meta.url)
const compose = parse(readFileSync(new URL('compose.yaml', root), 'utf8')) as {
  services: Record<string, { image?: string; build?: string; environment?: Record<string, string>; volumes?: string[]; depends_on?: unknown }>
}

t.test('compose.yaml parses and runs the API on its PostgreSQL and Redis, behind its balancer', async (t) => {
  const { api, lb, postgres, redis } = compose.services
  t.ok(api && lb && postgres && redis, 'api, lb, postgres and redis services')
  t.equal(api!.build, '.', 'the API is this repository’s Dockerfile')
  const env = api!.environment!
  const known = Object.keys(EnvSchema.properties)
  t.same(Object.keys(env).filter((k) => !known.includes(k)), [], 'every variable is one the API reads')
  // ${VAR:?message} is compose's required variable: stand a valid key in for it.
  const values = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/^\$\{NEWSDESK_ADMIN_KEY:\?[^}]*\}$/, 'k'.repeat(32))]))
  const config = loadConfig(values)
  const db = new URL(config.databaseUrl!)
  const pg = postgres!.environment!
  t.equal(db.hostname, 'postgres')
  t.same([db.username, db.password, db.pathname.slice(1)], [pg.POSTGRES_USER, pg.POSTGRES_PASSWORD, pg.POSTGRES_DB], 'the credentials of the postgres service')
  t.equal(new URL(config.redisUrl!).hostname, 'redis')
  const replica = new URL(config.databaseReplicaUrl!)
  t.ok(compose.services[replica.hostname], `the replica is the ${replica.hostname} service`)
  t.same([replica.username, replica.password, replica.pathname], [db.username, db.password, db.pathname], 'the replica has the primary\'s users and database')
  const standby = compose.services[replica.hostname]! as { image?: string; command?: string[]; environment?: Record<string, string> }
  t.equal(standby.image, postgres!.image, 'the replica runs the primary\'s PostgreSQL')
  t.match(standby.command!.join(' '), /pg_basebackup -h postgres -U newsdesk .*-R/, 'it copies the primary as a standby')
  t.equal(standby.environment!.PGPASSWORD, pg.POSTGRES_PASSWORD, 'with its password')
  t.ok(postgres!.volumes!.some((v) => v.startsWith('./deploy/postgres-replication.sh:/docker-entrypoint-initdb.d/')), 'the primary lets it connect for replication')
  t.match(postgres!.image, /^postgres:15(\b|$)/, 'the PostgreSQL major version CI tests against')
  t.match(redis!.image, /^redis:7(\b|-)/, 'the Redis major version CI tests against')
  t.ok(config.trustProxy, 'behind the balancer, the client address comes from it')

  const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8')
  const port = /PORT=(\d+)/.exec(dockerfile)![1]
  const nginx = readFileSync(new URL('deploy/nginx.conf', root), 'utf8')
  t.match(nginx, new RegExp(`server api:${port};`), `the balancer proxies to the image's port ${port}`)
  t.ok(lb!.volumes!.some((v) => v.startsWith('./deploy/nginx.conf:')), 'the balancer uses deploy/nginx.conf')
})
