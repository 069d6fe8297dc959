/**
 * One adapter per store and options, shared by every adapter factory: applications built per
 * request over the same store (the Workers pattern) then get the same adapter each time, and so
 * share their per-isolate state (L1, requests in flight), which is keyed by adapter.
 *
 * @module
 */

/** Returns the adapter made earlier for `store` and `optionsKey`, or makes and remembers one. */
export type AdapterMemo<Store extends object, Adapter> = (
  store: Store,
  optionsKey: string,
  create: () => Adapter,
) => Adapter;

/**
 * A memo of adapters by store (held weakly: a store that is dropped takes its adapters with it)
 * and by a string naming the options. `create` runs only on a miss; if it throws, nothing is kept.
 */
export function adapterMemo<Store extends object, Adapter>(): AdapterMemo<Store, Adapter> {
  const made = new WeakMap<Store, Map<string, Adapter>>();
  return (store, optionsKey, create) => {
    let byOptions = made.get(store);
    const known = byOptions?.get(optionsKey);
    if (known !== undefined) return known;
    const adapter = create();
    if (byOptions === undefined) made.set(store, (byOptions = new Map()));
    byOptions.set(optionsKey, adapter);
    return adapter;
  };
}
