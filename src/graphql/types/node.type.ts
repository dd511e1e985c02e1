import { Field, ID, InterfaceType } from 'type-graphql';

@InterfaceType({ description: 'An object with an opaque global id, resolvable through Query.node.' })
export abstract class Node {
  @Field(() => ID)
  id: string;
}
