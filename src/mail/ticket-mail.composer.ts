import { renderMarkdown } from '../common/text';
import { ChangeType, humanize, TrackedField } from '../entities/ticket.enums';
import type { SnapshotValue } from '../services/ticket-diff';

/*
 * Ticket mail, built from data with plain string functions: user text is escaped into HTML and
 * never passed through a template engine, so "{{x}}" or "${x}" in a subject stays literal.
 */

export interface MailTicket {
  number: number;
  subject: string;
  body: string;
  /** GraphQL enum names, as in history entries. */
  status: string;
  type: string;
  priority: string;
  due: Date | null;
  url: string;
  /** Custom field values that are set, in field order (title and display value). */
  customFields?: { title: string; value: string }[];
}

export interface MailChange {
  type: ChangeType;
  field: TrackedField | null;
  /** CUSTOM_FIELD entries: the field's title. */
  fieldTitle?: string | null;
  /** CUSTOM_FIELD entries: the new value as people read it (choice titles); null for none. */
  newDisplay?: string | null;
  oldValue: SnapshotValue;
  newValue: SnapshotValue;
  body: string | null;
  authorName: string;
  createdAt: Date;
  /** An internal note (or an entry about one): marked as such in staff mail, never in requester mail. */
  internal?: boolean;
}

export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

export function createdMail(t: MailTicket, creatorName: string): ComposedMail {
  const facts = [`${creatorName} created ticket #${t.number}.`, '', ...details(t)];
  return compose(`Ticket #${t.number} Created: ${t.subject}`, t, facts, t.body ? { label: 'Body', markdown: t.body } : null);
}

export function updatedMail(t: MailTicket, changes: MailChange[]): ComposedMail {
  const lines: string[] = [];
  const comments: MailChange[] = [];
  let bodyChanged = false;
  for (const c of changes) {
    if (c.type === ChangeType.COMMENT) comments.push(c);
    else {
      if (c.type === ChangeType.CHANGE && c.field === TrackedField.BODY) bodyChanged = true;
      const line = describe(c);
      if (line) lines.push(line);
    }
  }
  const parts: Block[] = lines.map((l) => ({ kind: 'line', text: l }));
  for (const c of comments) parts.push({ kind: 'comment', author: c.authorName, at: c.createdAt, body: c.body ?? '', internal: c.internal });
  return compose(`Ticket #${t.number} Updated: ${t.subject}`, t, parts, bodyChanged ? { label: 'New body', markdown: t.body } : null);
}

export function closedMail(t: MailTicket, resolution: string | null): ComposedMail {
  const facts = [`Your ticket #${t.number} was closed.`, ...(resolution ? ['', 'Resolution:', resolution] : [])];
  return compose(`Ticket #${t.number} Closed: ${t.subject}`, t, facts, null);
}

/** Past its due date, or (responseDueAt given) with no response by its SLA response target. */
export function overdueMail(t: MailTicket, responseDueAt: Date | null = null): ComposedMail {
  const what = responseDueAt ? `needed a first response by ${formatTime(responseDueAt)} and has none` : `was due ${formatTime(t.due!)}`;
  const facts = [`Ticket #${t.number} ${what}; it is still ${humanize(t.status).toLowerCase()}.`, '', ...details(t)];
  return compose(`Ticket #${t.number} Is Overdue: ${t.subject}`, t, facts, null);
}

export type Block = string | { kind: 'line'; text: string } | { kind: 'comment'; author: string; at: Date; body: string; internal?: boolean };

export function details(t: MailTicket): string[] {
  return [
    `Type: ${humanize(t.type)}`,
    `Status: ${humanize(t.status)}`,
    `Priority: ${humanize(t.priority)}`,
    ...(t.due ? [`Due: ${formatTime(t.due)}`] : []),
    ...(t.customFields ?? []).map((f) => `${f.title}: ${f.value}`),
  ];
}

/** "Ada Lovelace changed status to: Closed", or null for entries mail does not report. */
function describe(c: MailChange): string | null {
  switch (c.type) {
    case ChangeType.CHANGE:
      if (c.field === TrackedField.BODY) return `${c.authorName} changed the body`;
      if (c.field === TrackedField.CUSTOM_FIELD) return `${c.authorName} changed ${c.fieldTitle ?? 'a custom field'} to: ${c.newDisplay ?? '(none)'}`;
      return `${c.authorName} changed ${fieldName(c.field!)} to: ${value(c.field!, c.newValue)}`;
    case ChangeType.FILE_ADDED:
      return `${c.authorName} attached ${String(c.newValue)}`;
    case ChangeType.FILE_REMOVED:
      return `${c.authorName} removed the file ${String(c.oldValue)}`;
    case ChangeType.COMMENT_DELETED:
      return c.internal ? `${c.authorName} deleted an internal note` : `${c.authorName} deleted a comment`;
    default:
      return null;
  }
}

function fieldName(field: TrackedField): string {
  return field === TrackedField.CC ? 'cc' : field.replace(/_/g, ' ');
}

function value(field: TrackedField, v: SnapshotValue): string {
  if (v === null || (Array.isArray(v) && v.length === 0)) return '(none)';
  if (Array.isArray(v)) return v.join(', ');
  if (field === TrackedField.STATUS || field === TrackedField.TYPE || field === TrackedField.PRIORITY) return humanize(v);
  if (field === TrackedField.DUE) return formatTime(new Date(v));
  return v;
}


export function formatTime(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function compose(subject: string, t: MailTicket, blocks: Block[], body: { label: string; markdown: string } | null): ComposedMail {
  const text: string[] = [];
  const html: string[] = [];
  for (const b of blocks) {
    if (typeof b === 'string') {
      text.push(b);
      if (b) html.push(`<p>${escapeHtml(b)}</p>`);
    } else if (b.kind === 'line') {
      text.push(`- ${b.text}`);
      html.push(`<p>&bull; ${escapeHtml(b.text)}</p>`);
    } else {
      // Internal notes are marked where staff read them, so nobody forwards one to a customer by mistake.
      const what = b.internal ? 'wrote an INTERNAL NOTE (staff only)' : 'commented';
      text.push('', `${b.author} ${what} at ${formatTime(b.at)}:`, ...b.body.split('\n').map((l) => `> ${l}`));
      html.push(`<p><strong>${escapeHtml(b.author)}</strong> ${b.internal ? '<strong>wrote an INTERNAL NOTE (staff only)</strong>' : 'commented'} at ${escapeHtml(formatTime(b.at))}:</p><blockquote>${renderMarkdown(b.body)}</blockquote>`);
    }
  }
  if (body !== null) {
    text.push('', `${body.label}:`, body.markdown);
    html.push(`<h3>${body.label}</h3>${renderMarkdown(body.markdown)}`);
  }
  text.push('', `#${t.number}: ${t.subject}`, t.url);
  html.push(`<p><a href="${escapeHtml(t.url)}">#${t.number}: ${escapeHtml(t.subject)}</a></p>`);
  return { subject, text: `${text.join('\n')}\n`, html: `<!doctype html><html><body>${html.join('\n')}</body></html>` };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
