import { getMetadataStorage } from 'type-graphql';
import type { ResolverContainer } from './resolver-container';

type FieldResolve = (root: unknown, args: unknown, ctx: unknown, info: unknown) => unknown;

/**
 * type-graphql runs every @FieldResolver through one generic handler: per call it builds a
 * resolver-data object, sorts and maps the parameter metadata, converts the root to the declared
 * class and asks the container for the resolver instance. Lists pay that per row and field
 * (W2 of the benchmark: Ticket.id, Change.id and Change.author for 1,050 rows; bench/RESULTS.md,
 * issue 21). For field resolvers whose parameters are only `@Root()` and `@Ctx()` and that declare
 * no `@Authorized` or middleware, this installs a resolver that calls the same method of the same
 * instance with the same arguments. A root that is not an instance of the declared class (which
 * type-graphql would copy into one) still goes through type-graphql's resolver, so the method sees
 * what it saw before. Returns the number of fields made direct.
 */
export function directFieldResolvers(resolvers: Record<string, Record<string, unknown>>, container: ResolverContainer): number {
  const storage = getMetadataStorage();
  let count = 0;
  for (const field of storage.fieldResolvers) {
    if (field.kind !== 'external' || field.roles !== undefined || (field.middlewares?.length ?? 0) > 0) continue;
    const objectClass = field.getObjectType?.();
    const typeName = storage.objectTypes.find((o) => o.target === objectClass)?.name;
    const generic = typeName ? (resolvers[typeName]?.[field.schemaName] as FieldResolve | undefined) : undefined;
    if (!typeName || typeof generic !== 'function') continue;
    const params = [...(field.params ?? [])].sort((a, b) => a.index - b.index);
    if (!params.every((p, i) => p.index === i && (p.kind === 'root' || p.kind === 'context') && !('propertyName' in p && p.propertyName))) continue;
    const rootParam = params.find((p) => p.kind === 'root');
    const rootType = rootParam && 'getType' in rootParam && rootParam.getType ? rootParam.getType() : undefined;
    if (rootType !== undefined && typeof rootType !== 'function') continue;
    const kinds = params.map((p) => p.kind);
    const target = field.target as new (...args: unknown[]) => unknown;
    const methodName = field.methodName;
    let method: ((...args: unknown[]) => unknown) | undefined;
    let instance: unknown;
    const call = (root: unknown, ctx: unknown): unknown => {
      if (!method) {
        // The instance is built on first use: a schema built only to be printed has no services.
        instance = container.get(target);
        method = (instance as Record<string, (...args: unknown[]) => unknown>)[methodName];
      }
      if (kinds.length === 1) return method.call(instance, kinds[0] === 'root' ? root : ctx);
      if (kinds.length === 2) return method.call(instance, kinds[0] === 'root' ? root : ctx, kinds[1] === 'root' ? root : ctx);
      return method.apply(instance, kinds.map((k) => (k === 'root' ? root : ctx)));
    };
    resolvers[typeName][field.schemaName] = rootType
      ? (root: unknown, args: unknown, ctx: unknown, info: unknown) => (root instanceof rootType ? call(root, ctx) : generic(root, args, ctx, info))
      : (root: unknown, _args: unknown, ctx: unknown) => call(root, ctx);
    count++;
  }
  return count;
}

/**
 * Plain `@Field()` properties (no `@FieldResolver`, no `@Authorized`, no middleware, no arguments)
 * get type-graphql's basic resolver, which per call builds a resolver-data object and a closure
 * around `root[property]` before running an empty middleware chain: 9% of the bytes W2 of the
 * benchmark allocates (bench/RESULTS.md, issue 21). This leaves such a field to the default
 * resolver (`root[property]`, what that chain ends in), or installs `root => root[property]` when
 * the schema name differs from the property. Fields are picked as type-graphql picks them (the
 * interfaces' fields, then the type's own; a field resolver of the field's class wins); anything
 * else keeps type-graphql's resolver. Like directFieldResolvers, it assumes the schema is built without global middlewares.
 * Returns the number of fields made direct.
 */
export function directPropertyResolvers(resolvers: Record<string, Record<string, unknown>>): number {
  const storage = getMetadataStorage();
  let count = 0;
  for (const objectType of storage.objectTypes) {
    const map = resolvers[objectType.name];
    if (!map || objectType.simpleResolvers) continue;
    const interfaces = storage.interfaceTypes.filter((i) => objectType.interfaceClasses?.includes(i.target));
    const winning = new Map<string, (typeof storage.fields)[number]>();
    for (const field of [...interfaces.flatMap((i) => i.fields ?? []), ...(objectType.fields ?? [])]) winning.set(field.schemaName, field);
    for (const [schemaName, field] of winning) {
      if (typeof map[schemaName] !== 'function' || field.simple) continue;
      if (field.roles !== undefined || (field.middlewares?.length ?? 0) > 0 || (field.params?.length ?? 0) > 0) continue;
      if (storage.fieldResolvers.some((r) => r.getObjectType?.() === field.target && r.methodName === field.name)) continue;
      const property = field.name;
      // Same name: no resolver at all. graphql-js's default resolver reads the same property, and
      // graphql-jit (compiled-execution.plugin.ts) then reads it inline, without building the
      // resolve info it builds for every call of a resolver (a fifth of W2's garbage when compiled).
      if (property === schemaName) delete map[schemaName];
      else map[schemaName] = (root: Record<string, unknown>) => root[property];
      count++;
    }
  }
  return count;
}
