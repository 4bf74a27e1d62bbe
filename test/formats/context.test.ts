import t from 'tap'
import { articleUrl, formatContext, templateProblem } from '../../src/formats/context.js'
import { articleFormat, feedFormat } from '../../src/formats/negotiate.js'
import { loadConfig } from '../../src/config.js'

const article = {
  id: '0193c6f0-aaaa-7bbb-8ccc-000000000001', slug: 'ferry deal', type: 'news' as const, language: 'en', canonicalUrl: null,
  section: { id: 's', name: 'World', slug: 'world', path: 'news/world' },
  firstPublishedAt: '2024-05-02T09:30:00.000Z', publishedAt: '2024-05-03T09:30:00.000Z', createdAt: '2024-05-01T09:30:00.000Z',
}

t.test('an article URL template fills every placeholder, URL-encoded, and closes up a missing section', async (t) => {
  const ctx = formatContext({ publicUrl: 'https://news.example/', articleUrlTemplate: '{base}/{section}/{yyyy}/{mm}/{dd}/{slug}-{id}.{language}?t={type}' })
  t.equal(articleUrl(article, ctx), 'https://news.example/news/world/2024/05/02/ferry%20deal-0193c6f0-aaaa-7bbb-8ccc-000000000001.en?t=news')
  t.equal(articleUrl({ ...article, section: null }, ctx), 'https://news.example/2024/05/02/ferry%20deal-0193c6f0-aaaa-7bbb-8ccc-000000000001.en?t=news')
  t.equal(articleUrl({ ...article, firstPublishedAt: null, publishedAt: null }, ctx).slice(0, 39), 'https://news.example/news/world/2024/05', 'a draft is dated by its creation')
  t.equal(articleUrl({ ...article, canonicalUrl: 'https://elsewhere.example/a' }, ctx), 'https://elsewhere.example/a', 'its own canonicalUrl wins')
  t.equal(articleUrl(article, formatContext({ publicUrl: 'https://api.example' })), 'https://api.example/v1/articles/ferry%20deal', 'by default: the article in this API')
})

t.test('a template with an unknown placeholder, or that is not an absolute URL, stops start-up naming the variable', async (t) => {
  t.equal(templateProblem('{base}/{slug}'), null)
  t.equal(templateProblem('https://www.example.com/{section}/{id}'), null)
  t.match(templateProblem('{base}/{headline}'), /unknown placeholder \{headline\}/)
  t.match(templateProblem('/{slug}'), /must start with/)
  t.throws(() => loadConfig({ ARTICLE_URL_TEMPLATE: '{base}/{nope}' }), /ARTICLE_URL_TEMPLATE unknown placeholder/)
  t.throws(() => loadConfig({ PUBLISHER_LOGO_URL: 'ftp://logo' }), /PUBLISHER_LOGO_URL/)
  t.match(loadConfig({ ARTICLE_URL_TEMPLATE: '{base}/a/{id}', PUBLISHER_NAME: 'The Courier' }), { articleUrlTemplate: '{base}/a/{id}', publisherName: 'The Courier' })
})

t.test('negotiation: JSON on a tie, q-values decide, ninjs versions by parameter, nothing acceptable is null', async (t) => {
  const cases: [string | undefined, string | null][] = [
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['application/*', 'json'],
    ['application/ld+json', 'jsonld'],
    ['application/ld+json;q=0.5, application/json;q=0.4', 'jsonld'],
    ['application/json;q=0.5, application/vnd.iptc.ninjs+json', 'ninjs'],
    ['application/vnd.iptc.ninjs+json; version=2.2', 'ninjs'],
    ['application/vnd.iptc.ninjs+json;version=3', 'ninjs3'],
    ['application/vnd.iptc.ninjs+json; profile="http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json"', 'ninjs3'],
    ['application/vnd.iptc.ninjs+json; version=4', null],
    ['application/ld+json;q=0', null],
    ['text/html', null],
  ]
  for (const [accept, want] of cases) t.equal(articleFormat(accept, undefined), want, String(accept))
  t.equal(articleFormat('text/html', 'ninjs3'), 'ninjs3', '?format= wins')
  t.equal(feedFormat(undefined, undefined), 'rss')
  t.equal(feedFormat('application/atom+xml, application/rss+xml;q=0.9', undefined), 'atom')
  t.equal(feedFormat('application/feed+json', undefined), 'json')
  t.equal(feedFormat('application/ld+json', undefined), null)
})
