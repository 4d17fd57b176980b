/** A store that Runlens refuses to open, with the reason in words a user can act on. */
export class StoreOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreOpenError';
  }
}
