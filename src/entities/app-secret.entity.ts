import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Server-generated secrets shared by every replica through the database (e.g. the download-link key). */
@Entity('app_secret')
export class AppSecret {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 128 })
  value: string;
}
