import { Field, ID, InputType, Int } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { JobStatus } from '../../entities/job.enums';
import { TicketPriority, TicketType } from '../../entities/ticket.enums';

@InputType()
export class TicketEventRunInput {
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Values for this run, over the ticket event and the event defaults.' }) params?: Record<string, unknown> | null;
  @Field(() => [ID], { nullable: true, description: "Files of the ticket to give the job; default: all the ticket's files (earlier jobs' outputs included)." })
  inputFileIds?: string[] | null;

  @Field(() => String, { nullable: true, description: 'A retry with the same id and input within 24 h returns the first job and launches nothing.' })
  clientMutationId?: string | null;
}

@InputType()
export class JobLaunchInput {
  @Field(() => ID, { description: 'The event to run.' }) eventId: string;
  @Field(() => GraphQLJSONObject, { nullable: true, description: "Values over the event's defaults." }) params?: Record<string, unknown> | null;
  @Field(() => [ID], { nullable: true, description: "Files of the ticket to give the job; default: all the ticket's files." }) inputFileIds?: string[] | null;
}

@InputType({ description: 'What an external runner reports about a job it runs.' })
export class JobReportInput {
  @Field(() => JobStatus) status: JobStatus;
  @Field(() => Int, { nullable: true }) code?: number | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => String, { nullable: true, description: 'The output so far (replaces the stored log; kept within JOB_LOG_MAX_BYTES).' }) log?: string | null;
  @Field(() => String, { nullable: true }) server?: string | null;
  @Field(() => [GraphQLUpload], { nullable: true, description: 'Output files; they become files of the ticket.' }) files?: Promise<FileUpload>[] | null;
}

@InputType()
export class LinkInput {
  @Field() title: string;
  @Field({ description: 'http(s) URL.' }) url: string;
}

@InputType()
abstract class TicketFromOriginInput {
  @Field(() => TicketType, { nullable: true }) type?: TicketType | null;
  @Field(() => TicketPriority, { nullable: true }) priority?: TicketPriority | null;
  @Field(() => String, { nullable: true, description: 'Category key; default: the one the job or event gives.' }) category?: string | null;
  @Field(() => [String], { nullable: true, description: "Added to the job's tags; tags that do not exist are left out." }) tags?: string[] | null;
  @Field(() => [String], { nullable: true }) assignees?: string[] | null;
  @Field(() => [String], { nullable: true }) cc?: string[] | null;
  @Field(() => [String], { nullable: true }) notify?: string[] | null;
  @Field(() => [LinkInput], { nullable: true, description: 'Links listed in the body (the job or alert in the ops UI ...).' }) links?: LinkInput[] | null;
}

@InputType({ description: 'A job run by another ops system, as it describes it.' })
export class ExternalJobInput {
  @Field() id: string;
  @Field(() => Int, { nullable: true, description: '0 is success.' }) code?: number | null;
  @Field() eventTitle: string;
  @Field(() => String, { nullable: true, description: 'Category key.' }) category?: string | null;
  @Field(() => String, { nullable: true }) server?: string | null;
  @Field(() => [String], { nullable: true }) tags?: string[] | null;
  @Field(() => Date, { nullable: true }) startedAt?: Date | null;
  @Field(() => Date, { nullable: true }) completedAt?: Date | null;
  @Field(() => String, { nullable: true, description: 'The error, for a failed job.' }) description?: string | null;
  @Field(() => String, { nullable: true, description: 'Its output; the ticket shows an excerpt.' }) log?: string | null;
}

@InputType({ description: 'Exactly one of jobId (one of our jobs) and job (a job run elsewhere).' })
export class TicketCreateFromJobInput extends TicketFromOriginInput {
  @Field(() => ID, { nullable: true }) jobId?: string | null;
  @Field(() => ExternalJobInput, { nullable: true }) job?: ExternalJobInput | null;
}

@InputType()
export class ActiveJobInput {
  @Field() id: string;
  @Field() title: string;
  @Field(() => String, { nullable: true }) server?: string | null;
  @Field(() => Date, { nullable: true }) startedAt?: Date | null;
}

@InputType({ description: 'An alert invocation, as the alerting system describes it.' })
export class AlertInput {
  @Field({ description: 'The invocation id; Alert.tickets lists the tickets opened for it.' }) id: string;
  @Field() title: string;
  @Field(() => String, { nullable: true }) message?: string | null;
  @Field() server: string;
  @Field(() => String, { nullable: true, description: 'The expression that fired.' }) expression?: string | null;
  @Field(() => Date) firedAt: Date;
  @Field(() => [ActiveJobInput], { nullable: true }) activeJobs?: ActiveJobInput[] | null;
}

@InputType()
export class TicketCreateFromAlertInput extends TicketFromOriginInput {
  @Field(() => AlertInput) alert: AlertInput;
}
