/** Values the global setup hands to every test file (vitest `provide`/`inject`). */
export interface TestEnv {
  /** Runtime connection: a role with data rights only (no DDL), like production. */
  databaseUrl: string;
  /** Schema-owner connection, for fixtures that write the catalogue. */
  ownerDatabaseUrl: string;
  redisUrl: string;
  /** Key prefix of this run; each test app adds its own suffix. */
  keyPrefix: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testEnv: TestEnv;
  }
}
