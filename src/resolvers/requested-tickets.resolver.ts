import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { User } from '../entities/user.entity';
import { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext } from '../graphql/context';
import { TicketConnection } from '../graphql/types/connections';
import { RequestedTicketsService } from '../services/requested-tickets.service';

@Resolver(() => User)
export class UserRequestedTicketsResolver {
  constructor(private readonly requested: RequestedTicketsService) {}

  @FieldResolver(() => TicketConnection, { description: 'Visible tickets this user requested (whom they are for), newest first; batched across a list of users.' })
  async requestedTickets(@Ctx() ctx: RequestContext, @Root() user: User, @Args() args: ConnectionArgs): Promise<TicketConnection> {
    return TicketConnection.from(await this.requested.page(ctx, user.id, args));
  }
}
