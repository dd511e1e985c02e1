import 'reflect-metadata';
import type { ContainerType } from 'type-graphql';

type Constructor = abstract new (...args: never[]) => unknown;

/**
 * type-graphql's container (its `container` option): builds each resolver class once, handing its
 * constructor the services it declares. They are matched by class, as TypeScript records a
 * constructor's parameter types (design:paramtypes), among the instances the composition root
 * built (services.ts), so resolvers name what they use and never reach for a service locator.
 */
export class ResolverContainer implements ContainerType {
  private readonly services = new Map<Constructor, unknown>();
  private readonly resolvers = new Map<Constructor, unknown>();

  constructor(services: Record<string, object>) {
    for (const service of Object.values(services)) this.services.set(service.constructor as Constructor, service);
  }

  get(resolverClass: new (...args: unknown[]) => unknown): unknown {
    let instance = this.resolvers.get(resolverClass);
    if (!instance) {
      const params: Constructor[] = Reflect.getMetadata('design:paramtypes', resolverClass) ?? [];
      const args = params.map((type, i) => {
        if (!this.services.has(type)) throw new Error(`${resolverClass.name}: parameter ${i} (${type?.name}) is not a service createServices builds`);
        return this.services.get(type);
      });
      instance = new resolverClass(...args);
      this.resolvers.set(resolverClass, instance);
    }
    return instance;
  }
}
