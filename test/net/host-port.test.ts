// The one way an address is written next to a port: labels, URIs, the admin URL, a GMSC leg's peer.
import { describe, expect, it } from "vitest";
import { bracketHost, hostPort } from "../../src/net/host-port.ts";

describe("host and port", () => {
  it("brackets an IPv6 literal once, and leaves IPv4 and names as they are", () => {
    expect(hostPort("::1", 5060)).toBe("[::1]:5060");
    expect(hostPort("2001:db8::7", 2944)).toBe("[2001:db8::7]:2944");
    expect(hostPort("127.0.0.1", 5060)).toBe("127.0.0.1:5060");
    expect(hostPort("scscf.home1.net", 5060)).toBe("scscf.home1.net:5060");
    expect(bracketHost("[::1]")).toBe("[::1]");
    expect(bracketHost("::1")).toBe("[::1]");
  });
});
