import 'reflect-metadata';
import {
  isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedScalarType, type GraphQLArgument,
  type GraphQLSchema,
} from 'graphql';
import { buildAppSchema, clientSchema } from '../../src/graphql/schema';

/** Every schema coordinate a client can see (type, field, argument, input field, enum value) that
 * has no description, so the documentation in GraphiQL and in generated clients is complete. */
function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const check = (coordinate: string, description: string | null | undefined): void => {
    if (!description?.trim()) missing.push(coordinate);
  };
  const checkArgs = (owner: string, args: readonly GraphQLArgument[]): void => {
    for (const arg of args) check(`${owner}(${arg.name}:)`, arg.description);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    check(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.description);
        checkArgs(`${type.name}.${field.name}`, field.args);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field.description);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
    }
  }
  for (const directive of schema.getDirectives()) checkArgs(`@${directive.name}`, directive.args);
  return missing.sort();
}

test('every type, field, argument and enum value of the client schema has a description', async () => {
  const missing = undescribed(clientSchema(await buildAppSchema()));
  expect(missing).toEqual([]);
});
