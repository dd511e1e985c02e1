import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Category } from '../entities/category.entity';
import { SlaPolicy, type BusinessHours } from '../entities/sla-policy.entity';
import { TicketPriority } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import { UserError } from '../graphql/types/user-error.type';

@ObjectType('BusinessHours', { description: 'Working time: the SLA clock runs only then.' })
class BusinessHoursType {
  @Field({ description: 'IANA time zone, e.g. Europe/Berlin.' }) timeZone: string;
  @Field(() => [Int], { description: '1 = Monday ... 7 = Sunday.' }) days: number[];
  @Field({ description: 'HH:MM' }) start: string;
  @Field({ description: 'HH:MM' }) end: string;
}

@InputType()
class BusinessHoursInput {
  @Field() timeZone: string;
  @Field(() => [Int]) days: number[];
  @Field() start: string;
  @Field() end: string;
}

@InputType({ description: 'On create, name and both times are required; on update, omitted fields stay.' })
class SlaPolicyInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => TicketPriority, { nullable: true, description: 'Null: any priority.' }) priority?: TicketPriority | null;
  @Field(() => String, { nullable: true, description: 'Category key; null: any category.' }) category?: string | null;
  @Field(() => Int, { nullable: true }) responseMinutes?: number | null;
  @Field(() => Int, { nullable: true }) resolutionMinutes?: number | null;
  @Field(() => BusinessHoursInput, { nullable: true, description: 'Null: around the clock.' }) businessHours?: BusinessHoursInput | null;
}

@ObjectType()
class SlaPolicyPayload {
  @Field(() => SlaPolicy, { nullable: true }) policy: SlaPolicy | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

@ObjectType()
class SlaPolicyDeletePayload {
  @Field(() => ID, { nullable: true }) deletedId: string | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

@Resolver(() => SlaPolicy)
export class SlaPolicyResolver {
  @Query(() => [SlaPolicy])
  slaPolicies(@Ctx() ctx: RequestContext): Promise<SlaPolicy[]> {
    return ctx.services.sla.list(ctx);
  }

  @Mutation(() => SlaPolicyPayload, { description: 'Admin only. Applies to tickets created or re-prioritised afterwards.' })
  slaPolicyCreate(@Ctx() ctx: RequestContext, @Arg('input') input: SlaPolicyInput): Promise<SlaPolicyPayload> {
    return ctx.services.sla.create(ctx, input);
  }

  @Mutation(() => SlaPolicyPayload, { description: 'Admin only.' })
  slaPolicyUpdate(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: SlaPolicyInput): Promise<SlaPolicyPayload> {
    return ctx.services.sla.update(ctx, id, input);
  }

  @Mutation(() => SlaPolicyDeletePayload, { description: 'Admin only. Tickets keep the targets they were given.' })
  slaPolicyDelete(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<SlaPolicyDeletePayload> {
    return ctx.services.sla.delete(ctx, id);
  }

  @FieldResolver(() => ID)
  id(@Ctx() ctx: RequestContext, @Root() p: SlaPolicy): string {
    return ctx.services.sla.globalId(p);
  }

  @FieldResolver(() => Category, { nullable: true, description: 'Null: any category.' })
  category(@Ctx() ctx: RequestContext, @Root() p: SlaPolicy): Promise<Category | null> | null {
    return p.categoryId == null ? null : ctx.loaders.categoryById.load(p.categoryId);
  }

  @FieldResolver(() => BusinessHoursType, { nullable: true, description: 'Null: around the clock.' })
  businessHours(@Root() p: SlaPolicy): BusinessHours | null {
    return p.businessHours;
  }
}
