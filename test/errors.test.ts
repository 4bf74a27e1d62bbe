import t from 'tap'
import { ValidationError, requestPath } from '../src/errors.js'

t.test('issue paths follow one convention: a body pointer gets /body, other parts keep theirs', async (t) => {
  const cases: [string, string][] = [
    ['/headlines/basic', '/body/headlines/basic'],
    ['/body/3/html', '/body/body/3/html'],
    ['/at', '/body/at'],
    ['/', '/body'],
    ['/query/since', '/query/since'],
    ['/params/idOrSlug', '/params/idOrSlug'],
    ['/headers/if-match', '/headers/if-match'],
    ['/querystring/q', '/query/q'],
  ]
  for (const [given, expected] of cases) t.equal(requestPath(given), expected, given)
  t.same(new ValidationError('x', [{ path: '/sectionId', message: 'no such section' }]).extra.errors, [{ path: '/body/sectionId', message: 'no such section' }])
})
