import { registerEnumType } from 'type-graphql';

/**
 * Who may read a history entry. Comments are public replies (the requester reads them and is
 * mailed them) or internal notes (staff only: never in the requester's reads, mail or
 * requester-facing webhooks). Other entries are public, except the staff-only audit entries about
 * internal notes and forwards. Stored as the lower-case value.
 */
export enum CommentVisibility {
  PUBLIC = 'public',
  INTERNAL = 'internal',
}

registerEnumType(CommentVisibility, {
  name: 'CommentVisibility',
  description: 'Whether a comment is a public reply (the requester reads it and is mailed it) or an internal note (staff only).',
  valuesConfig: {
    PUBLIC: { description: 'A reply: the requester reads it and is mailed it.' },
    INTERNAL: { description: 'An internal note: only staff (edit_tickets) read it; never mailed to the requester nor sent to requester-facing webhooks.' },
  },
});
