import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { EventDefinition } from '../entities/event-definition.entity';
import { TicketEvent } from '../entities/ticket-event.entity';
import { Ticket } from '../entities/ticket.entity';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { EventInput, TicketEventInput } from '../graphql/inputs/event.input';
import { DeletePayload, EventPayload, TicketEventPayload } from '../graphql/types/payloads';
import { isAdmin } from '../services/access';

/** Runnable event definitions (admins manage them; everyone signed in can read them). */
@Resolver(() => EventDefinition)
export class EventResolver {
  @Query(() => [EventDefinition], { description: 'The runnable events, by key.' })
  events(@Ctx() ctx: RequestContext): Promise<EventDefinition[]> {
    return ctx.services.events.list(ctx);
  }

  @Mutation(() => EventPayload, { description: 'Admin only.' })
  eventCreate(@Ctx() ctx: RequestContext, @Arg('input') input: EventInput): Promise<EventPayload> {
    return ctx.services.events.create(ctx, input);
  }

  @Mutation(() => EventPayload, { description: 'Admin only. Only the given fields change.' })
  eventUpdate(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: EventInput): Promise<EventPayload> {
    return ctx.services.events.update(ctx, id, input);
  }

  @Mutation(() => DeletePayload, { description: 'Admin only. Refused while jobs of the event exist: disable it instead.' })
  eventDelete(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<DeletePayload> {
    return ctx.services.events.delete(ctx, id);
  }

  @FieldResolver(() => ID)
  id(@Root() event: EventDefinition): string {
    return toGlobalId('Event', event.id);
  }

  @FieldResolver(() => [String], { nullable: true, description: 'local: the program and its arguments. Admins only (null for others).' })
  command(@Root() event: EventDefinition, @Ctx() ctx: RequestContext): string[] | null {
    return ctx.viewer && isAdmin(ctx.viewer) ? event.command : null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'http: where jobs are dispatched. Admins only (null for others).' })
  url(@Root() event: EventDefinition, @Ctx() ctx: RequestContext): string | null {
    return ctx.viewer && isAdmin(ctx.viewer) ? event.url : null;
  }

  @FieldResolver(() => Boolean, { description: 'Whether an http event has its signing secret (never shown after creation).' })
  hasSecret(@Root() event: EventDefinition): boolean {
    return event.secret !== null;
  }
}

/** Events on tickets: adding, changing, removing and running them. */
@Resolver(() => TicketEvent)
export class TicketEventResolver {
  @Mutation(() => TicketEventPayload, { description: "Requires edit_tickets. Parameters are checked against the event's fields." })
  ticketEventAdd(@Ctx() ctx: RequestContext, @Arg('ticketId', () => ID, { description: 'Ticket id or number.' }) ticketId: string, @Arg('input') input: TicketEventInput): Promise<TicketEventPayload> {
    return ctx.services.events.addToTicket(ctx, ticketId, input);
  }

  @Mutation(() => TicketEventPayload, { description: 'Requires edit_tickets. Only the given fields change; null clears an override.' })
  ticketEventUpdate(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: TicketEventInput): Promise<TicketEventPayload> {
    return ctx.services.events.updateOnTicket(ctx, id, input);
  }

  @Mutation(() => DeletePayload, { description: 'Requires edit_tickets. Jobs launched from it stay.' })
  ticketEventRemove(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int, { nullable: true, description: "The ticket's version you last saw: CONFLICT (nothing removed) if it has changed since." }) expectedVersion: number | null,
  ): Promise<DeletePayload> {
    return ctx.services.events.removeFromTicket(ctx, id, expectedVersion ?? null);
  }

  @FieldResolver(() => ID)
  id(@Root() stub: TicketEvent): string {
    return toGlobalId('TicketEvent', stub.id);
  }

  @FieldResolver(() => EventDefinition)
  async event(@Root() stub: TicketEvent, @Ctx() ctx: RequestContext): Promise<EventDefinition> {
    return (await ctx.loaders.eventById.load(stub.eventId)) as EventDefinition;
  }

  @FieldResolver(() => Ticket)
  async ticket(@Root() stub: TicketEvent, @Ctx() ctx: RequestContext): Promise<Ticket> {
    return (await ctx.loaders.ticketById.load(stub.ticketId)) as Ticket;
  }
}

@Resolver(() => Ticket)
export class TicketEventsFieldResolver {
  @FieldResolver(() => [TicketEvent], { description: 'Runnable events on this ticket, in the order they were added.' })
  events(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<TicketEvent[]> {
    return ctx.loaders.ticketEvents.load(ticket.id);
  }
}
