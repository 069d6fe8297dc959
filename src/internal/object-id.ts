/**
 * A stable number per object (a callback, a `CryptoKey`), so that objects can take part in
 * string keys without being held alive by them.
 *
 * @module
 */

const ids = new WeakMap<object, number>();
let nextId = 0;

/** The id of `value`, assigned on first use. */
export function objectId(value: object): number {
  let id = ids.get(value);
  if (id === undefined) {
    id = nextId++;
    ids.set(value, id);
  }
  return id;
}
