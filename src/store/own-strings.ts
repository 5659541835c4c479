// Values cut from a parsed message are slices of its text: kept in a long-lived record, each would keep the
// whole message in memory. A JSON round trip gives the record strings of its own (flat, just their length).
export function ownStrings<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
