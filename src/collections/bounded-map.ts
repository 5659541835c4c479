// A Map kept in the order its entries were last set, at most `limit` of them: setting a key moves it to the end,
// and past the limit the entry set longest ago goes.

export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  if (!map.delete(key) && map.size >= limit) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}
