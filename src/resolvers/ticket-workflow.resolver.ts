import { Arg, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { TicketChange } from '../entities/ticket-change.entity';
import { Ticket } from '../entities/ticket.entity';
import type { RequestContext } from '../graphql/context';
import { TicketPayload } from '../graphql/types/payloads';
import { UserError } from '../graphql/types/user-error.type';

@InputType()
class TicketResolveInput {
  @Field({ description: 'What was done; Markdown.' }) resolution: string;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
}

@InputType()
class TicketCloseInput {
  @Field(() => String, { nullable: true, description: 'Added as a comment.' }) comment?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Mail the requester that the ticket was closed.' }) notifyRequester?: boolean | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
}

@InputType()
class TicketReopenInput {
  @Field({ description: 'Why; added as a comment.' }) reason: string;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
}

@InputType()
class TicketReplyInput {
  @Field({ description: 'Markdown.' }) body: string;
  @Field(() => Int, { nullable: true, description: "The ticket's version you last saw: CONFLICT (nothing written) if it has changed since." }) expectedVersion?: number | null;
}

@ObjectType()
class TicketReplyPayload {
  @Field(() => TicketChange, { nullable: true }) change: TicketChange | null;
  @Field(() => Ticket, { nullable: true, description: 'The ticket after the reply (reopened unless locked).' }) ticket: Ticket | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

/**
 * Helpdesk actions. Transitions follow the configured workflow; a refused one is a userError
 * INVALID_TRANSITION naming both states.
 */
@Resolver()
export class TicketWorkflowResolver {
  @Mutation(() => TicketPayload, { description: 'Assigns you and, from open or on hold, moves the ticket to in progress. Requires edit_tickets.' })
  ticketPickUp(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number | null): Promise<TicketPayload> {
    return ctx.services.workflow.pickUp(ctx, id, expectedVersion);
  }

  @Mutation(() => TicketPayload, { description: 'Moves to resolved and records the resolution, you and the time. Requires edit_tickets.' })
  ticketResolve(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: TicketResolveInput): Promise<TicketPayload> {
    return ctx.services.workflow.resolve(ctx, id, input);
  }

  @Mutation(() => TicketPayload, { description: 'Requires edit_tickets.' })
  ticketClose(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input', { nullable: true }) input?: TicketCloseInput): Promise<TicketPayload> {
    return ctx.services.workflow.close(ctx, id, input ?? {});
  }

  @Mutation(() => TicketPayload, { description: 'From resolved or closed back to open. Requires edit_tickets.' })
  ticketReopen(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: TicketReopenInput): Promise<TicketPayload> {
    return ctx.services.workflow.reopen(ctx, id, input);
  }

  @Mutation(() => TicketReplyPayload, { description: "The requester's comment; reopens a resolved or closed ticket unless it is locked." })
  ticketReply(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: TicketReplyInput): Promise<TicketReplyPayload> {
    return ctx.services.workflow.reply(ctx, id, input.body, input.expectedVersion ?? null);
  }

  @Mutation(() => TicketPayload, { description: 'Marks the ticket read by you at its current version.' })
  ticketMarkRead(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<TicketPayload> {
    return ctx.services.tickets.markRead(ctx, id);
  }
}
