import { Field, InputType } from 'type-graphql';
import { Privilege } from '../../entities/ticket.enums';

@InputType({ description: 'A new API key.' })
export class ApiKeyCreateInput {
  @Field({ description: 'What the key is for.' })
  name: string;

  @Field(() => String, { nullable: true, description: 'Owner; defaults to the caller. Only admins may name another user.' })
  username?: string | null;

  @Field(() => Date, { nullable: true, description: 'When the key stops working; default: never.' })
  expiresAt?: Date | null;

  @Field(() => [Privilege], { nullable: true, description: "Limit the key to these privileges (each must be one its user has, and within the calling key's own limit); omit for all of the user's (refused when the calling key is itself limited to privileges)." })
  privileges?: Privilege[] | null;

  @Field(() => [String], { nullable: true, description: 'Limit the key to tickets of these category keys (within the user\'s own restriction and the caller\'s); omit for all the user may see (refused when the caller is itself limited to categories narrower than that).' })
  categories?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: "true: the key sees only its user's own tickets (requested, created, assigned or cc'd on). Required (true) when the caller is itself so restricted by its key, or (admins) by its user when issuing for another user." })
  ownTicketsOnly?: boolean | null;
}
