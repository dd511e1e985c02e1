import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { Category } from '../entities/category.entity';
import { SlaPolicy, type BusinessHours } from '../entities/sla-policy.entity';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { IdArg } from '../graphql/id-args';
import { SlaPolicyInput } from '../graphql/inputs/sla-policy.input';
import { payload } from '../graphql/payload';
import { PayloadMutation } from '../graphql/payload-mutation.decorator';
import { BusinessHoursType } from '../graphql/types/business-hours.type';
import { DeletePayload, SlaPolicyPayload } from '../graphql/types/payloads';
import { SlaService } from '../services/sla.service';
import { GLOBAL_ID, SERVER_ADMIN_ONLY } from '../graphql/descriptions';
import { SERVER_ADMIN } from '../graphql/auth-checker';

const policyPayload = (policy: SlaPolicy | null) => ({ policy });
const deletedPolicy = (policy: SlaPolicy | null) => ({ deletedId: policy && toGlobalId('SlaPolicy', policy.id) });

@Resolver(() => SlaPolicy)
export class SlaPolicyResolver {
  constructor(private readonly sla: SlaService) {}

  @Authorized()
  @Query(() => [SlaPolicy], { nullable: true, description: 'Every SLA policy, by name.' })
  slaPolicies(@Ctx() ctx: RequestContext): Promise<SlaPolicy[]> {
    return this.sla.list(ctx);
  }

  @Authorized(SERVER_ADMIN)
  @PayloadMutation(() => SlaPolicyPayload, { description: `${SERVER_ADMIN_ONLY}. Applies to tickets created or re-prioritised afterwards.` })
  async slaPolicyCreate(@Ctx() ctx: RequestContext, @Arg('input', { description: 'Fields of the new SLA policy.' }) input: SlaPolicyInput): Promise<SlaPolicyPayload> {
    return payload(await this.sla.create(ctx, input), policyPayload);
  }

  @Authorized(SERVER_ADMIN)
  @PayloadMutation(() => SlaPolicyPayload, { description: `${SERVER_ADMIN_ONLY}.` })
  async slaPolicyUpdate(@Ctx() ctx: RequestContext, @IdArg('id', 'SlaPolicy') id: number | null, @Arg('input', { description: 'The new values of the SLA policy.' }) input: SlaPolicyInput): Promise<SlaPolicyPayload> {
    return payload(await this.sla.update(ctx, id, input), policyPayload);
  }

  @Authorized(SERVER_ADMIN)
  @PayloadMutation(() => DeletePayload, { description: `${SERVER_ADMIN_ONLY}. Tickets keep the targets they were given.` })
  async slaPolicyDelete(@Ctx() ctx: RequestContext, @IdArg('id', 'SlaPolicy') id: number | null): Promise<DeletePayload> {
    return payload(await this.sla.delete(ctx, id), deletedPolicy);
  }

  @FieldResolver(() => ID, { description: GLOBAL_ID })
  id(@Root() p: SlaPolicy): string {
    return toGlobalId('SlaPolicy', p.id);
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
