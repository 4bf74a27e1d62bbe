import t from 'tap'
import { parseDateStamp } from '../../src/ingest/dates.js'

t.test('parseDateStamp reads the stamp formats news pages use', async (t) => {
  const cases: Array<[string, string]> = [
    ['10:02am, 3 May, 2017', '2017-05-03T10:02:00'],
    ['12:05am, 1 January, 2024', '2024-01-01T00:05:00'],
    ['12:30pm, 1 January, 2024', '2024-01-01T12:30:00'],
    ['4:12 PM EDT, April 9, 2024', '2024-04-09T16:12:00-04:00'],
    ['March 4, 2024 9:41 AM UTC', '2024-03-04T09:41:00Z'],
    ['Monday 4 March 2024 09.41 GMT', '2024-03-04T09:41:00Z'],
    ['Tue 5 Mar 2024 18:00 +0800', '2024-03-05T18:00:00+08:00'],
    ['5 Sept. 2023 at 7pm GMT+8', '2023-09-05T19:00:00+08:00'],
    ['29 February 2024', '2024-02-29'],
    ['2024-03-05', '2024-03-05'],
    ['2024-03-05T10:00:00Z', '2024-03-05T10:00:00Z'],
    ['2024-03-05T10:00+01:00', '2024-03-05T10:00:00+01:00'],
    ['2024-03-05 10:00:30.123', '2024-03-05T10:00:30'],
  ]
  for (const [input, iso] of cases) t.equal(parseDateStamp(input), iso, input)
})

t.test('parseDateStamp returns null for anything that is not a whole, valid date', async (t) => {
  const cases = [
    '', 'yesterday', '2 hours ago', '3 May', 'May 2017', '31 April 2024', '29 February 2023',
    '13:00pm, 3 May, 2017', '25:00, 3 May, 2017', '3 May 2017 in the morning', '2024-13-01',
    '2024-02-30', '2024-03-05T25:00', '2024-03-05T10:00+99:00', '3 4 May 2017', '3 May May 2017',
    '10:00 11:00 3 May 2017', 'am 3 May 2017', '3 May 2017 GMT+99', 'x'.repeat(100),
  ]
  for (const input of cases) t.equal(parseDateStamp(input), null, JSON.stringify(input.slice(0, 30)))
})
