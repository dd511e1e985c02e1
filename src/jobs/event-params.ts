import { refusal, UserErrorCode, type Refusal } from '../common/result';
import { ParamType } from '../entities/job.enums';
import type { EventParam } from '../entities/event-definition.entity';

export type ParamValue = string | number | boolean;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_FIELDS = 50;
const MAX_STRING = 4096;
/** Control characters other than tab, line feed and carriage return: values reach jobs as environment variables. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Checks an event's declared parameters (admin input); each problem names the field. */
export function checkParamDefinitions(fields: EventParam[], path: string[]): Refusal[] {
  const errors: Refusal[] = [];
  if (fields.length > MAX_FIELDS) errors.push(refusal(path, UserErrorCode.INVALID, `At most ${MAX_FIELDS} parameters`));
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    const at = [...path, String(i)];
    if (!NAME.test(f.name)) errors.push(refusal([...at, 'name'], UserErrorCode.INVALID, `Parameter name '${f.name}' must be letters, digits and underscores, starting with a letter or underscore`));
    else if (seen.has(f.name.toUpperCase())) errors.push(refusal([...at, 'name'], UserErrorCode.INVALID, `Parameter '${f.name}' is declared twice (names are case-insensitive)`));
    seen.add(f.name.toUpperCase());
    if (!Object.values(ParamType).includes(f.type)) errors.push(refusal([...at, 'type'], UserErrorCode.INVALID, `Parameter '${f.name}': type must be one of ${Object.values(ParamType).join(', ')}`));
    if (f.pattern != null) {
      if (f.type !== ParamType.STRING) errors.push(refusal([...at, 'pattern'], UserErrorCode.INVALID, `Parameter '${f.name}': a pattern applies to string parameters only`));
      try {
        new RegExp(f.pattern, 'u');
      } catch {
        errors.push(refusal([...at, 'pattern'], UserErrorCode.INVALID, `Parameter '${f.name}': the pattern is not a valid regular expression`));
      }
    }
    if (f.min != null && f.max != null && f.min > f.max) errors.push(refusal([...at, 'min'], UserErrorCode.INVALID, `Parameter '${f.name}': min is above max`));
    if (f.default != null) {
      const problem = valueProblem(f, f.default);
      if (problem) errors.push(refusal([...at, 'default'], UserErrorCode.INVALID, `Parameter '${f.name}': the default ${problem}`));
    }
  });
  return errors;
}

/**
 * Checks parameter values against an event's fields. `complete` also requires every required
 * parameter to have a value (after defaults) - for a ticket event and for a run; a partial set
 * (a run's overrides) is checked with complete=false and merged first by the caller.
 */
export function checkParams(fields: EventParam[], params: Record<string, unknown>, path: string[], complete: boolean): { values: Record<string, ParamValue>; errors: Refusal[] } {
  const errors: Refusal[] = [];
  const values: Record<string, ParamValue> = {};
  const byName = new Map(fields.map((f) => [f.name, f]));
  for (const name of Object.keys(params)) {
    if (!byName.has(name)) errors.push(refusal([...path, name], UserErrorCode.INVALID, `Unknown parameter '${name}'${fields.length ? ` (the event takes ${fields.map((f) => f.name).join(', ')})` : ' (the event takes none)'}`));
  }
  for (const f of fields) {
    const given = params[f.name];
    const value = given === undefined || given === null || given === '' ? (f.default ?? null) : given;
    if (value === null) {
      if (complete && f.required) errors.push(refusal([...path, f.name], UserErrorCode.BLANK, `Parameter '${f.name}' is required`));
      continue;
    }
    const coerced = coerce(f, value);
    const problem = coerced === undefined ? `must be ${article(f.type)}` : valueProblem(f, coerced);
    if (problem) errors.push(refusal([...path, f.name], UserErrorCode.INVALID, `Parameter '${f.name}' ${problem}`));
    else values[f.name] = coerced as ParamValue;
  }
  return { values, errors };
}

/** Values as given by JSON: numbers may come as numeric strings, booleans as "true"/"false". */
function coerce(f: EventParam, v: unknown): ParamValue | undefined {
  switch (f.type) {
    case ParamType.STRING:
      return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    case ParamType.NUMBER:
    case ParamType.INTEGER: {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(n) || (f.type === ParamType.INTEGER && !Number.isInteger(n))) return undefined;
      return n;
    }
    case ParamType.BOOLEAN:
      return typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined;
  }
}

function valueProblem(f: EventParam, v: unknown): string | null {
  if (f.type === ParamType.STRING) {
    if (typeof v !== 'string') return 'must be a string';
    if (v.length > MAX_STRING) return `must be at most ${MAX_STRING} characters`;
    if (f.min != null && v.length < f.min) return `must be at least ${f.min} characters`;
    if (f.max != null && v.length > f.max) return `must be at most ${f.max} characters`;
    if (f.pattern != null && !new RegExp(`^(?:${f.pattern})$`, 'u').test(v)) return `must match ${f.pattern}`;
    if (CONTROL.test(v)) return 'must not contain NUL or control characters other than tabs and line breaks';
    return null;
  }
  if (f.type === ParamType.BOOLEAN) return typeof v === 'boolean' ? null : 'must be true or false';
  if (typeof v !== 'number' || !Number.isFinite(v)) return `must be ${article(f.type)}`;
  if (f.type === ParamType.INTEGER && !Number.isInteger(v)) return 'must be an integer';
  if (f.min != null && v < f.min) return `must be at least ${f.min}`;
  if (f.max != null && v > f.max) return `must be at most ${f.max}`;
  return null;
}

function article(type: ParamType): string {
  return type === ParamType.INTEGER ? 'an integer' : type === ParamType.BOOLEAN ? 'true or false' : `a ${type}`;
}

const MAX_LIST = 50;
const ALGO = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * Targets or tags: trimmed, without blanks or repeats; null (with the problems in errors) when one
 * holds a control character, or there are too many or too long. They reach jobs as environment
 * variables and the process launcher refuses NUL.
 */
export function cleanList(values: string[], field: 'targets' | 'tags', errors: Refusal[]): string[] | null {
  const controls = values.flatMap((x, i) => (/\p{Cc}/u.test(x) ? [refusal(['input', field, String(i)], UserErrorCode.INVALID, `${field}: ${JSON.stringify(x)} contains a control character (NUL, line breaks and the like are not allowed)`)] : []));
  if (controls.length) {
    errors.push(...controls);
    return null;
  }
  const cleaned = [...new Set(values.map((x) => x.trim()).filter(Boolean))];
  if (cleaned.length <= MAX_LIST && cleaned.every((x) => x.length <= 100)) return cleaned;
  errors.push(refusal(['input', field], UserErrorCode.INVALID, `${field}: at most ${MAX_LIST} values of up to 100 characters`));
  return null;
}

export function checkAlgo(algo: string, errors: Refusal[]): boolean {
  if (ALGO.test(algo)) return true;
  errors.push(refusal(['input', 'algo'], UserErrorCode.INVALID, 'algo must be a lower-case name such as random, round_robin or first'));
  return false;
}
