import t from 'tap'
import { openDataLayer, type DataLayer } from '../../src/db/index.js'
import { wants } from '../../src/db/repositories/webhooks.js'
import { pgliteCopy, serverTarget } from '../pg.js'

/**
 * The webhook repository on every engine: fan-out, claims under leases (two
 * claimers never take the same delivery; a lease that expires is taken over),
 * completion only by the lease holder.
 */
type Opener = (t: { teardown(fn: () => unknown): void; comment(message: string): void }) => Promise<DataLayer | null>
const engines: [string, Opener][] = [
  ['sqlite', async () => openDataLayer(':memory:')],
  [
    'pglite',
    async () => {
      const { client, db } = await pgliteCopy()
      return openDataLayer({ postgres: db, close: () => client.close() })
    },
  ],
  [
    'postgres',
    async (t) => {
      const target = await serverTarget(t)
      if ('skip' in target) {
        t.comment(`skipped: ${target.skip}`)
        return null
      }
      return openDataLayer({ postgres: target.db, close: () => target.close() })
    },
  ],
]

const at = (s: number) => new Date(Date.UTC(2026, 10, 29, 12, 0, s)).toISOString()
let ids = 0
const newId = () => `id-${String(++ids).padStart(6, '0')}`
const subscription = (id: string, events: string[], createdAt = at(0)) => ({
  id,
  url: 'https://93.184.215.14/hook',
  description: null,
  events,
  secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0',
  previousSecret: null,
  previousSecretExpiresAt: null,
  active: true,
  disabledReason: null,
  failingSince: null,
  version: 1,
  createdAt,
  updatedAt: createdAt,
})
const topic = (data: DataLayer, name: string, createdAt: string) =>
  data.repos.topics.create({ id: newId(), kind: 'subject', name, slug: name.toLowerCase(), description: null, aliases: [], createdAt, updatedAt: createdAt })

t.test('wants() takes exact types, groups and *', async (t) => {
  t.ok(wants(['article.*'], 'article.corrected'))
  t.ok(wants(['*'], 'media.deleted'))
  t.ok(wants(['topic.created'], 'topic.created'))
  t.notOk(wants(['topic.created'], 'topic.updated'))
  t.notOk(wants(['article.*'], 'section.created'))
})

for (const [name, open] of engines) {
  t.test(`${name}: fan-out, claims and leases`, async (t) => {
    const data = await open(t)
    if (!data) return
    t.teardown(() => data.close())
    const repo = data.repos.webhooks
    await topic(data, 'Before', at(1))
    await repo.create(subscription('sub-topics', ['topic.*'], at(2)))
    await repo.create(subscription('sub-media', ['media.*'], at(2)))
    for (let i = 0; i < 6; i++) await topic(data, `Topic ${i}`, at(3))

    t.equal(await repo.fanOut(at(4), 4, newId), 4, 'a batch at a time')
    t.equal(await repo.fanOut(at(4), 4, newId), 3)
    t.equal(await repo.fanOut(at(4), 4, newId), 0)

    // Two dispatchers claim at once: no delivery is taken twice.
    const [a, b] = await Promise.all([repo.claim(at(5), at(35), 'lease-a', 4), repo.claim(at(5), at(35), 'lease-b', 4)])
    const taken = [...a!, ...b!].map((d) => d.id)
    t.equal(taken.length, 6, 'the 6 topic events after the subscription; the one before it and nobody wanted is gone')
    t.equal(new Set(taken).size, 6, 'disjoint')
    t.ok([...a!, ...b!].every((d) => d.subscription.id === 'sub-topics' && d.event.type === 'topic.created'))
    t.same(await repo.claim(at(6), at(36), 'lease-c', 10), [], 'leased deliveries are not claimed again')

    // lease-a's process dies; after its lease ends, another takes its deliveries over.
    const overtaken = await repo.claim(at(40), at(70), 'lease-c', 10)
    t.same(overtaken.map((d) => d.id).sort(), taken.sort(), 'every expired lease is taken over')
    const late = a![0]!
    const outcome = (token: string, ok: boolean) => ({
      deliveryId: late.id,
      token,
      subscriptionId: late.subscription.id,
      attempt: { id: newId(), at: at(41), statusCode: ok ? 204 : 500, error: ok ? null : 'HTTP 500', durationMs: 3 },
      ok,
      status: ok ? ('delivered' as const) : ('pending' as const),
      nextAttemptAt: ok ? null : at(50),
      disable: { failingSince: at(0), reason: 'too long' },
    })
    t.equal(await repo.complete(outcome('lease-a', true)), false, 'the old holder cannot complete it')
    t.equal(await repo.complete(outcome('lease-c', false)), true)
    const [view] = (await repo.deliveries('sub-topics', 10, null)).filter((d) => d.id === late.id)
    t.match(view, { status: 'pending', attempts: 1, nextAttemptAt: at(50), leaseToken: null, lastStatusCode: 500 })
    t.equal(view!.attemptList.length, 2, 'both attempts are recorded')
    t.match(await repo.find('sub-topics'), { failingSince: at(41), active: true }, 'failing since its first failure, not yet disabled')

    // An inactive subscription's deliveries wait.
    await repo.update('sub-topics', null, { active: false }, at(42))
    t.same(await repo.claim(at(60), at(90), 'lease-d', 10), [])
    await repo.update('sub-topics', null, { active: true }, at(43))
    t.equal((await repo.claim(at(100), at(130), 'lease-d', 10)).length, 6)

    // Redelivery makes a delivered one due again, with the same event.
    const again = await repo.redeliver('sub-topics', late.id, at(200))
    t.match(again, { status: 'pending', eventId: late.event.id, leaseToken: null })
    await t.rejects(repo.redeliver('sub-media', late.id, at(200)), { code: 'not-found' }, "another subscription's delivery is not found")

    // Deleting the subscription deletes its deliveries; a completion racing it is refused, not an error.
    await repo.remove('sub-topics', null)
    t.equal(await repo.complete(outcome('lease-d', true)), false)

    // Retention: events older than the cut are deleted, a batch at a time.
    t.equal(await repo.purge(at(3), 100), 0, 'none older than 12:00:03')
    t.equal(await repo.purge(at(4), 4), 4)
    t.equal(await repo.purge(at(4), 4), 2)
    t.equal(await repo.purge(at(4), 4), 0)
  })
}
