import t from 'tap'
import { minimalArticle, testApp } from '../../helpers.js'

/* Issue 11, defect 8: embed HTML is an iframe from a documented provider, sandboxed, or it is refused. */

const embed = (html: string, provider = 'youtube') => ({ ...minimalArticle(), body: [{ type: 'embed', provider, url: 'https://www.youtube.com/watch?v=abc', html }] })

t.test('embed HTML other than a sandboxed iframe from a known provider is a 400 naming the block', async (t) => {
  const h = await testApp(t)
  const bad = [
    '<script>alert(1)</script>',
    '<iframe src="https://evil.example/x"></iframe>',
    '<iframe src="http://www.youtube.com/embed/abc"></iframe>',
    '<iframe src="https://www.youtube.com/embed/abc" onload="alert(1)"></iframe>',
    '<iframe src="https://www.youtube.com/embed/abc" sandbox="allow-scripts allow-top-navigation"></iframe>',
    '<div><iframe src="https://www.youtube.com/embed/abc"></iframe></div>',
    'Some text <iframe src="https://www.youtube.com/embed/abc"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  ]
  for (const html of bad) {
    const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: embed(html) })
    t.equal(res.statusCode, 400, html)
    t.match(res.json().errors, [{ path: '/body/body/0/html' }], html)
  }
})

t.test('an iframe from a known provider is stored sandboxed; an embed without HTML is a link', async (t) => {
  const h = await testApp(t)
  const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: embed('<iframe src="https://www.youtube-nocookie.com/embed/abc" width="560" height="315" title="A clip" allowfullscreen></iframe>') })
  t.equal(res.statusCode, 201)
  const html = res.json().body[0].html as string
  t.match(html, /^<iframe src="https:\/\/www\.youtube-nocookie\.com\/embed\/abc" width="560" height="315" title="A clip" allowfullscreen( ="")? sandbox="allow-scripts allow-same-origin allow-popups allow-presentation"><\/iframe>$/)
  const own = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: embed('<iframe src="https://player.vimeo.com/video/1" sandbox="allow-scripts"></iframe>') })
  t.equal(own.json().body[0].html, '<iframe src="https://player.vimeo.com/video/1" sandbox="allow-scripts"></iframe>', 'a stricter sandbox of its own is kept')
  const link = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.as.write, payload: { ...minimalArticle(), body: [{ type: 'embed', provider: 'x', url: 'https://x.example/post/1' }] } })
  t.equal(link.statusCode, 201)
})
