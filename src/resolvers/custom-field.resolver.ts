import { Arg, Authorized, Ctx, Field, FieldResolver, ID, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Category } from '../entities/category.entity';
import { CustomField } from '../entities/custom-field.entity';
import { Ticket } from '../entities/ticket.entity';
import { User } from '../entities/user.entity';
import type { RequestContext } from '../graphql/context';
import { CustomFieldCreateInput, CustomFieldUpdateInput } from '../graphql/inputs/custom-field.input';
import { payload } from '../graphql/payload';
import { PayloadMutation } from '../graphql/payload-mutation.decorator';
import { CustomFieldValue } from '../graphql/types/custom-field-value.type';
import { UserError } from '../graphql/types/user-error.type';
import { CustomFieldService } from '../services/custom-field.service';
import { SERVER_ADMIN } from '../graphql/auth-checker';
import { GLOBAL_ID, SERVER_ADMIN_ONLY } from '../graphql/descriptions';
import { toGlobalId } from '../graphql/global-id';

@ObjectType({ description: 'Result of a mutation on a custom field.' })
export class CustomFieldPayload {
  @Field(() => CustomField, { nullable: true, description: 'The object after the change; null when userErrors is not empty.' })
  customField: CustomField | null;

  @Field(() => [UserError], { description: 'Why the mutation was refused; empty when it was applied. Nothing is written when this is not empty.' })
  userErrors: UserError[];
}

const customFieldPayload = (customField: CustomField | null) => ({ customField });

@Resolver(() => CustomField)
export class CustomFieldResolver {
  constructor(private readonly service: CustomFieldService) {}

  @Authorized()
  @Query(() => [CustomField], { nullable: true, description: 'Custom fields in display order (ticketMetadata lists the active ones too).' })
  customFields(
    @Ctx() ctx: RequestContext,
    @Arg('includeArchived', () => Boolean, { defaultValue: false, description: 'Archived fields too.' }) includeArchived: boolean,
  ): Promise<CustomField[]> {
    return this.service.list(ctx, includeArchived);
  }

  @Authorized(SERVER_ADMIN)
  @PayloadMutation(() => CustomFieldPayload, { description: `${SERVER_ADMIN_ONLY}. Refused: a taken or malformed key, choices on a non-choice type or none on a choice type, duplicate choices, unknown categories.` })
  async customFieldCreate(@Ctx() ctx: RequestContext, @Arg('input', { description: 'The new field.' }) input: CustomFieldCreateInput): Promise<CustomFieldPayload> {
    return payload(await this.service.create(ctx, input), customFieldPayload);
  }

  @Authorized(SERVER_ADMIN)
  @PayloadMutation(() => CustomFieldPayload, {
    description: `${SERVER_ADMIN_ONLY}. Archive with active: false. Refused (IN_USE): changing the type while tickets hold values, removing a choice tickets hold.`,
  })
  async customFieldUpdate(
    @Ctx() ctx: RequestContext,
    @Arg('key', { description: 'The key of the field to change.' }) key: string,
    @Arg('input', { description: 'Fields to change; omitted fields keep their value.' }) input: CustomFieldUpdateInput,
  ): Promise<CustomFieldPayload> {
    return payload(await this.service.update(ctx, key, input), customFieldPayload);
  }

  @Authorized(SERVER_ADMIN)
  @PayloadMutation(() => CustomFieldPayload, { description: `${SERVER_ADMIN_ONLY}. Removes a field no ticket holds a value of (IN_USE otherwise: archive it with customFieldUpdate). Answers the removed field.` })
  async customFieldDelete(@Ctx() ctx: RequestContext, @Arg('key', { description: 'The key of the field to remove.' }) key: string): Promise<CustomFieldPayload> {
    return payload(await this.service.delete(ctx, key), customFieldPayload);
  }

  @FieldResolver(() => ID, { description: GLOBAL_ID })
  id(@Root() field: CustomField): string {
    return toGlobalId('CustomField', field.id);
  }

  @FieldResolver(() => [Category], { description: 'Categories in which tickets must have a value of this field.' })
  requiredInCategories(@Ctx() ctx: RequestContext, @Root() field: CustomField): Promise<Category[]> {
    return this.service.requiredIn(ctx, field);
  }
}

@Resolver(() => Ticket)
export class TicketCustomFieldsResolver {
  constructor(private readonly service: CustomFieldService) {}

  @FieldResolver(() => [CustomFieldValue], { description: 'Custom field values that are set, in field display order (one statement for a whole list of tickets).' })
  customFields(@Ctx() ctx: RequestContext, @Root() ticket: Ticket): Promise<CustomFieldValue[]> {
    return this.service.valuesOf(ctx, ticket.id);
  }
}

@Resolver(() => CustomFieldValue)
export class CustomFieldValueResolver {
  @FieldResolver(() => User, { nullable: true, description: 'USER value.' })
  user(@Ctx() ctx: RequestContext, @Root() value: CustomFieldValue): Promise<User | null> | null {
    return value.userId == null ? null : ctx.loaders.userById.load(value.userId);
  }
}
