import { cleanMarkdown, cleanSubject, renderMarkdown } from '../../src/common/text';

test('subjects are plain text: control characters and extra whitespace go, angle brackets stay', () => {
  expect(cleanSubject('  <b>Disk</b>\tfull\r\n on <i>db-1</i>\u0007 ')).toBe('<b>Disk</b> full on <i>db-1</i>');
  expect(cleanSubject('if a<b and c>d')).toBe('if a<b and c>d');
  expect(cleanSubject('List<T>')).toBe('List<T>');
  expect(cleanSubject('Disk <im<b>g src=x onerror=alert(1)> full')).toBe('Disk <im<b>g src=x onerror=alert(1)> full');
});

test('Markdown is kept as typed, with normalized line ends and no control characters', () => {
  expect(cleanMarkdown('# Title\r\n\r\nText <span>x</span>\u0007\n- item \n')).toBe('# Title\n\nText <span>x</span>\n- item');
  expect(cleanMarkdown('if a<b and c>d, List<T>')).toBe('if a<b and c>d, List<T>');
  expect(cleanMarkdown('<scr<b>ipt>alert(1)</scr<b>ipt>')).toBe('<scr<b>ipt>alert(1)</scr<b>ipt>');
});

test('renders Markdown without passing raw HTML or unsafe links through', () => {
  expect(renderMarkdown('**b** <img src=x onerror=alert(1)>')).toBe('<p><strong>b</strong> &lt;img src=x onerror=alert(1)&gt;</p>\n');
  expect(renderMarkdown('Disk <im<b>g src=x onerror=alert(1)> full')).toBe('<p>Disk &lt;im&lt;b&gt;g src=x onerror=alert(1)&gt; full</p>\n');
  expect(renderMarkdown('<scr<b>ipt>alert(1)</scr<b>ipt>')).not.toMatch(/<script/i);
  expect(renderMarkdown('if a<b and c>d')).toBe('<p>if a&lt;b and c&gt;d</p>\n');
  const links = renderMarkdown('[a](javascript:alert(1)) [b](https://ok.example) [c](mailto:a@b.example) ![d](data:image/png;base64,AAAA) [e](//evil.example)');
  expect(links).not.toMatch(/<[^>]*(javascript:|data:|href="\/\/)/);
  expect(links).toContain('<a href="https://ok.example">b</a>');
  expect(links).toContain('<a href="mailto:a@b.example">c</a>');
});

test('keeps what markdown-it produces: tables, code with its language, lists, images over https', () => {
  expect(renderMarkdown('| a | b |\n|--:|:-|\n| 1 | 2 |')).toContain('<th style="text-align:right">a</th>');
  expect(renderMarkdown('```js\nx<y\n```')).toBe('<pre><code class="language-js">x&lt;y\n</code></pre>\n');
  expect(renderMarkdown('3. a\n\n---\n\n~~s~~ ![i](https://x.example/i.png)')).toBe('<ol start="3">\n<li>a</li>\n</ol>\n<hr />\n<p><s>s</s> <img src="https://x.example/i.png" alt="i" /></p>\n');
});
