import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('BusinessHours', { description: 'Working time: the SLA clock runs only then.' })
export class BusinessHoursType {
  @Field({ description: 'IANA time zone, e.g. Europe/Berlin.' }) timeZone: string;
  @Field(() => [Int], { description: '1 = Monday ... 7 = Sunday.' }) days: number[];
  @Field({ description: 'HH:MM' }) start: string;
  @Field({ description: 'HH:MM' }) end: string;
}
