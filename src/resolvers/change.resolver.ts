import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Resolver, Root } from 'type-graphql';
import { renderMarkdown } from '../common/text';
import { CommentRevision } from '../entities/comment-revision.entity';
import { TicketChange } from '../entities/ticket-change.entity';
import { Ticket } from '../entities/ticket.entity';
import { TicketFile } from '../entities/ticket-file.entity';
import { ChangeType, Privilege } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { decodeTicketRef, IdArg } from '../graphql/id-args';
import { CommentAddInput, CommentUpdateInput } from '../graphql/inputs/comment.input';
import { fromInputOrAlias, movedIntoInput } from '../graphql/args/deprecated-alias';
import { CommentDeleteInput } from '../graphql/inputs/mutation-options.input';
import { payload } from '../graphql/payload';
import { PayloadMutation } from '../graphql/payload-mutation.decorator';
import { ChangePayload, CommentDeletePayload } from '../graphql/types/payloads';
import { ChangeService } from '../services/change.service';
import { CommentService, type DeletedComment } from '../services/comment.service';
import { GLOBAL_ID } from '../graphql/descriptions';

const changePayload = (change: TicketChange | null) => ({ change });
const deletedComment = (deleted: DeletedComment | null) => ({ deletedId: deleted && toGlobalId('Change', deleted.comment.id), change: deleted?.audit ?? null });

type StoredValue = string | string[] | null;
const parse = (v: string | null): StoredValue => (v === null ? null : (JSON.parse(v) as StoredValue));
const display = (v: StoredValue): string | null => (Array.isArray(v) ? v.join(', ') : v);
const listDiff = (a: StoredValue, b: StoredValue): string[] | null =>
  Array.isArray(a) || Array.isArray(b) ? (Array.isArray(b) ? b : []).filter((x) => !(Array.isArray(a) ? a : []).includes(x)) : null;

@Resolver(() => TicketChange)
export class ChangeResolver {
  constructor(
    private readonly comments: CommentService,
    private readonly changes: ChangeService,
  ) {}

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => ChangePayload, { description: 'Requires edit_tickets. An internal note unless visibility is PUBLIC; a public reply is mailed to the requester.' })
  async commentAdd(@Ctx() ctx: RequestContext, @Arg('input', { description: 'The ticket and the comment.' }) input: CommentAddInput): Promise<ChangePayload> {
    const added = await this.comments.add(ctx, decodeTicketRef(input.ticketId) ?? null, input.body, { clientMutationId: input.clientMutationId ?? null, expectedVersion: input.expectedVersion, visibility: input.visibility });
    return { ...payload(added, changePayload), clientMutationId: input.clientMutationId ?? null };
  }

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => ChangePayload, { description: 'Author or admin only (a FORBIDDEN userError otherwise). Keeps the previous text.' })
  async commentUpdate(@Ctx() ctx: RequestContext, @IdArg('id', 'Change') id: number | null, @Arg('input', { description: 'The new text of the comment.' }) input: CommentUpdateInput): Promise<ChangePayload> {
    return payload(await this.comments.update(ctx, id, input.body ?? null, input.expectedVersion, input.visibility), changePayload);
  }

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => CommentDeletePayload, { description: 'Author or admin only (a FORBIDDEN userError otherwise). Leaves a COMMENT_DELETED entry.' })
  async commentDelete(
    @Ctx() ctx: RequestContext,
    @IdArg('id', 'Change') id: number | null,
    @Arg('input', () => CommentDeleteInput, { nullable: true, description: 'Options of the deletion.' }) input: CommentDeleteInput | null,
    @Arg('expectedVersion', () => Int, {
      nullable: true,
      description: "The ticket's version you last saw: CONFLICT (nothing deleted) if it has changed since.",
      deprecationReason: movedIntoInput('expectedVersion'),
    })
    expectedVersion?: number | null,
  ): Promise<CommentDeletePayload> {
    const version = fromInputOrAlias('expectedVersion', input?.expectedVersion, expectedVersion);
    return payload(await this.comments.delete(ctx, id, version), deletedComment);
  }

  @FieldResolver(() => ID, { description: GLOBAL_ID })
  id(@Root() change: TicketChange): string {
    return toGlobalId('Change', change.id);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Previous value of a changed field (lists comma-separated; none for body). For COMMENT_DELETED: the comment author.' })
  oldValue(@Root() change: TicketChange): string | null {
    return display(parse(change.oldValue));
  }

  @FieldResolver(() => String, { nullable: true, description: 'New value of a changed field (lists comma-separated; none for body).' })
  newValue(@Root() change: TicketChange): string | null {
    return display(parse(change.newValue));
  }

  @FieldResolver(() => [String], { nullable: true, description: 'For list fields: the values added.' })
  added(@Root() change: TicketChange): string[] | null {
    return listDiff(parse(change.oldValue), parse(change.newValue));
  }

  @FieldResolver(() => [String], { nullable: true, description: 'For list fields: the values removed.' })
  removed(@Root() change: TicketChange): string[] | null {
    return listDiff(parse(change.newValue), parse(change.oldValue));
  }

  @FieldResolver(() => String, { nullable: true, description: 'The comment rendered to sanitized HTML, safe to display; null when the entry has no text.' })
  bodyHtml(@Root() change: TicketChange): string | null {
    return change.body === null ? null : renderMarkdown(change.body);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who made the change; null for system entries or removed users.' })
  author(@Root() change: TicketChange, @Ctx() ctx: RequestContext): Promise<User | null> | User | null {
    if (change.authorId === null) return null;
    return ctx.loaders.knownUser(change.authorId) ?? ctx.loaders.userById.load(change.authorId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who last edited a comment.' })
  editedBy(@Root() change: TicketChange, @Ctx() ctx: RequestContext): Promise<User | null> | null {
    return change.editedById == null ? null : ctx.loaders.userById.load(change.editedById);
  }

  @FieldResolver(() => Ticket, { description: 'The ticket this entry belongs to.' })
  async ticket(@Root() change: TicketChange, @Ctx() ctx: RequestContext): Promise<Ticket> {
    return (await ctx.loaders.ticketById.load(change.ticketId)) as Ticket;
  }

  @FieldResolver(() => [TicketFile], { description: 'Files that came with this comment (a requester\'s reply with files); live ones only.' })
  async files(@Root() change: TicketChange, @Ctx() ctx: RequestContext): Promise<TicketFile[]> {
    if (change.type !== ChangeType.COMMENT) return [];
    return (await ctx.loaders.ticketFiles.load(change.ticketId)).filter((f) => f.changeId === change.id);
  }

  @FieldResolver(() => TicketChange, { nullable: true, description: 'For COMMENT_VISIBILITY entries: the comment made public or internal; null once it is deleted (and for entries recorded before this was kept).' })
  comment(@Root() change: TicketChange, @Ctx() ctx: RequestContext): Promise<TicketChange | null> {
    return this.changes.commentOf(ctx, change);
  }

  @FieldResolver(() => [CommentRevision], { description: 'Earlier texts of an edited comment, oldest first.' })
  revisions(@Root() change: TicketChange, @Ctx() ctx: RequestContext): Promise<CommentRevision[]> | CommentRevision[] {
    return change.editedAt === null ? [] : ctx.loaders.commentRevisions.load(change.id);
  }
}

@Resolver(() => CommentRevision)
export class CommentRevisionResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Who wrote this text.' })
  author(@Root() revision: CommentRevision, @Ctx() ctx: RequestContext): Promise<User | null> | null {
    return revision.authorId == null ? null : ctx.loaders.userById.load(revision.authorId);
  }
}
