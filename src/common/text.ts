import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

// C0 controls except tab, newline and carriage return, plus DEL: never meaningful in a ticket and
// they break mail and terminals.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * Subject line: plain text, where `<` is just a character (`List<T>`, `if a<b and c>d`). Only
 * control characters go and whitespace runs collapse to one space, so it stays one line; whoever
 * shows it escapes it for their output (the mail composer does, GraphQL and webhooks carry JSON).
 */
export function cleanSubject(input: string): string {
  return input.replace(CONTROL_CHARS, '').replace(/\s+/g, ' ').trim();
}

/**
 * Markdown source as typed: line endings normalized, control characters removed, outer whitespace
 * trimmed. No HTML is removed here - any removal by pattern both misses nested tricks
 * (`<scr<b>ipt>`) and eats plain text (`a<b and c>d`); the safety boundary is renderMarkdown.
 */
export function cleanMarkdown(input: string): string {
  return input.replace(/\r\n?/g, '\n').replace(CONTROL_CHARS, '').trim();
}

// html: false escapes any raw HTML in the source; markdown-it's link validation drops javascript:,
// vbscript:, file: and non-image data: URLs.
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: false });

// What markdown-it produces (CommonMark plus tables and strikethrough) and nothing more. The
// sanitizer is the boundary should a markdown-it option or plugin ever let markup through: no
// scripts, no event handlers, links and images only to http(s) (and mailto for links).
const RENDERED: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
  allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'title'], ol: ['start'], th: ['style'], td: ['style'], code: ['class'] },
  allowedClasses: { code: ['language-*'] },
  allowedStyles: { th: { 'text-align': [/^(left|right|center)$/] }, td: { 'text-align': [/^(left|right|center)$/] } },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
};

/** Safe HTML rendering of stored Markdown, for front-ends that show a ticket body or comment. */
export function renderMarkdown(source: string): string {
  return sanitizeHtml(markdown.render(source), RENDERED);
}
