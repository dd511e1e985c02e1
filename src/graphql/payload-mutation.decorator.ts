import {
  getNamedType, getNullableType, isInputObjectType, isListType, isNonNullType, isObjectType,
  type GraphQLArgument, type GraphQLInputField, type GraphQLResolveInfo,
} from 'graphql';
import { Mutation, UseMiddleware, type MiddlewareFn } from 'type-graphql';
import { AppError, ErrorCode } from '../common/errors';
import { UserErrorCode } from '../common/result';
import type { RequestContext } from './context';
import { UserError } from './types/user-error.type';

// type-graphql does not export these from its index; the last overload of Mutation carries them.
type ReturnTypeFunc = Parameters<typeof Mutation>[0];
type MutationOptions = NonNullable<Parameters<typeof Mutation>[1]>;

/**
 * Every mutation is declared with this instead of `@Mutation`: its payload is nullable, so a
 * mutation that fails (a missing privilege, an internal error) nulls itself and not its aliased
 * siblings, which may have committed; and a target that does not exist, is not visible or may not
 * be changed (the NOT_FOUND and FORBIDDEN errors services throw, src/common/errors.ts) is answered
 * as a userError of that code in the payload, naming the argument that names the target.
 *
 * Services keep throwing for those (the throw rolls their transaction back, and the CLI and
 * background work want the exception); converting them here, once, beats turning each of the
 * services' throws into a refusal. `@Authorized` runs before this middleware, so a missing
 * privilege or sign-in stays a field error: it is about the caller, not the target.
 */
export function PayloadMutation(returnType: ReturnTypeFunc, options: Omit<MutationOptions, 'nullable'> = {}): MethodDecorator {
  const mutation = Mutation(returnType, { ...options, nullable: true });
  const middleware = UseMiddleware(targetErrorsAsUserErrors);
  return (target, key, descriptor) => {
    middleware(target, key, descriptor);
    mutation(target, key, descriptor);
  };
}

const TARGET_CODES: Record<string, UserErrorCode> = { [ErrorCode.NOT_FOUND]: UserErrorCode.NOT_FOUND, [ErrorCode.FORBIDDEN]: UserErrorCode.FORBIDDEN };

const targetErrorsAsUserErrors: MiddlewareFn<RequestContext> = async ({ args, info }, next) => {
  try {
    return await next();
  } catch (err) {
    const code = err instanceof AppError ? TARGET_CODES[String(err.extensions.code)] : undefined;
    if (!code) throw err;
    const userError = Object.assign(new UserError(), { field: targetArgument(info, args), code, message: (err as AppError).message });
    return { ...emptyPayload(info), ...clientMutationId(args), userErrors: [userError] };
  }
};

const targets = new WeakMap<object, { arg: GraphQLArgument | undefined; inner: string | undefined }>();

/**
 * The argument that names the mutation's target: its first ID argument (`id`, `parentJobId`), else
 * the first ID field of its `input` (`["input", "ticketId"]`). A deprecated ID argument (the bare
 * `ticketId` that moved into input) is named only when the client gave it.
 */
function targetArgument(info: GraphQLResolveInfo, args: Record<string, unknown>): string[] | null {
  const field = info.parentType.getFields()[info.fieldName];
  if (!targets.has(field)) {
    const isId = (a: GraphQLArgument | GraphQLInputField) => !isListType(getNullableType(a.type)) && getNamedType(a.type).name === 'ID';
    const input = getNamedType(field.args.find((a) => a.name === 'input')?.type);
    const inner = input && isInputObjectType(input) ? Object.values(input.getFields()).find(isId) : undefined;
    targets.set(field, { arg: field.args.find(isId), inner: inner?.name });
  }
  const { arg, inner } = targets.get(field)!;
  if (arg && (!arg.deprecationReason || args[arg.name] != null || !inner)) return [arg.name];
  return inner ? ['input', inner] : null;
}

/** The payload's shape of nothing: null for each field, an empty list for a non-null list. */
function emptyPayload(info: GraphQLResolveInfo): Record<string, unknown> {
  const type = getNamedType(info.returnType);
  if (!isObjectType(type)) return {};
  return Object.fromEntries(
    Object.values(type.getFields()).map((f) => [f.name, isNonNullType(f.type) && isListType(f.type.ofType) ? [] : null]),
  );
}

function clientMutationId(args: Record<string, unknown>): { clientMutationId?: string | null } {
  const input = args.input as { clientMutationId?: string | null } | null | undefined;
  const id = input?.clientMutationId ?? (args.clientMutationId as string | null | undefined);
  return id === undefined ? {} : { clientMutationId: id };
}
