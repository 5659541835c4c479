// Which source addresses a node accepts requests from: IPv4/IPv6 addresses or prefixes ("10.0.0.0/8", "::1").
// An empty list accepts every address.
import { BlockList, isIPv4, isIPv6 } from "node:net";
import { ConfigError } from "../config/node-config.ts";

export interface AddressFilter {
  allows(address: string): boolean;
}

export function addressFilter(entries: string[] | undefined, what: string): AddressFilter {
  if (!entries || entries.length === 0) return { allows: () => true };
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split("/");
    const type = isIPv6(address) ? "ipv6" : isIPv4(address) ? "ipv4" : undefined;
    const bits = prefix === undefined ? (type === "ipv6" ? 128 : 32) : Number(prefix);
    if (!type || !Number.isInteger(bits) || bits < 0 || bits > (type === "ipv6" ? 128 : 32))
      throw new ConfigError([`${what}: "${entry}": expected an IPv4 or IPv6 address, optionally /prefix-length`]);
    list.addSubnet(address, bits, type);
  }
  return {
    allows(address: string): boolean {
      const bare = address.replace(/^\[|\]$/g, "");
      // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d.
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1];
      if (mapped) return list.check(mapped, "ipv4") || list.check(bare, "ipv6");
      return list.check(bare, isIPv6(bare) ? "ipv6" : "ipv4");
    },
  };
}
