// A command-line mistake (bad flag value, missing argument): main.ts prints it and exits 2.
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
