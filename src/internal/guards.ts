/**
 * Type guards shared by the places that check values from outside: callers' arguments and
 * records read back from a shared store.
 *
 * @module
 */

/** Whether `value` is an array whose every item is a string (an empty array is one). */
export function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== "string") return false;
  return true;
}

/** Whether `value` is a promise or another thenable (what an `async` callback returns). */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
