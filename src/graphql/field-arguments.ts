import * as values from 'graphql/execution/values';

type GetArgumentValues = typeof values.getArgumentValues;

/** What every field without arguments receives as `args`: one frozen object, never written to. */
export const NO_ARGUMENTS: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null) as Record<string, unknown>);

let installed = false;

/**
 * graphql-js 16 coerces the arguments of every field it resolves, and for a field that declares
 * none it still builds two dictionary-mode objects (the result, and a map of the argument nodes).
 * Under a list that is two objects per row and field: a fifth of all bytes allocated by W2 of the
 * benchmark (50 tickets x 20 changes; bench/RESULTS.md, issue 21), and garbage collection was the
 * largest item of its profile. Fields that declare no arguments and are given none (validation
 * refuses unknown arguments) get the one frozen NO_ARGUMENTS instead; every other field goes
 * through graphql-js's own coercion unchanged.
 *
 * execute.js calls `getArgumentValues` through the exports of execution/values.js at each call, so
 * replacing that export is enough; the module is graphql-js's public `graphql/execution` entry.
 * Idempotent; test/unit/field-arguments.test.ts checks that execution picks it up, so a graphql
 * upgrade that binds the function differently fails there instead of silently losing the saving.
 */
export function shareEmptyFieldArguments(): void {
  if (installed) return;
  installed = true;
  const coerce = values.getArgumentValues;
  const patched: GetArgumentValues = (def, node, variableValues) =>
    def.args.length === 0 && !node.arguments?.length ? (NO_ARGUMENTS as ReturnType<GetArgumentValues>) : coerce(def, node, variableValues);
  (values as { getArgumentValues: GetArgumentValues }).getArgumentValues = patched;
}
