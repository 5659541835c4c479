// The media address of an SDP session description (RFC 4566 §5.7 c=, §5.14 m=): read it from the MGW's Local
// descriptor, and write it into the SDP a B2BUA sends on, so media flows through the MGW. Only the connection
// address and the first media port change; everything else (codecs, attributes) passes as offered.
export interface MediaAddress {
  address: string;
  port: number;
}

// Each pattern runs over the whole description, line by line (m flag), instead of splitting it into lines: these
// run for every SDP the GMSC relays, and a split costs an array and a string per line.
const connection = /^c=IN IP[46] ([^\s/]+)/m;
const mediaPort = /^m=\S+ (\d+)/m;
const connectionLines = /^c=IN IP[46] [^\r\n]*/gm;
const firstMediaPort = /^(m=\S+ )\d+/m;

/** The connection address (first c= line) and first media port (first m= line), if both are there. */
export function mediaAddressOf(sdp: string): MediaAddress | undefined {
  const c = connection.exec(sdp);
  const m = mediaPort.exec(sdp);
  return c === null || m === null ? undefined : { address: c[1], port: Number(m[1]) };
}

/** The SDP with every c= address and the first m= port set to `media` (line endings as they were). */
export function withMediaAddress(sdp: string, media: MediaAddress): string {
  const family = media.address.includes(":") ? "IP6" : "IP4";
  return sdp
    .replace(connectionLines, () => `c=IN ${family} ${media.address}`)
    .replace(firstMediaPort, (_, head: string) => `${head}${media.port}`);
}
