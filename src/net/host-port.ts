// How an address is written next to a port (in a URI, a label, a URL): an IPv6 literal in brackets (RFC 3986
// §3.2.2, RFC 3261 §25.1), anything else as it is. An address given with its brackets keeps them.

export function bracketHost(address: string): string {
  return address.includes(":") && !address.startsWith("[") ? `[${address}]` : address;
}

export function hostPort(address: string, port: number): string {
  return `${bracketHost(address)}:${port}`;
}
