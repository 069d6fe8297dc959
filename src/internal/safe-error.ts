/**
 * What may be repeated about an error thrown by code the library does not control (a `fetch`, a
 * body stream): its class name and its system error code (`ECONNREFUSED`), never its message or
 * its cause's, which a wrapping `fetch` may fill with the request, form body and client secret
 * included.
 *
 * @module
 */

/** A class name safe to repeat (`TypeError`, `ConnectionRefused`): short, no punctuation, so no body, secret or token. */
const safeName = /^[A-Z][A-Za-z0-9]{0,39}$/;
/** A system error code safe to repeat (`ECONNREFUSED`, `UND_ERR_SOCKET`). */
const safeCode = /^[A-Z][A-Z0-9_]{1,39}$/;

/** The class name and system code of a thrown value. */
export interface ErrorIdentity {
  /** The error's `name` (`TypeError`, `AbortError`), `Error` when it is not a short class name, or the `typeof` of a non-object. */
  readonly name: string;
  /** A string `code` of the error or of its `cause` (`ECONNREFUSED`, `UND_ERR_SOCKET`), when it has that shape. */
  readonly code: string | undefined;
}

/** Reads the name and code of `error` without reading its message. Never throws. */
export function errorIdentity(error: unknown): ErrorIdentity {
  if (typeof error !== "object" || error === null) return { name: typeof error, code: undefined };
  const name = safeProperty(error, "name", safeName) ?? "Error";
  const code =
    safeProperty(error, "code", safeCode) ??
    safeProperty(propertyOf(error, "cause"), "code", safeCode);
  return { name, code };
}

/** `TypeError` or `TypeError, ECONNREFUSED`: the identity of `error` for a message or a log line. */
export function describeThrown(error: unknown): string {
  const { name, code } = errorIdentity(error);
  return code === undefined ? name : `${name}, ${code}`;
}

/**
 * A stand-in for `error` to keep as a `cause`: an `Error` with the same name and code and no
 * message or cause of its own (`util.inspect` prints a cause, enumerable or not).
 */
export function sanitizedCause(error: unknown): Error {
  const { name, code } = errorIdentity(error);
  const copy = new Error("message withheld: it may quote the request");
  copy.name = name;
  if (code !== undefined) Object.defineProperty(copy, "code", { value: code, enumerable: true });
  copy.stack = `${name}: ${copy.message}`;
  return copy;
}

function propertyOf(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function safeProperty(value: unknown, key: string, pattern: RegExp): string | undefined {
  const property = propertyOf(value, key);
  return typeof property === "string" && pattern.test(property) ? property : undefined;
}
