import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { User } from '../entities/user.entity';
import { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext } from '../graphql/context';
import { TicketConnection } from '../graphql/types/connections';
import { Server } from '../graphql/types/server.type';
import { TicketQueryService } from '../services/ticket-query.service';

/** Fields this subgraph contributes to entities of the wider ops graph. */
@Resolver(() => Server)
export class ServerTicketsResolver {
  constructor(private readonly queries: TicketQueryService) {}

  @FieldResolver(() => TicketConnection, { description: 'Visible tickets about this server, newest first.' })
  async tickets(@Ctx() ctx: RequestContext, @Root() server: Server, @Args() args: ConnectionArgs): Promise<TicketConnection> {
    return TicketConnection.from(await this.queries.list(ctx, { ...args, filter: { server: { eq: server.id } } }));
  }
}

@Resolver(() => User)
export class UserTicketsResolver {
  constructor(private readonly queries: TicketQueryService) {}

  @FieldResolver(() => TicketConnection, { description: 'Visible tickets assigned to this user, newest first.' })
  async assignedTickets(@Ctx() ctx: RequestContext, @Root() user: User, @Args() args: ConnectionArgs): Promise<TicketConnection> {
    return TicketConnection.from(await this.queries.list(ctx, { ...args, filter: { assignees: { eq: user.username } } }));
  }
}
