// An in-memory SipTransport for transaction tests: records what is sent, delivers what a test injects.
import type { SipMessage, SipRequest, SipResponse } from "../../src/sip/messages/message.ts";
import type {
  Destination,
  Flow,
  InboundHandler,
  Outgoing,
  SipTransport,
  TransportCounters,
  TransportErrorListener,
  TransportName,
} from "../../src/sip/transport/transport.ts";

export class FakeTransport implements SipTransport {
  readonly sent: Array<{ message: SipMessage; to: Destination | Flow; at: number }> = [];
  readonly counters: TransportCounters = {
    received: 0,
    sent: 0,
    malformedAnswered: 0,
    malformedDropped: 0,
    keepalives: 0,
    sendErrors: 0,
    overloadDropped: 0,
  };
  private handler: InboundHandler = () => {};
  constructor(private readonly reliable = false) {}
  onMessage(h: InboundHandler): void {
    this.handler = h;
  }
  async send(message: SipRequest | SipResponse, to: Destination): Promise<void> {
    this.sent.push({ message, to, at: Date.now() });
  }
  /** A transport error for every retransmittable request from now on (an unreachable next hop, say). */
  failWith: Error | undefined;
  sendRetransmittable(request: SipRequest, to: Destination, listener: TransportErrorListener): Outgoing {
    const send = () => {
      void this.send(request, to);
      const err = this.failWith;
      if (err) queueMicrotask(() => listener.transportError(err));
    };
    send();
    return { again: send };
  }
  async sendResponse(response: SipResponse, flow: Flow): Promise<void> {
    this.sent.push({ message: response, to: flow, at: Date.now() });
  }
  sentBy(): { host: string; port: number } {
    return { host: "proxy.example.net", port: 5060 };
  }
  isReliable(_t: TransportName): boolean {
    return this.reliable;
  }
  deliver(message: SipMessage, flow: Flow = udpFlow): void {
    this.handler(message, flow);
  }
  async close(): Promise<void> {}
}

export const udpFlow: Flow = {
  transport: "UDP",
  local: { address: "192.0.2.1", port: 5060 },
  remote: { address: "192.0.2.9", port: 5060 },
};
export const dest: Destination = { transport: "UDP", address: "192.0.2.20", port: 5060 };
