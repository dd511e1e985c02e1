import { cleanSubject, renderMarkdown, sanitizeMarkdown } from '../../src/common/text';

test('removes tags, control characters and extra whitespace from subjects', () => {
  expect(cleanSubject('  <b>Disk</b>\tfull\r\n on <i>db-1</i>\u0007 ')).toBe('Disk full on db-1');
  expect(cleanSubject('<script>alert(1)</script>Hi')).toBe('Hi');
  expect(cleanSubject('a < b and c > d')).toBe('a < b and c > d');
});

test('removes dangerous blocks, comments and raw tags from Markdown but keeps the Markdown', () => {
  const input = '# Title\r\n\r\n<style>body{}</style>Text <!-- note --> with <span class="x">span</span> and `code`\n<iframe src="//evil"></iframe><object data="x"></object><embed src="x">\n- item';
  expect(sanitizeMarkdown(input)).toBe('# Title\n\nText  with span and `code`\n\n- item');
  expect(sanitizeMarkdown('unterminated <script>alert(1)')).toBe('unterminated');
  expect(sanitizeMarkdown('1 < 2 > 0')).toBe('1 < 2 > 0');
});

test('renders Markdown without passing raw HTML or unsafe links through', () => {
  expect(renderMarkdown('**b** <img src=x onerror=alert(1)>')).toBe('<p><strong>b</strong> &lt;img src=x onerror=alert(1)&gt;</p>\n');
  expect(renderMarkdown('[a](javascript:alert(1)) [b](https://ok.example)')).not.toMatch(/href="javascript/);
});
