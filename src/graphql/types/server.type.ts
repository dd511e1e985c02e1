import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * A server of the ops graph. Another subgraph owns it; this one contributes `Server.tickets`.
 * `id` is the value tickets carry in their `server` field.
 */
@ObjectType({ description: 'A server in the ops graph (owned by another subgraph); this one adds its tickets.' })
@Directive('@key(fields: "id")')
export class Server {
  @Field(() => ID, { description: "The server's id in the ops graph." })
  id: string;
}
