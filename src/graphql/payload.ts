import type { Result } from '../common/result';
import { UserError } from './types/user-error.type';

/**
 * A mutation's payload from a service's Result: the shaped value with no userErrors, or the
 * shape of nothing (null objects, empty lists) with one userError per refusal. The one place where
 * refusals become userErrors.
 */
export function payload<T, P extends object>(result: Result<T>, shape: (value: T | null) => P): P & { userErrors: UserError[] } {
  if (result.ok) return { ...shape(result.value), userErrors: [] };
  return { ...shape(null), userErrors: result.refusals.map((r) => Object.assign(new UserError(), r)) };
}
