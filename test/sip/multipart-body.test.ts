// SIP-I bodies (RFC 2046 multipart/mixed with SDP and application/isup): the SDP found and replaced, every other
// octet kept (binary ISUP with NUL, CR and LF included); malformed bodies named.
import { describe, expect, it } from "vitest";
import { BodyError, multipartParts, sdpOf, withSdp } from "../../src/sip/messages/multipart-body.ts";
import { mediaAddressOf, withMediaAddress } from "../../src/sip/messages/sdp-media.ts";

const isup = Buffer.from([0x01, 0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0xff]);
const ct = 'multipart/mixed; boundary="b-1"';
const sdp = "v=0\r\nc=IN IP4 192.0.2.10\r\nm=audio 6000 RTP/AVP 0\r\n";
const body = Buffer.concat([
  Buffer.from(`preamble\r\n--b-1\r\nContent-Type: application/sdp\r\n\r\n${sdp}\r\n--b-1\r\n`),
  Buffer.from(
    "Content-Type: application/isup;version=itu-t92+\r\nContent-Disposition: signal;handling=required\r\n\r\n",
  ),
  isup,
  Buffer.from("\r\n--b-1--\r\n"),
]);

describe("SIP-I multipart bodies", () => {
  it("finds each part, the SDP and the ISUP octets", () => {
    const parts = multipartParts(ct, body);
    expect(parts.map((p) => p.contentType)).toEqual(["application/sdp", "application/isup;version=itu-t92+"]);
    expect(Buffer.from(body.subarray(parts[1].start, parts[1].end))).toEqual(isup);
    expect(sdpOf(ct, body)).toBe(sdp);
    expect(sdpOf("application/sdp", Buffer.from(sdp))).toBe(sdp);
    expect(sdpOf("application/isup", isup)).toBeUndefined();
  });

  it("replaces only the SDP: the bytes before and after it are the same", () => {
    const next = "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 40002 RTP/AVP 0\r\n";
    const out = Buffer.from(withSdp(ct, body, next));
    const at = body.indexOf(sdp);
    expect(out.subarray(0, at)).toEqual(body.subarray(0, at));
    expect(out.subarray(at + next.length)).toEqual(body.subarray(at + sdp.length));
    expect(sdpOf(ct, out)).toBe(next);
    expect(Buffer.from(withSdp("application/isup", isup, next))).toEqual(isup);
  });

  it("names what is missing in a malformed body", () => {
    expect(() => multipartParts("multipart/mixed", body)).toThrow(BodyError);
    expect(() => multipartParts("multipart/mixed", body)).toThrow(
      "Content-Type multipart/mixed: expected a boundary parameter",
    );
    const open = Buffer.from("--b-1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n");
    expect(() => multipartParts(ct, open)).toThrow("expected a closing delimiter --b-1--");
  });

  it("reads and writes the media address of an SDP (c= and the first m= port), line endings kept", () => {
    expect(mediaAddressOf(sdp)).toEqual({ address: "192.0.2.10", port: 6000 });
    expect(withMediaAddress(sdp, { address: "127.0.0.1", port: 40002 })).toBe(
      "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 40002 RTP/AVP 0\r\n",
    );
    expect(withMediaAddress("v=0\nc=IN IP4 1.2.3.4\nm=audio 1 RTP/AVP 0\n", { address: "::1", port: 2 })).toBe(
      "v=0\nc=IN IP6 ::1\nm=audio 2 RTP/AVP 0\n",
    );
    expect(mediaAddressOf("v=0\r\n")).toBeUndefined();
  });

  it("sets every c= address and only the first m= port; reads the first of each", () => {
    const two =
      "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 6000 RTP/AVP 0\r\nc=IN IP4 192.0.2.2/127\r\nm=video 7000 RTP/AVP 31\r\n";
    expect(mediaAddressOf(two)).toEqual({ address: "192.0.2.1", port: 6000 });
    expect(withMediaAddress(two, { address: "10.0.0.9", port: 4 })).toBe(
      "v=0\r\nc=IN IP4 10.0.0.9\r\nm=audio 4 RTP/AVP 0\r\nc=IN IP4 10.0.0.9\r\nm=video 7000 RTP/AVP 31\r\n",
    );
  });

  it("finds a body's SDP part again under another Content-Type (the part is remembered per body and type)", () => {
    expect(sdpOf(ct, body)).toBe(sdp);
    expect(() => sdpOf("multipart/mixed; boundary=other", body)).toThrow(BodyError);
    expect(sdpOf(ct, body)).toBe(sdp);
  });
});
