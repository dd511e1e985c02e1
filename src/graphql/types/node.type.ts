import { Field, ID, InterfaceType } from 'type-graphql';

@InterfaceType({ description: 'An object with an opaque global id, resolvable through Query.node.' })
export abstract class Node {
  @Field(() => ID, { description: 'Opaque global id, unique across all types; pass it to `node(id:)` to refetch.' })
  id: string;
}
