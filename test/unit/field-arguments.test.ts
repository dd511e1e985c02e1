import { execute, GraphQLInt, GraphQLList, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { NO_ARGUMENTS, shareEmptyFieldArguments } from '../../src/graphql/field-arguments';

/** What each resolver was given as args, by field. */
function schemaRecordingArgs(seen: Map<string, unknown[]>): GraphQLSchema {
  const record = (field: string) => (source: Record<string, unknown>, args: unknown) => {
    seen.set(field, [...(seen.get(field) ?? []), args]);
    return source[field];
  };
  const Row = new GraphQLObjectType({
    name: 'Row',
    fields: {
      name: { type: GraphQLString, resolve: record('name') },
      label: { type: GraphQLString, args: { upper: { type: GraphQLInt, defaultValue: 0 } }, resolve: (s: { name: string }, args: { upper: number }) => { seen.set('label', [...(seen.get('label') ?? []), args]); return args.upper ? s.name.toUpperCase() : s.name; } },
    },
  });
  return new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        rows: { type: new GraphQLList(Row), args: { first: { type: GraphQLInt } }, resolve: (_s, args: { first?: number }) => [{ name: 'a' }, { name: 'b' }, { name: 'c' }].slice(0, args.first ?? 3) },
      },
    }),
  });
}

describe('shared arguments of fields without arguments', () => {
  beforeAll(() => shareEmptyFieldArguments());

  it('gives every resolver of an argument-less field the one frozen object, through graphql-js execute', async () => {
    const seen = new Map<string, unknown[]>();
    const result = await execute({ schema: schemaRecordingArgs(seen), document: parse('{ rows(first: 2) { name } }') });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ rows: [{ name: 'a' }, { name: 'b' }] });
    expect(seen.get('name')).toHaveLength(2);
    for (const args of seen.get('name')!) expect(args).toBe(NO_ARGUMENTS);
    expect(Object.isFrozen(NO_ARGUMENTS)).toBe(true);
    expect(Object.keys(NO_ARGUMENTS)).toEqual([]);
  });

  it('still coerces declared arguments: given ones, variables and defaults', async () => {
    const seen = new Map<string, unknown[]>();
    const schema = schemaRecordingArgs(seen);
    const result = await execute({ schema, document: parse('query($n: Int) { rows(first: $n) { label plain: label(upper: 1) } }'), variableValues: { n: 1 } });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ rows: [{ label: 'a', plain: 'A' }] });
    expect(seen.get('label')).toEqual([{ upper: 0 }, { upper: 1 }]);
    for (const args of seen.get('label')!) expect(args).not.toBe(NO_ARGUMENTS);
  });

  it('is idempotent', async () => {
    shareEmptyFieldArguments();
    const seen = new Map<string, unknown[]>();
    await execute({ schema: schemaRecordingArgs(seen), document: parse('{ rows { name } }') });
    expect(seen.get('name')).toEqual([NO_ARGUMENTS, NO_ARGUMENTS, NO_ARGUMENTS]);
  });
});
