import type { DataSource } from 'typeorm';
import { SEALED_COLUMN_CATALOGUE } from './sealed-columns.catalogue';

/**
 * A database column holding sealed values, and how to rebuild the `FieldContext` each value was
 * sealed with: `{ table: contextTable ?? table, column: contextColumn ?? column, rowId: <idColumn as text> }`.
 * The re-encryption job walks every registered column.
 */
export interface SealedColumn {
  /** Table holding the values. */
  table: string;
  /** Column holding the sealed text. */
  column: string;
  /** Single-column primary key; its value as text is the context's `rowId`. */
  idColumn: string;
  /** `FieldContext.table` used when sealing, if not `table`. */
  contextTable?: string;
  /** `FieldContext.column` used when sealing, if not `column` (e.g. `email` for `email_sealed`). */
  contextColumn?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Throws unless every name in `column` is a plain lowercase SQL identifier. */
export function assertSealedColumn(column: SealedColumn): void {
  for (const name of [
    column.table,
    column.column,
    column.idColumn,
    column.contextTable ?? column.table,
    column.contextColumn ?? column.column,
  ]) {
    if (!IDENTIFIER.test(name)) {
      throw new Error(`sealed column names must be lowercase SQL identifiers (got ${name})`);
    }
  }
}

/** Property name → context column, per entity class. Filled by {@link Sealed}. */
const SEALED_PROPERTIES = new Map<object, Map<string, string | undefined>>();
/** Columns of tables that have no entity, declared with {@link declareSealedColumns}. */
const DECLARED_COLUMNS: SealedColumn[] = [];

/**
 * Marks an entity property as holding a sealed value, so the re-encryption job finds it. Pass the
 * `FieldContext.column` the value is sealed with when it differs from the database column name:
 *
 * ```ts
 * @Sealed('email') @Column({ name: 'email_sealed', type: 'text' }) emailSealed!: string;
 * ```
 *
 * The entity must have a single-column primary key (the context's `rowId`), and the context's
 * table must be the entity's table.
 */
export function Sealed(contextColumn?: string): PropertyDecorator {
  return (prototype, propertyKey) => {
    if (typeof propertyKey !== 'string') throw new TypeError('@Sealed() needs a named property');
    const entity = prototype.constructor;
    const properties = SEALED_PROPERTIES.get(entity) ?? new Map<string, string | undefined>();
    properties.set(propertyKey, contextColumn);
    SEALED_PROPERTIES.set(entity, properties);
  };
}

/** Registers sealed columns of tables that have no TypeORM entity. */
export function declareSealedColumns(...columns: SealedColumn[]): void {
  for (const column of columns) assertSealedColumn(column);
  DECLARED_COLUMNS.push(...columns);
}

/**
 * Every registered sealed column: the `@Sealed()` properties of the data source's entities, the
 * catalogue of `sealed-columns.catalogue.ts`, then the declared ones, without duplicates.
 */
export function collectSealedColumns(dataSource: DataSource): SealedColumn[] {
  const found = new Map<string, SealedColumn>();
  for (const metadata of dataSource.entityMetadatas) {
    const properties = SEALED_PROPERTIES.get(metadata.target as object);
    if (!properties) continue;
    const [primary, ...more] = metadata.primaryColumns;
    if (!primary || more.length > 0) {
      throw new Error(`@Sealed() on ${metadata.tableName} needs a single-column primary key`);
    }
    for (const [property, contextColumn] of properties) {
      const column = metadata.findColumnWithPropertyName(property);
      if (!column) throw new Error(`@Sealed() on ${metadata.tableName}.${property}: not a column`);
      const sealed: SealedColumn = {
        table: metadata.tableName,
        column: column.databaseName,
        idColumn: primary.databaseName,
        ...(contextColumn ? { contextColumn } : {}),
      };
      assertSealedColumn(sealed);
      found.set(`${sealed.table}.${sealed.column}`, sealed);
    }
  }
  for (const sealed of [...SEALED_COLUMN_CATALOGUE, ...DECLARED_COLUMNS]) {
    found.set(`${sealed.table}.${sealed.column}`, sealed);
  }
  return [...found.values()];
}
