import { Entity } from 'typeorm';
import { ObjectType } from 'type-graphql';
import { Node } from '../graphql/types/node.type';
import { KeyedLabel } from './keyed-label.base';

@ObjectType({ implements: Node, description: 'A label on tickets; an admin creates it before it can be used.' })
@Entity('tag')
export class Tag extends KeyedLabel {}
