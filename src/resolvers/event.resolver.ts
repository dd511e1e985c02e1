import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { EventDefinition, EventTicketAction } from '../entities/event-definition.entity';
import { TicketEvent } from '../entities/ticket-event.entity';
import { Ticket } from '../entities/ticket.entity';
import { Privilege } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { decodeId, decodeTicketRef, IdArg } from '../graphql/id-args';
import { badUserInput } from '../common/errors';
import { EventInput, TicketEventInput } from '../graphql/inputs/event.input';
import { fromInputOrAlias, movedIntoInput, TICKET_ID_MOVED, ticketIdFromInputOrAlias } from '../graphql/args/deprecated-alias';
import { TicketEventRemoveInput } from '../graphql/inputs/mutation-options.input';
import { payload } from '../graphql/payload';
import { PayloadMutation } from '../graphql/payload-mutation.decorator';
import { DeletePayload, EventPayload, TicketEventPayload } from '../graphql/types/payloads';
import { isServerAdmin } from '../services/access';
import { EventService, type CreatedEvent } from '../services/event.service';
import { TicketEventService } from '../services/ticket-event.service';
import { GLOBAL_ID, SERVER_ADMIN_ONLY } from '../graphql/descriptions';
import { SERVER_ADMIN } from '../graphql/auth-checker';

const created = (value: CreatedEvent | null) => ({ event: value?.event ?? null, secret: value?.secret ?? null });
const eventPayload = (event: EventDefinition | null) => ({ event });
const ticketEventPayload = (ticketEvent: TicketEvent | null) => ({ ticketEvent });
const deletedEvent = (event: EventDefinition | null) => ({ deletedId: event && toGlobalId('Event', event.id) });
const removedTicketEvent = (stub: TicketEvent | null) => ({ deletedId: stub && toGlobalId('TicketEvent', stub.id) });
/** The fields of a TicketEventInput, with the event's id decoded. */
const ticketEventFields = ({ ticketId: _ticket, ...input }: TicketEventInput) => ({ ...input, eventId: decodeId('Event', input.eventId) });

/** Runnable event definitions (admins manage them; everyone signed in can read them). */
@Resolver(() => EventDefinition)
export class EventResolver {
  constructor(private readonly eventService: EventService) {}

  @Authorized()
  @Query(() => [EventDefinition], { nullable: true, description: 'The runnable events, by key.' })
  events(@Ctx() ctx: RequestContext): Promise<EventDefinition[]> {
    return this.eventService.list(ctx);
  }

  @Authorized(SERVER_ADMIN)
  @PayloadMutation(() => EventPayload, { description: `${SERVER_ADMIN_ONLY}.` })
  async eventCreate(@Ctx() ctx: RequestContext, @Arg('input', { description: 'Fields of the new event definition.' }) input: EventInput): Promise<EventPayload> {
    return payload(await this.eventService.create(ctx, input), created);
  }

  @Authorized(SERVER_ADMIN)
  @PayloadMutation(() => EventPayload, { description: `${SERVER_ADMIN_ONLY}. Only the given fields change.` })
  async eventUpdate(@Ctx() ctx: RequestContext, @IdArg('id', 'Event') id: number | null, @Arg('input', { description: 'The new definition.' }) input: EventInput): Promise<EventPayload> {
    return payload(await this.eventService.update(ctx, id, input), eventPayload);
  }

  @Authorized(SERVER_ADMIN)
  @PayloadMutation(() => DeletePayload, { description: `${SERVER_ADMIN_ONLY}. Refused while jobs of the event exist: disable it instead.` })
  async eventDelete(@Ctx() ctx: RequestContext, @IdArg('id', 'Event') id: number | null): Promise<DeletePayload> {
    return payload(await this.eventService.delete(ctx, id), deletedEvent);
  }

  @FieldResolver(() => ID, { description: GLOBAL_ID })
  id(@Root() event: EventDefinition): string {
    return toGlobalId('Event', event.id);
  }

  @FieldResolver(() => [String], { nullable: true, description: `local: the program and its arguments. ${SERVER_ADMIN_ONLY} (null for others).` })
  command(@Root() event: EventDefinition, @Ctx() ctx: RequestContext): string[] | null {
    return ctx.viewer && isServerAdmin(ctx.viewer) ? event.command : null;
  }

  @FieldResolver(() => String, { nullable: true, description: `http: where jobs are dispatched. ${SERVER_ADMIN_ONLY} (null for others).` })
  url(@Root() event: EventDefinition, @Ctx() ctx: RequestContext): string | null {
    return ctx.viewer && isServerAdmin(ctx.viewer) ? event.url : null;
  }

  @FieldResolver(() => Boolean, { description: 'Whether an http event has its signing secret (never shown after creation).' })
  hasSecret(@Root() event: EventDefinition): boolean {
    return event.secret !== null;
  }

  @FieldResolver(() => [EventTicketAction], { description: 'Create Ticket actions: when a job of the event starts, succeeds or fails, a ticket about it (once per job and moment).' })
  ticketActions(@Root() event: EventDefinition): EventTicketAction[] {
    return event.ticketActions ?? [];
  }
}

/** Events on tickets: adding, changing, removing and running them. */
@Resolver(() => TicketEvent)
export class TicketEventResolver {
  constructor(private readonly ticketEvents: TicketEventService) {}

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => TicketEventPayload, { description: "Requires edit_tickets. Parameters are checked against the event's fields." })
  async ticketEventAdd(
    @Ctx() ctx: RequestContext,
    @Arg('ticketId', () => ID, { nullable: true, description: 'Ticket id or number.', deprecationReason: TICKET_ID_MOVED }) bareTicketId: string | null,
    @Arg('input', { description: 'The ticket and the event to attach.' }) input: TicketEventInput,
  ): Promise<TicketEventPayload> {
    const ticketId = decodeTicketRef(ticketIdFromInputOrAlias(input.ticketId, bareTicketId)) ?? null;
    return payload(await this.ticketEvents.add(ctx, ticketId, ticketEventFields(input)), ticketEventPayload);
  }

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => TicketEventPayload, { description: 'Requires edit_tickets. Only the given fields change; null clears an override.' })
  async ticketEventUpdate(@Ctx() ctx: RequestContext, @IdArg('id', 'TicketEvent') id: number | null, @Arg('input', { description: 'Fields to change; omitted fields keep their value.' }) input: TicketEventInput): Promise<TicketEventPayload> {
    if (input.ticketId != null) throw badUserInput('input.ticketId is for ticketEventAdd: an attached event cannot move to another ticket.');
    return payload(await this.ticketEvents.update(ctx, id, ticketEventFields(input)), ticketEventPayload);
  }

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => DeletePayload, { description: 'Requires edit_tickets. Jobs launched from it stay.' })
  async ticketEventRemove(
    @Ctx() ctx: RequestContext,
    @IdArg('id', 'TicketEvent') id: number | null,
    @Arg('input', () => TicketEventRemoveInput, { nullable: true, description: 'Options of the removal.' }) input: TicketEventRemoveInput | null,
    @Arg('expectedVersion', () => Int, {
      nullable: true,
      description: "The ticket's version you last saw: CONFLICT (nothing removed) if it has changed since.",
      deprecationReason: movedIntoInput('expectedVersion'),
    })
    expectedVersion: number | null,
  ): Promise<DeletePayload> {
    const version = fromInputOrAlias('expectedVersion', input?.expectedVersion, expectedVersion);
    return payload(await this.ticketEvents.remove(ctx, id, version), removedTicketEvent);
  }

  @FieldResolver(() => ID, { description: GLOBAL_ID })
  id(@Root() stub: TicketEvent): string {
    return toGlobalId('TicketEvent', stub.id);
  }

  @FieldResolver(() => EventDefinition, { description: 'The event definition it runs.' })
  async event(@Root() stub: TicketEvent, @Ctx() ctx: RequestContext): Promise<EventDefinition> {
    return (await ctx.loaders.eventById.load(stub.eventId)) as EventDefinition;
  }

  @FieldResolver(() => Ticket, { description: 'The ticket it is attached to.' })
  async ticket(@Root() stub: TicketEvent, @Ctx() ctx: RequestContext): Promise<Ticket> {
    return (await ctx.loaders.ticketById.load(stub.ticketId)) as Ticket;
  }
}

@Resolver(() => Ticket)
export class TicketEventsFieldResolver {
  constructor(private readonly ticketEvents: TicketEventService) {}

  @FieldResolver(() => [TicketEvent], { description: 'Runnable events on this ticket, in the order they were added.' })
  events(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<TicketEvent[]> {
    return this.ticketEvents.forTicket(ctx, ticket.id);
  }
}
