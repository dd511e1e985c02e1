import { badUserInput } from '../../common/errors';

/** The deprecation reason of a bare argument that moved into `input`. */
export const movedIntoInput = (name: string) => `Use input.${name}: every mutation takes its options inside input.`;

/**
 * The value of an option that moved from a bare argument into `input`, where old clients may still
 * send the bare (deprecated) one. Giving both with different values is a client mistake we cannot
 * settle by picking one, so it is refused with a BAD_USER_INPUT naming both.
 */
export function fromInputOrAlias<T>(name: string, inInput: T | null | undefined, bare: T | null | undefined): T | null {
  const given = (v: T | null | undefined) => v !== undefined && v !== null;
  if (given(inInput) && given(bare) && inInput !== bare) {
    throw badUserInput(`input.${name} (${String(inInput)}) and the deprecated argument ${name} (${String(bare)}) differ; give only input.${name}.`);
  }
  return given(inInput) ? (inInput as T) : given(bare) ? (bare as T) : null;
}

/** The deprecation reason of a bare ticketId argument that moved into `input`. */
export const TICKET_ID_MOVED = 'Use input.ticketId: a mutation that adds something to a ticket names the ticket in input.';

/**
 * The ticket a mutation adds something to: `input.ticketId`, or the deprecated bare `ticketId`
 * argument of older clients; neither is a BAD_USER_INPUT (the argument became optional when it was
 * deprecated, so GraphQL no longer checks it is there).
 */
export function ticketIdFromInputOrAlias(inInput: string | null | undefined, bare: string | null | undefined): string {
  const ticketId = fromInputOrAlias('ticketId', inInput, bare);
  if (ticketId === null) throw badUserInput('input.ticketId is required: the ticket, by global id, number ("42") or "#42".');
  return ticketId;
}
