import { Arg, Authorized, Ctx, Int, Resolver } from 'type-graphql';
import type { Ticket } from '../entities/ticket.entity';
import { Privilege } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import type { TicketRef } from '../graphql/global-id';
import { EXPECTED_VERSION } from '../graphql/descriptions';
import { fromInputOrAlias, movedIntoInput } from '../graphql/args/deprecated-alias';
import { TicketPickUpInput } from '../graphql/inputs/mutation-options.input';
import { decodeId, TicketArg } from '../graphql/id-args';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { TicketCloseInput, TicketForwardInput, TicketReopenInput, TicketReplyInput, TicketResolveInput } from '../graphql/inputs/ticket-workflow.input';
import { TicketForwardService, type Forwarded } from '../services/ticket-forward.service';
import { payload } from '../graphql/payload';
import { PayloadMutation } from '../graphql/payload-mutation.decorator';
import { TicketForwardPayload, TicketPayload, TicketReplyPayload } from '../graphql/types/payloads';
import { TicketFinder } from '../services/ticket-finder';
import { TicketQueryService } from '../services/ticket-query.service';
import { TicketWorkflowService, type Reply } from '../services/ticket-workflow.service';

const ticketPayload = (ticket: Ticket | null) => ({ ticket });
const replyPayload = (reply: Reply | null) => ({ change: reply?.change ?? null, files: reply?.files ?? [], ticket: reply?.ticket ?? null });
const forwardPayload = (fwd: Forwarded | null) => ({ change: fwd?.change ?? null, ticket: fwd?.ticket ?? null });

/**
 * Helpdesk actions. Transitions follow the configured workflow; a refused one is a userError
 * INVALID_TRANSITION naming both states.
 */
@Resolver()
export class TicketWorkflowResolver {
  constructor(
    private readonly workflow: TicketWorkflowService,
    private readonly finder: TicketFinder,
    private readonly queries: TicketQueryService,
    private readonly forwards: TicketForwardService,
  ) {}

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => TicketPayload, { description: 'Assigns you and, from open or on hold, moves the ticket to in progress. Requires edit_tickets.' })
  async ticketPickUp(
    @Ctx() ctx: RequestContext,
    @TicketArg('id') id: TicketRef | null,
    @Arg('input', () => TicketPickUpInput, { nullable: true, description: 'Options of the pick-up.' }) input: TicketPickUpInput | null,
    @Arg('expectedVersion', () => Int, { nullable: true, description: EXPECTED_VERSION, deprecationReason: movedIntoInput('expectedVersion') }) expectedVersion?: number | null,
  ): Promise<TicketPayload> {
    const version = fromInputOrAlias('expectedVersion', input?.expectedVersion, expectedVersion);
    return payload(await this.workflow.pickUp(ctx, id, version), ticketPayload);
  }

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => TicketPayload, { description: 'Moves to resolved and records the resolution, you and the time. Requires edit_tickets.' })
  async ticketResolve(@Ctx() ctx: RequestContext, @TicketArg('id') id: TicketRef | null, @Arg('input', { description: 'How the ticket was resolved.' }) input: TicketResolveInput): Promise<TicketPayload> {
    return payload(await this.workflow.resolve(ctx, id, input), ticketPayload);
  }

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => TicketPayload, { description: 'Requires edit_tickets.' })
  async ticketClose(@Ctx() ctx: RequestContext, @TicketArg('id') id: TicketRef | null, @Arg('input', { nullable: true, description: 'An optional closing comment and mail to the requester.' }) input?: TicketCloseInput): Promise<TicketPayload> {
    return payload(await this.workflow.close(ctx, id, input ?? {}), ticketPayload);
  }

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => TicketPayload, { description: 'From resolved or closed back to open. Requires edit_tickets.' })
  async ticketReopen(@Ctx() ctx: RequestContext, @TicketArg('id') id: TicketRef | null, @Arg('input', { description: 'Why the ticket is reopened.' }) input: TicketReopenInput): Promise<TicketPayload> {
    return payload(await this.workflow.reopen(ctx, id, input), ticketPayload);
  }

  @Authorized()
  @PayloadMutation(() => TicketReplyPayload, {
    description:
      "The requester's comment, always public, with optional files (multipart, the limits and checks of ticketFilesUpload) linked to it; reopens a resolved or closed ticket unless it is locked.",
  })
  async ticketReply(
    @Ctx() ctx: RequestContext,
    @TicketArg('id') id: TicketRef | null,
    @Arg('input', { description: 'The reply.' }) input: TicketReplyInput,
    @Arg('files', () => [GraphQLUpload], { nullable: true, description: 'Files sent with the reply, as multipart upload parts (GraphQL multipart request spec).' }) files?: Promise<FileUpload>[] | null,
  ): Promise<TicketReplyPayload> {
    return payload(await this.workflow.reply(ctx, id, input.body, input.expectedVersion ?? null, files ?? []), replyPayload);
  }

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => TicketForwardPayload, {
    description:
      'Mails the ticket (summary, public conversation, chosen files as attachments) to addresses through the outbox, and records who forwarded to whom in the history (a staff-only FORWARDED entry). Internal notes are never forwarded. Requires edit_tickets.',
  })
  async ticketForward(@Ctx() ctx: RequestContext, @TicketArg('id') id: TicketRef | null, @Arg('input', { description: 'Recipients, message and files.' }) input: TicketForwardInput): Promise<TicketForwardPayload> {
    const fileIds = (input.fileIds ?? []).map((f) => decodeId('TicketFile', f) ?? null);
    return payload(await this.forwards.forward(ctx, id, { to: input.to, cc: input.cc, message: input.message, fileIds }), forwardPayload);
  }

  @Authorized()
  @PayloadMutation(() => TicketPayload, { description: 'Marks the ticket read by you at its current version.' })
  async ticketMarkRead(@Ctx() ctx: RequestContext, @TicketArg('id') id: TicketRef | null): Promise<TicketPayload> {
    const ticket = await this.finder.require(ctx, id);
    return { ticket: await this.queries.markRead(ctx, ticket), userErrors: [] };
  }
}
