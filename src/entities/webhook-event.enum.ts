import { registerEnumType } from 'type-graphql';

export enum WebhookEvent {
  TICKET_CREATED = 'ticket.created',
  /** Field changes, with previous values. */
  TICKET_UPDATED = 'ticket.updated',
  COMMENT_ADDED = 'comment.added',
  FILE_ADDED = 'file.added',
  FILE_REMOVED = 'file.removed',
}

registerEnumType(WebhookEvent, {
  name: 'WebhookEvent',
  description: 'What a webhook subscribes to; each delivery names one.',
  valuesConfig: {
    TICKET_CREATED: { description: 'A ticket was created (ticket.created).' },
    TICKET_UPDATED: { description: 'Ticket fields changed, with previous values (ticket.updated).' },
    COMMENT_ADDED: { description: 'A comment or reply was added (comment.added).' },
    FILE_ADDED: { description: 'A file was attached (file.added).' },
    FILE_REMOVED: { description: 'An attached file was removed (file.removed).' },
  },
});
