import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * An alert invocation of the ops graph. Another subgraph owns alerts; this one adds the tickets
 * opened for an invocation (`Alert.tickets`). `id` is the invocation id given to ticketCreateFromAlert.
 */
@ObjectType({ description: 'An alert invocation in the ops graph (owned by another subgraph); this one adds its tickets.' })
@Directive('@key(fields: "id")')
export class Alert {
  @Field(() => ID, { description: "The alert invocation's id in the ops graph." })
  id: string;
}
