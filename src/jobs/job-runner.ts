import type { EventDefinition } from '../entities/event-definition.entity';
import type { Job } from '../entities/job.entity';
import type { TicketFile } from '../entities/ticket-file.entity';
import type { Ticket } from '../entities/ticket.entity';

/** Everything a runner needs to start one job. */
export interface JobLaunch {
  job: Job;
  event: EventDefinition;
  ticket: Ticket;
  inputs: TicketFile[];
}

/** How a local run ended. */
export interface LocalRunResult {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Stopped on purpose: cancelled, or the server is shutting down. */
  stopped: 'cancelled' | 'shutdown' | null;
  /** The process could not be started at all (missing program ...). */
  startError: string | null;
  log: string;
  /** Files the job left in its outputs folder: absolute path and name. */
  outputs: { path: string; filename: string }[];
  /** Called once the outputs have been stored: removes the working directory. */
  cleanup(): Promise<void>;
}

/** What runners tell the job service; its methods are idempotent per job. */
export interface JobEvents {
  started(jobId: number, info: { server: string | null; runnerInstance: string | null; processGroup?: number | null }): Promise<void>;
  finished(jobId: number, result: LocalRunResult): Promise<void>;
  /** Which of these jobs were cancelled meanwhile (possibly through another replica). */
  cancelledAmong(jobIds: number[]): Promise<number[]>;
}

/**
 * Runs a job somewhere. dispatch() is called by the outbox worker, at least once per job: it
 * must start the job or hand it over, and throw to be retried (PermanentDeliveryError: never).
 */
export interface JobRunner {
  dispatch(launch: JobLaunch): Promise<void>;
}
