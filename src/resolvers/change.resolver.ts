import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, Resolver, Root } from 'type-graphql';
import { renderMarkdown } from '../common/text';
import { CommentRevision } from '../entities/comment-revision.entity';
import { TicketChange } from '../entities/ticket-change.entity';
import { Ticket } from '../entities/ticket.entity';
import { User } from '../entities/user.entity';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { ChangePayload, CommentDeletePayload } from '../graphql/types/payloads';

@InputType()
class CommentAddInput {
  @Field(() => ID, { description: 'The ticket: global id or number.' })
  ticketId: string;

  @Field({ description: 'Markdown.' })
  body: string;

  @Field(() => String, { nullable: true, description: 'Makes retries safe: the same id with the same input within 24 h returns the first comment and writes nothing.' })
  clientMutationId?: string | null;
  @Field(() => Int, { nullable: true, description: "The ticket's version you last saw: CONFLICT (nothing written) if it has changed since." })
  expectedVersion?: number | null;
}

@InputType()
class CommentUpdateInput {
  @Field({ description: 'Markdown. The previous text is kept in revisions.' })
  body: string;

  @Field(() => Int, { nullable: true, description: "The ticket's version you last saw: CONFLICT (nothing written) if it has changed since." })
  expectedVersion?: number | null;
}

type StoredValue = string | string[] | null;
const parse = (v: string | null): StoredValue => (v === null ? null : (JSON.parse(v) as StoredValue));
const display = (v: StoredValue): string | null => (Array.isArray(v) ? v.join(', ') : v);
const listDiff = (a: StoredValue, b: StoredValue): string[] | null =>
  Array.isArray(a) || Array.isArray(b) ? (Array.isArray(b) ? b : []).filter((x) => !(Array.isArray(a) ? a : []).includes(x)) : null;

@Resolver(() => TicketChange)
export class ChangeResolver {
  @Mutation(() => ChangePayload, { description: 'Requires edit_tickets.' })
  async commentAdd(@Ctx() ctx: RequestContext, @Arg('input') input: CommentAddInput): Promise<ChangePayload> {
    const payload = await ctx.services.changes.addComment(ctx, input.ticketId, input.body, { clientMutationId: input.clientMutationId ?? null, expectedVersion: input.expectedVersion });
    return { ...payload, clientMutationId: input.clientMutationId ?? null };
  }

  @Mutation(() => ChangePayload, { description: 'Author or admin only (top-level FORBIDDEN otherwise). Keeps the previous text.' })
  commentUpdate(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: CommentUpdateInput): Promise<ChangePayload> {
    return ctx.services.changes.updateComment(ctx, id, input.body, input.expectedVersion);
  }

  @Mutation(() => CommentDeletePayload, { description: 'Author or admin only (top-level FORBIDDEN otherwise). Leaves a COMMENT_DELETED entry.' })
  commentDelete(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int, { nullable: true, description: "The ticket's version you last saw: CONFLICT (nothing deleted) if it has changed since." }) expectedVersion?: number | null,
  ): Promise<CommentDeletePayload> {
    return ctx.services.changes.deleteComment(ctx, id, expectedVersion);
  }

  @FieldResolver(() => ID)
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

  @FieldResolver(() => String, { nullable: true })
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

  @FieldResolver(() => Ticket)
  async ticket(@Root() change: TicketChange, @Ctx() ctx: RequestContext): Promise<Ticket> {
    return (await ctx.loaders.ticketById.load(change.ticketId)) as Ticket;
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
