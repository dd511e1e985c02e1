import { registerEnumType } from 'type-graphql';

export enum WebhookEvent {
  TICKET_CREATED = 'ticket.created',
  /** Field changes, with previous values. */
  TICKET_UPDATED = 'ticket.updated',
  COMMENT_ADDED = 'comment.added',
  FILE_ADDED = 'file.added',
  FILE_REMOVED = 'file.removed',
}

registerEnumType(WebhookEvent, { name: 'WebhookEvent' });
