import { Field, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { TicketOriginKind } from '../../entities/job.enums';
import type { Ticket } from '../../entities/ticket.entity';
import { Node } from './node.type';

/**
 * A ticket's origin is a value of that ticket (its details are what the job or alert said when the
 * ticket was opened), so its global id is derived from the ticket's row id: one origin per ticket.
 * The job number, external id or alert id is `sourceId`, not `id`: those are unique only within
 * their kind, and client caches (Relay by id, Apollo by type and id) merged origins that shared one.
 */
@ObjectType({ implements: Node, description: 'Where a ticket came from, when a job or an alert opened it.' })
export class TicketOrigin {
  /** The ticket's row id (the origin's global id is derived from it). */
  ticketId: number;
  @Field(() => TicketOriginKind, { description: 'What opened the ticket.' }) kind: TicketOriginKind;
  @Field({
    description:
      'The job number (JOB), the external job id (EXTERNAL_JOB) or the alert invocation id (ALERT): unique only within its kind, so it is not the id.',
  })
  sourceId: string;
  @Field(() => GraphQLJSONObject, { description: 'What the origin said about itself (event, server, times ...).' }) details: Record<string, unknown>;
}

/** The origin of a ticket, or null when a person or script opened it. */
export function ticketOrigin(ticket: Ticket): TicketOrigin | null {
  if (!ticket.originKind || ticket.originId === null) return null;
  return Object.assign(new TicketOrigin(), { ticketId: ticket.id, kind: ticket.originKind, sourceId: ticket.originId, details: ticket.originData ?? {} });
}
