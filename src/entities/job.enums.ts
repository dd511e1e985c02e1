import { registerEnumType } from 'type-graphql';

export enum JobStatus {
  QUEUED = 'queued',
  RUNNING = 'running',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
  CANCELLED = 'cancelled',
}

/** Finished jobs: nothing changes them any more (a late or repeated report is ignored). */
export const FINAL_JOB_STATUSES: readonly JobStatus[] = [JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED];

export enum RunnerKind {
  /** A command run as a child process of the gateway (the embedded default). */
  LOCAL = 'local',
  /** Dispatched to an external ops system over HTTP, which reports back. */
  HTTP = 'http',
}

export enum ParamType {
  STRING = 'string',
  NUMBER = 'number',
  INTEGER = 'integer',
  BOOLEAN = 'boolean',
}

/** Where a ticket came from, when not from a person. */
export enum TicketOriginKind {
  /** One of this gateway's jobs. */
  JOB = 'job',
  /** A job run by an external ops system, described in the request. */
  EXTERNAL_JOB = 'external_job',
  /** An alert invocation of the ops graph. */
  ALERT = 'alert',
}

registerEnumType(JobStatus, { name: 'JobStatus' });
registerEnumType(RunnerKind, { name: 'RunnerKind', description: 'What executes an event.' });
registerEnumType(ParamType, { name: 'ParamType' });
registerEnumType(TicketOriginKind, { name: 'TicketOriginKind' });
