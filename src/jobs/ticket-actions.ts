import { refusal, UserErrorCode, type Refusal } from '../common/result';
import type { EventDefinition, EventTicketAction } from '../entities/event-definition.entity';
import { JobTicketTrigger } from '../entities/job.enums';
import type { Job } from '../entities/job.entity';

export const MAX_TICKET_ACTIONS = 20;
const MAX_ACTION_TAGS = 50;

/** An event's Create Ticket actions checked and cleaned (tags trimmed, deduplicated); null with the problems pushed. */
export function checkTicketActions(input: { on: JobTicketTrigger; tags?: string[] | null }[], field: string[], errors: Refusal[]): EventTicketAction[] | null {
  const before = errors.length;
  if (input.length > MAX_TICKET_ACTIONS) errors.push(refusal(field, UserErrorCode.INVALID, `At most ${MAX_TICKET_ACTIONS} ticket actions`));
  const actions: EventTicketAction[] = [];
  for (const [i, a] of input.entries()) {
    const at = [...field, String(i)];
    if (!Object.values(JobTicketTrigger).includes(a.on)) errors.push(refusal([...at, 'on'], UserErrorCode.INVALID, `on must be one of ${Object.values(JobTicketTrigger).join(', ')}`));
    const tags = [...new Set((a.tags ?? []).map((t) => t.trim()))];
    const bad = tags.findIndex((t) => !t || t.length > 100 || /\p{Cc}/u.test(t));
    if (bad >= 0) errors.push(refusal([...at, 'tags', String(bad)], UserErrorCode.INVALID, 'Each tag must be 1-100 characters without control characters'));
    else if (tags.length > MAX_ACTION_TAGS) errors.push(refusal([...at, 'tags'], UserErrorCode.INVALID, `At most ${MAX_ACTION_TAGS} tags per action`));
    actions.push({ on: a.on, tags });
  }
  return errors.length > before ? null : actions;
}

/**
 * The moments for which an event opens a ticket about this job on reaching `trigger`: an action
 * with that trigger whose tags are empty or shared with the job, or (FAILURE) the older
 * ticketOnFailure switch. Several matching actions still make one ticket per job and trigger.
 */
export function ticketWanted(event: Pick<EventDefinition, 'ticketOnFailure' | 'ticketActions'>, job: Pick<Job, 'tags'>, trigger: JobTicketTrigger): boolean {
  if (trigger === JobTicketTrigger.FAILURE && event.ticketOnFailure) return true;
  return (event.ticketActions ?? []).some((a) => a.on === trigger && (a.tags.length === 0 || a.tags.some((t) => job.tags.includes(t))));
}
