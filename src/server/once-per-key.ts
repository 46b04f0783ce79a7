// A loader that runs once per key and shares the result (a failure is not kept, so the next call tries again):
// product keys, formats and signing contexts, loaded on first use by a server that sells several products.
export function oncePerKey<A, T>(keyOf: (arg: A) => string, load: (arg: A) => Promise<T>): (arg: A) => Promise<T> {
  const loaded = new Map<string, Promise<T>>();
  return (arg) => {
    const key = keyOf(arg);
    let value = loaded.get(key);
    if (!value) {
      value = load(arg);
      loaded.set(key, value);
      value.catch(() => loaded.delete(key));
    }
    return value;
  };
}
