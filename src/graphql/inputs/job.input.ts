import { Field, ID, InputType, Int } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { JobStatus } from '../../entities/job.enums';
import { TicketPriority, TicketType } from '../../entities/ticket.enums';

@InputType({ description: 'Options of one run of an event attached to a ticket.' })
export class TicketEventRunInput {
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Values for this run, over the ticket event and the event defaults.' }) params?: Record<string, unknown> | null;
  @Field(() => [ID], { nullable: true, description: "Files of the ticket to give the job; default: all the ticket's files (earlier jobs' outputs included)." })
  inputFileIds?: string[] | null;

  @Field(() => String, { nullable: true, description: 'A retry with the same id and input within 24 h returns the first job and launches nothing.' })
  clientMutationId?: string | null;
}

@InputType({ description: "A job launched from another job; it runs on the parent job's ticket." })
export class JobLaunchInput {
  @Field(() => ID, { description: 'The event to run.' }) eventId: string;
  @Field(() => GraphQLJSONObject, { nullable: true, description: "Values over the event's defaults." }) params?: Record<string, unknown> | null;
  @Field(() => [ID], { nullable: true, description: "Files of the ticket to give the job; default: all the ticket's files." }) inputFileIds?: string[] | null;
}

@InputType({ description: 'What an external runner reports about a job it runs.' })
export class JobReportInput {
  @Field(() => JobStatus, { description: 'The new status; a report on a job in a final status is ignored.' }) status: JobStatus;
  @Field(() => Int, { nullable: true, description: 'Result code; 0 is success.' }) code?: number | null;
  @Field(() => String, { nullable: true, description: 'Why it failed or was cancelled, or a progress note.' }) description?: string | null;
  @Field(() => String, { nullable: true, description: 'The output so far (replaces the stored log; kept within JOB_LOG_MAX_BYTES).' }) log?: string | null;
  @Field(() => String, { nullable: true, description: 'Where it runs.' }) server?: string | null;
  @Field(() => [GraphQLUpload], { nullable: true, description: 'Output files; they become files of the ticket.' }) files?: Promise<FileUpload>[] | null;
}

@InputType({ description: 'A link listed in the body of a ticket.' })
export class LinkInput {
  @Field({ description: 'Display text of the link.' }) title: string;
  @Field({ description: 'http(s) URL.' }) url: string;
}

@InputType()
abstract class TicketFromOriginInput {
  @Field(() => TicketType, { nullable: true, description: 'Default: ISSUE.' }) type?: TicketType | null;
  @Field(() => TicketPriority, { nullable: true, description: 'Default: NORMAL.' }) priority?: TicketPriority | null;
  @Field(() => String, { nullable: true, description: 'Category key; default: the one the job or event gives.' }) category?: string | null;
  @Field(() => [String], { nullable: true, description: "Added to the job's tags; tags that do not exist are left out." }) tags?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Usernames of the assignees.' }) assignees?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Usernames to copy on updates.' }) cc?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Extra e-mail addresses that receive updates.' }) notify?: string[] | null;
  @Field(() => [LinkInput], { nullable: true, description: 'Links listed in the body (the job or alert in the ops UI ...).' }) links?: LinkInput[] | null;
}

@InputType({ description: 'A job run by another ops system, as it describes it.' })
export class ExternalJobInput {
  @Field({ description: 'Its id in the other system.' }) id: string;
  @Field(() => Int, { nullable: true, description: '0 is success.' }) code?: number | null;
  @Field({ description: 'What it ran, for the ticket subject.' }) eventTitle: string;
  @Field(() => String, { nullable: true, description: 'Category key.' }) category?: string | null;
  @Field(() => String, { nullable: true, description: 'Where it ran.' }) server?: string | null;
  @Field(() => [String], { nullable: true, description: 'Tags of the job, added to the ticket where they exist.' }) tags?: string[] | null;
  @Field(() => Date, { nullable: true, description: 'When it started.' }) startedAt?: Date | null;
  @Field(() => Date, { nullable: true, description: 'When it finished.' }) completedAt?: Date | null;
  @Field(() => String, { nullable: true, description: 'The error, for a failed job.' }) description?: string | null;
  @Field(() => String, { nullable: true, description: 'Its output; the ticket shows an excerpt.' }) log?: string | null;
}

@InputType({ description: 'Exactly one of jobId (one of our jobs) and job (a job run elsewhere).' })
export class TicketCreateFromJobInput extends TicketFromOriginInput {
  @Field(() => ID, { nullable: true, description: 'One of our jobs: its global id or number.' }) jobId?: string | null;
  @Field(() => ExternalJobInput, { nullable: true, description: 'A job run by another ops system.' }) job?: ExternalJobInput | null;
}

@InputType({ description: 'A job running when an alert fired.' })
export class ActiveJobInput {
  @Field({ description: 'Its id in the ops system.' }) id: string;
  @Field({ description: 'What it runs.' }) title: string;
  @Field(() => String, { nullable: true, description: 'Where it runs.' }) server?: string | null;
  @Field(() => Date, { nullable: true, description: 'When it started.' }) startedAt?: Date | null;
}

@InputType({ description: 'An alert invocation, as the alerting system describes it.' })
export class AlertInput {
  @Field({ description: 'The invocation id; Alert.tickets lists the tickets opened for it.' }) id: string;
  @Field({ description: 'Alert name, for the ticket subject.' }) title: string;
  @Field(() => String, { nullable: true, description: 'The alert text.' }) message?: string | null;
  @Field({ description: 'The server the alert is about.' }) server: string;
  @Field(() => String, { nullable: true, description: 'The expression that fired.' }) expression?: string | null;
  @Field(() => Date, { description: 'When it fired.' }) firedAt: Date;
  @Field(() => [ActiveJobInput], { nullable: true, description: 'Jobs running on the server when it fired, listed in the ticket.' }) activeJobs?: ActiveJobInput[] | null;
}

@InputType({ description: 'A ticket about an alert.' })
export class TicketCreateFromAlertInput extends TicketFromOriginInput {
  @Field(() => AlertInput, { description: 'The alert that fired.' }) alert: AlertInput;
}
