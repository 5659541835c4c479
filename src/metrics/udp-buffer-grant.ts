// What the kernel granted a UDP socket's buffers, against what the node asked for. A program without
// CAP_NET_ADMIN gets at most net.core.rmem_max (receive) and wmem_max (send), silently; Linux then doubles what it
// set, for its bookkeeping, and getsockopt (Node's getRecvBufferSize) reports the doubled figure (socket(7)).

export type BufferDirection = "receive" | "send";

/** A buffer's size in the units asked for, from the size the kernel reports. */
export function grantedBytes(reported: number, platform: NodeJS.Platform = process.platform): number {
  return platform === "linux" ? Math.floor(reported / 2) : reported;
}

export interface ShortBuffer {
  direction: BufferDirection;
  asked: number;
  granted: number;
}

/** The buffers granted less than asked (none when the kernel gave what was asked, or more). */
export function shortBuffers(asked: number, granted: Record<BufferDirection, number>): ShortBuffer[] {
  return (["receive", "send"] as const)
    .filter((direction) => granted[direction] < asked)
    .map((direction) => ({ direction, asked, granted: granted[direction] }));
}
