import { registerEnumType } from 'type-graphql';
import { TicketOriginKind } from './job.enums';

/**
 * The channel a ticket came in through. Coarser than a ticket's origin (originKind/originId), which
 * names the very job or alert: JOB and ALERT tickets always have one, the other sources never do.
 */
export enum TicketSource {
  /** A person: a JWT caller, or a client that says so (source: MANUAL). */
  MANUAL = 'manual',
  /** A script or integration calling with an API key. */
  API = 'api',
  /** Opened about a job (ticketCreateFromJob, or automatically when a job fails). */
  JOB = 'job',
  /** Opened about an alert invocation (ticketCreateFromAlert). */
  ALERT = 'alert',
  /** Turned into a ticket from an inbound e-mail (by a mail bridge that says so). */
  EMAIL = 'email',
}

/** Sources a ticketCreate caller may name; JOB and ALERT come only with their origin. */
export const CALLER_SOURCES: readonly TicketSource[] = [TicketSource.MANUAL, TicketSource.API, TicketSource.EMAIL];

/** The source an origin implies (the migration backfills existing rows the same way). */
export function sourceOfOrigin(kind: TicketOriginKind): TicketSource {
  return kind === TicketOriginKind.ALERT ? TicketSource.ALERT : TicketSource.JOB;
}

registerEnumType(TicketSource, {
  name: 'TicketSource',
  description: 'The channel a ticket came in through; with input.externalId it keys retries (unique per source).',
  valuesConfig: {
    MANUAL: { description: 'A person: a caller signed in with a JWT, or any caller that passes source: MANUAL.' },
    API: { description: 'A script or integration: the default for callers using an API key.' },
    JOB: { description: 'Opened about a job (ticketCreateFromJob, or a failed job with ticketOnFailure); origin names the job.' },
    ALERT: { description: 'Opened about an alert invocation (ticketCreateFromAlert); origin names the alert.' },
    EMAIL: { description: 'Made from an inbound e-mail, by a mail bridge passing source: EMAIL (the Message-ID fits externalId).' },
  },
});
