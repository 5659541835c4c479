// The media address of an SDP session description (RFC 4566 §5.7 c=, §5.14 m=): read it from the MGW's Local
// descriptor, and write it into the SDP a B2BUA sends on, so media flows through the MGW. Only the connection
// address and the first media port change; everything else (codecs, attributes) passes as offered.
export interface MediaAddress {
  address: string;
  port: number;
}

const lines = (sdp: string) => sdp.split(/\r?\n/);

/** The connection address (first c= line) and first media port (first m= line), if both are there. */
export function mediaAddressOf(sdp: string): MediaAddress | undefined {
  let address: string | undefined;
  let port: number | undefined;
  for (const line of lines(sdp)) {
    const c = /^c=IN IP[46] ([^\s/]+)/.exec(line);
    if (c && address === undefined) address = c[1];
    const m = /^m=\S+ (\d+)/.exec(line);
    if (m && port === undefined) port = Number(m[1]);
  }
  return address === undefined || port === undefined ? undefined : { address, port };
}

/** The SDP with every c= address and the first m= port set to `media` (line endings as they were). */
export function withMediaAddress(sdp: string, media: MediaAddress): string {
  const family = media.address.includes(":") ? "IP6" : "IP4";
  let portDone = false;
  return sdp
    .split("\n")
    .map((raw) => {
      const cr = raw.endsWith("\r") ? "\r" : "";
      const line = cr ? raw.slice(0, -1) : raw;
      if (/^c=IN IP[46] /.test(line)) return `c=IN ${family} ${media.address}${cr}`;
      if (!portDone && /^m=\S+ \d+/.test(line)) {
        portDone = true;
        return `${line.replace(/^(m=\S+ )\d+/, `$1${media.port}`)}${cr}`;
      }
      return raw;
    })
    .join("\n");
}
