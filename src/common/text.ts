import MarkdownIt from 'markdown-it';

// An unterminated block is removed to the end, as a browser would treat the rest as its content.
// <embed> is a void element: the tag rule below removes it.
const DANGEROUS_BLOCK = /<(script|style|iframe|object)\b[\s\S]*?(<\/\1\s*>|$)/gi;
const HTML_COMMENT = /<!--[\s\S]*?(-->|$)/g;
const HTML_TAG = /<\/?[a-zA-Z][\w:-]*(?:\s+[^<>]*?)?\/?>/g;
// C0 controls except tab, newline and carriage return, plus DEL.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** Subject line: tags removed, control characters and runs of whitespace collapsed. */
export function cleanSubject(input: string): string {
  return input
    .replace(DANGEROUS_BLOCK, '')
    .replace(HTML_COMMENT, '')
    .replace(HTML_TAG, '')
    .replace(CONTROL_CHARS, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Markdown as stored: script/style/iframe/object/embed blocks, HTML comments and raw tags are
 * removed, as the reference system does. This is hygiene for plain-text consumers (mail, CLI);
 * the safety boundary for browsers is renderMarkdown, which never passes raw HTML through.
 */
export function sanitizeMarkdown(input: string): string {
  return input
    .replace(/\r\n?/g, '\n')
    .replace(DANGEROUS_BLOCK, '')
    .replace(HTML_COMMENT, '')
    .replace(HTML_TAG, '')
    .replace(CONTROL_CHARS, '')
    .trim();
}

// html: false escapes any raw HTML; markdown-it's link validation drops javascript:, vbscript:,
// file: and non-image data: URLs.
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: false });

/** Safe HTML rendering of stored Markdown, for front-ends that show a ticket body or comment. */
export function renderMarkdown(source: string): string {
  return markdown.render(source);
}
