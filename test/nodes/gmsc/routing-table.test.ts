// The GMSC routing table (config gmsc.routes): first match by number prefix and/or host wins.
import { describe, expect, it } from "vitest";
import { RoutingTable } from "../../../src/nodes/gmsc/routing-table.ts";
import type { Uri } from "../../../src/sip/messages/message.ts";
import { parseUri } from "../../../src/sip/messages/uri.ts";

const uri = (text: string): Uri => {
  const r = parseUri(text);
  if (!r.ok) throw new Error(text);
  return r.uri;
};

describe("GMSC routing table", () => {
  const table = new RoutingTable([
    { prefix: "4930", target: "udp://127.0.0.1:5071" },
    { prefix: "49", host: "ims.example.net", target: "tcp://[::1]:5072" },
    { prefix: "49", target: "udp://127.0.0.1:5073" },
  ]);

  it("chooses the first route whose prefix and host match; tel: numbers and visual separators count", () => {
    expect(table.route(uri("sip:4930123@gmsc;user=phone"))?.target).toBe("udp://127.0.0.1:5071");
    expect(table.route(uri("sip:49-40-1@IMS.example.net"))?.destination).toEqual({
      transport: "TCP",
      address: "::1",
      port: 5072,
    });
    expect(table.route(uri("tel:+49401"))).toBeUndefined();
    expect(table.route(uri("tel:49.40.1"))?.target).toBe("udp://127.0.0.1:5073");
    expect(table.route(uri("sip:3312345@gmsc"))).toBeUndefined();
  });

  it("names the route whose target is not a SIP transport URL", () => {
    expect(() => new RoutingTable([{ target: "udp://127.0.0.1:5070" }, { target: "udp://h:99999" }])).toThrow(
      "gmsc.routes[1].target: udp://h:99999: expected a port in 0..65535",
    );
  });
});
