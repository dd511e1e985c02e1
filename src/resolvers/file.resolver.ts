import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Resolver, Root } from 'type-graphql';
import { TicketFile } from '../entities/ticket-file.entity';
import type { Ticket } from '../entities/ticket.entity';
import { Privilege } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { decodeTicketRef, IdArg } from '../graphql/id-args';
import { payload } from '../graphql/payload';
import { PayloadMutation } from '../graphql/payload-mutation.decorator';
import { TicketFileDeletePayload, TicketFilesPayload } from '../graphql/types/payloads';
import { FileLinks } from '../services/file-links';
import { FileService, type UploadedFiles } from '../services/file.service';
import { GLOBAL_ID } from '../graphql/descriptions';
import { fromInputOrAlias, movedIntoInput, TICKET_ID_MOVED, ticketIdFromInputOrAlias } from '../graphql/args/deprecated-alias';
import { TicketFileDeleteInput, TicketFilesUploadInput } from '../graphql/inputs/mutation-options.input';

const uploaded = (value: UploadedFiles | null) => ({ files: value?.files ?? [], ticket: value?.ticket ?? null });
const deletedFile = (value: { file: TicketFile; ticket: Ticket } | null) => ({ deletedId: value && toGlobalId('TicketFile', value.file.id), ticket: value?.ticket ?? null });

@Resolver(() => TicketFile)
export class FileResolver {
  constructor(
    private readonly files: FileService,
    private readonly links: FileLinks,
  ) {}

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => TicketFilesPayload, {
    description:
      'Requires edit_tickets. GraphQL multipart request with the Apollo-Require-Preflight: true header. ' +
      'All files are stored or none; limits are userErrors FILE_TOO_LARGE, TOO_MANY_FILES, EMPTY_FILE, FILE_TYPE_NOT_ALLOWED.',
  })
  async ticketFilesUpload(
    @Ctx() ctx: RequestContext,
    @Arg('ticketId', () => ID, { nullable: true, description: 'The ticket: its global id, its number ("42") or "#42".', deprecationReason: TICKET_ID_MOVED }) bareTicketId: string | null,
    @Arg('files', () => [GraphQLUpload], { description: 'The files, as multipart upload parts (GraphQL multipart request spec).' }) files: Promise<FileUpload>[],
    @Arg('input', () => TicketFilesUploadInput, { nullable: true, description: 'Options of the upload.' }) input: TicketFilesUploadInput | null,
    @Arg('clientMutationId', () => String, {
      nullable: true,
      description: 'Makes retries safe: the same id with the same ticket and file contents within 24 h returns the first files and stores nothing.',
      deprecationReason: movedIntoInput('clientMutationId'),
    })
    bareClientMutationId: string | null,
    @Arg('expectedVersion', () => Int, {
      nullable: true,
      description: "The ticket's version you last saw: CONFLICT (nothing stored) if it has changed since.",
      deprecationReason: movedIntoInput('expectedVersion'),
    })
    bareExpectedVersion: number | null,
  ): Promise<TicketFilesPayload> {
    const clientMutationId = fromInputOrAlias('clientMutationId', input?.clientMutationId, bareClientMutationId);
    const expectedVersion = fromInputOrAlias('expectedVersion', input?.expectedVersion, bareExpectedVersion);
    const ticketId = decodeTicketRef(ticketIdFromInputOrAlias(input?.ticketId, bareTicketId)) ?? null;
    const result = await this.files.upload(ctx, ticketId, files, clientMutationId, expectedVersion);
    return { ...payload(result, uploaded), clientMutationId };
  }

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => TicketFileDeletePayload, { description: 'Requires edit_tickets. Removes the record and the stored object.' })
  async ticketFileDelete(
    @Ctx() ctx: RequestContext,
    @IdArg('id', 'TicketFile') id: number | null,
    @Arg('input', () => TicketFileDeleteInput, { nullable: true, description: 'Options of the deletion.' }) input: TicketFileDeleteInput | null,
    @Arg('expectedVersion', () => Int, {
      nullable: true,
      description: "The ticket's version you last saw: CONFLICT (nothing removed) if it has changed since.",
      deprecationReason: movedIntoInput('expectedVersion'),
    })
    expectedVersion: number | null,
  ): Promise<TicketFileDeletePayload> {
    const version = fromInputOrAlias('expectedVersion', input?.expectedVersion, expectedVersion);
    return payload(await this.files.delete(ctx, id, version), deletedFile);
  }

  @FieldResolver(() => ID, { description: GLOBAL_ID })
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
  url(@Root() file: TicketFile): Promise<string> {
    return this.links.url(file);
  }
}
