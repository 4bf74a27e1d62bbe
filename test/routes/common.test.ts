import t from 'tap'
import { parseIfMatch } from '../../src/routes/common.js'

t.test('parseIfMatch gives services a typed precondition: any version, or the version an ETag or number names', async (t) => {
  t.same(parseIfMatch('*'), { kind: 'any' })
  t.same(parseIfMatch(' * '), { kind: 'any' })
  t.same(parseIfMatch('3'), { kind: 'version', version: 3 })
  t.same(parseIfMatch('"3-9f86d081"'), { kind: 'version', version: 3 })
  t.same(parseIfMatch('W/"3-9f86d081"'), { kind: 'version', version: 3 })
  t.same(parseIfMatch('"opaque", "7-abc", "8-def"'), { kind: 'version', version: 7 }, 'the first tag of ours in a list')
  t.same(parseIfMatch('"someone-elses-tag"'), { kind: 'version', version: -1 }, 'well-formed tags none of which is ours match no version (412)')
})

t.test('parseIfMatch refuses a missing If-Match (428) and a malformed one (400 naming the header)', async (t) => {
  for (const missing of [undefined, '', '   ']) t.throws(() => parseIfMatch(missing), { code: 'precondition-required' }, JSON.stringify(missing))
  for (const malformed of ['banana', '"1-abc", banana', 'W/banana', '3-XYZ']) {
    t.throws(() => parseIfMatch(malformed), { code: 'validation', extra: { errors: [{ path: '/headers/if-match' }] } }, malformed)
  }
})
