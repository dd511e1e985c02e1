import { Entity } from 'typeorm';
import { ObjectType } from 'type-graphql';
import { Node } from '../graphql/types/node.type';
import { KeyedLabel } from './keyed-label.base';

@ObjectType({ implements: Node, description: 'A ticket category. Users can be restricted to some categories.' })
@Entity('category')
export class Category extends KeyedLabel {}
