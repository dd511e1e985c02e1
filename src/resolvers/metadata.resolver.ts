import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../graphql/context';
import { TicketMetadataType } from '../graphql/types/ticket-metadata.type';
import { MetadataService, type TicketMetadata } from '../services/metadata.service';

@Resolver()
export class MetadataResolver {
  constructor(private readonly metadata: MetadataService) {}

  @Authorized()
  @Query(() => TicketMetadataType, { name: 'ticketMetadata', nullable: true, description: 'What a ticket form needs in one request: the allowed values and the workflow.' })
  ticketMetadata(@Ctx() ctx: RequestContext): Promise<TicketMetadata> {
    return this.metadata.ticketMetadata(ctx);
  }
}
