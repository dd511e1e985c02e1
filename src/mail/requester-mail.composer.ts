import { compose, details, type Block, type ComposedMail, type MailTicket } from './ticket-mail.composer';

/*
 * Mail to a ticket's requester and forwards to outsiders: built only from what the requester may
 * read (public replies, the ticket's own fields, the resolution). Internal notes never reach these
 * functions: the delivery handler selects public entries before calling them.
 */

/** A public reply as the requester (or a forward's recipient) reads it. */
export interface PublicReply {
  authorName: string;
  createdAt: Date;
  body: string;
}

const HOW_TO_REPLY = 'To answer, reply to the ticket (the ticketReply mutation, or the link below).';

export function acknowledgementMail(t: MailTicket): ComposedMail {
  const facts: Block[] = [`We received your ticket #${t.number} and will get back to you.`, '', ...details(t), '', HOW_TO_REPLY];
  return compose(`Ticket #${t.number} Received: ${t.subject}`, t, facts, t.body ? { label: 'Your request', markdown: t.body } : null);
}

export function replyMail(t: MailTicket, replies: PublicReply[]): ComposedMail {
  const blocks: Block[] = [`New reply on your ticket #${t.number}.`];
  for (const r of replies) blocks.push({ kind: 'comment', author: r.authorName, at: r.createdAt, body: r.body });
  blocks.push('', HOW_TO_REPLY);
  return compose(`Ticket #${t.number} New Reply: ${t.subject}`, t, blocks, null);
}

/** The resolution and how to reopen: a reply reopens it, unless staff locked the ticket. */
export function resolvedMail(t: MailTicket, resolution: string, locked: boolean): ComposedMail {
  const reopen = locked
    ? 'This ticket is locked: a reply is recorded but does not reopen it; staff will reopen it if needed.'
    : 'If this does not solve your problem, reply to the ticket (the ticketReply mutation, or the link below) and it reopens.';
  return compose(`Ticket #${t.number} Resolved: ${t.subject}`, t, [`Your ticket #${t.number} was resolved.`, '', 'Resolution:', resolution, '', reopen], null);
}

/** A ticket forwarded by staff: the summary, the message and the public conversation (files are attachments). */
export function forwardMail(t: MailTicket, forwarderName: string, message: string | null, replies: PublicReply[], fileNames: string[]): ComposedMail {
  const blocks: Block[] = [`${forwarderName} forwarded ticket #${t.number} to you.`];
  if (message) blocks.push('', message);
  blocks.push('', ...details(t));
  if (fileNames.length) blocks.push('', `Attached: ${fileNames.join(', ')}`);
  const conversation: Block[] = replies.map((r) => ({ kind: 'comment', author: r.authorName, at: r.createdAt, body: r.body }));
  return compose(`Fwd: Ticket #${t.number}: ${t.subject}`, t, [...blocks, ...(conversation.length ? ['', 'Conversation:', ...conversation] : [])], t.body ? { label: 'Request', markdown: t.body } : null);
}
