/** An error whose message is meant for the operator as-is (no stack trace needed). */
export class UserError extends Error {
  override name = 'UserError';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
