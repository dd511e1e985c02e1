import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { TicketFile } from '../entities/ticket-file.entity';
import { User } from '../entities/user.entity';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { TicketFileDeletePayload, TicketFilesPayload } from '../graphql/types/payloads';

@Resolver(() => TicketFile)
export class FileResolver {
  @Mutation(() => TicketFilesPayload, {
    description:
      'Requires edit_tickets. GraphQL multipart request with the Apollo-Require-Preflight: true header. ' +
      'All files are stored or none; limits are userErrors FILE_TOO_LARGE, TOO_MANY_FILES, EMPTY_FILE, FILE_TYPE_NOT_ALLOWED.',
  })
  async ticketFilesUpload(
    @Ctx() ctx: RequestContext,
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('files', () => [GraphQLUpload]) files: Promise<FileUpload>[],
    @Arg('clientMutationId', () => String, {
      nullable: true,
      description: 'Makes retries safe: the same id with the same ticket and file contents within 24 h returns the first files and stores nothing.',
    })
    clientMutationId: string | null,
    @Arg('expectedVersion', () => Int, { nullable: true, description: "The ticket's version you last saw: CONFLICT (nothing stored) if it has changed since." })
    expectedVersion: number | null,
  ): Promise<TicketFilesPayload> {
    return { ...(await ctx.services.files.upload(ctx, ticketId, files, clientMutationId ?? null, expectedVersion ?? null)), clientMutationId: clientMutationId ?? null };
  }

  @Mutation(() => TicketFileDeletePayload, { description: 'Requires edit_tickets. Removes the record and the stored object.' })
  ticketFileDelete(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int, { nullable: true, description: "The ticket's version you last saw: CONFLICT (nothing removed) if it has changed since." }) expectedVersion: number | null,
  ): Promise<TicketFileDeletePayload> {
    return ctx.services.files.delete(ctx, id, expectedVersion ?? null);
  }

  @FieldResolver(() => ID)
  id(@Root() file: TicketFile): string {
    return toGlobalId('TicketFile', file.id);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Null once that user is removed.' })
  uploadedBy(@Ctx() ctx: RequestContext, @Root() file: TicketFile): Promise<User | null> | null {
    return file.uploadedById == null ? null : ctx.loaders.userById.load(file.uploadedById);
  }

  @FieldResolver(() => String, {
    description: 'Download link on this server, valid for FILE_LINK_TTL without credentials (or use it with your API key).',
  })
  url(@Ctx() ctx: RequestContext, @Root() file: TicketFile): Promise<string> {
    return ctx.services.files.url(file);
  }
}
