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
