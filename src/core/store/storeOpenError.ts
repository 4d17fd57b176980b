/** A store that Runlens refuses to open, with the reason in words a user can act on. */
export class StoreOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreOpenError';
  }
}

/** A store Runlens did not create, opened for writing without being asked to (storeIdentity.ts). */
export class ForeignStoreError extends StoreOpenError {
  constructor(
    readonly dbPath: string,
    readonly revision: string | undefined,
  ) {
    super(
      `${dbPath} is not a Runlens store: it was written by MLflow (schema revision ${revision ?? 'unknown'}). ` +
        'Runlens opens such a store read-only unless it is started with --read-write.',
    );
    this.name = 'ForeignStoreError';
  }
}
