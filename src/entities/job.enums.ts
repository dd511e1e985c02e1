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

/** When an event's Create Ticket action fires for one of its jobs (xyOps: on start, on success, on failure). */
export enum JobTicketTrigger {
  START = 'start',
  SUCCESS = 'success',
  FAILURE = 'failure',
}

registerEnumType(JobStatus, {
  name: 'JobStatus',
  description: 'Where a job is in its run. SUCCEEDED, FAILED and CANCELLED are final.',
  valuesConfig: {
    QUEUED: { description: 'Waiting for a runner.' },
    RUNNING: { description: 'Started and not finished.' },
    SUCCEEDED: { description: 'Finished successfully.' },
    FAILED: { description: 'Finished with an error or timed out.' },
    CANCELLED: { description: 'Stopped by jobCancel before it finished.' },
  },
});
registerEnumType(RunnerKind, {
  name: 'RunnerKind',
  description: 'What executes an event.',
  valuesConfig: {
    LOCAL: { description: 'A command run as a child process of the gateway.' },
    HTTP: { description: 'Dispatched to an external ops system over HTTP, which reports back with jobReport.' },
  },
});
registerEnumType(ParamType, {
  name: 'ParamType',
  description: 'The type of an event parameter value.',
  valuesConfig: {
    STRING: { description: 'Any text.' },
    NUMBER: { description: 'A decimal number.' },
    INTEGER: { description: 'A whole number.' },
    BOOLEAN: { description: 'true or false.' },
  },
});
registerEnumType(TicketOriginKind, {
  name: 'TicketOriginKind',
  description: 'Where a ticket came from, when not from a person.',
  valuesConfig: {
    JOB: { description: "One of this gateway's jobs." },
    EXTERNAL_JOB: { description: 'A job run by an external ops system, described in the request.' },
    ALERT: { description: 'An alert of the ops graph.' },
  },
});
registerEnumType(JobTicketTrigger, {
  name: 'JobTicketTrigger',
  description: "When an event's ticket action opens a ticket about one of its jobs.",
  valuesConfig: {
    START: { description: 'When the job starts running.' },
    SUCCESS: { description: 'When the job succeeds.' },
    FAILURE: { description: 'When the job fails (an error, a timeout, an interrupted run; not a cancel).' },
  },
});
