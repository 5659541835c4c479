// The receive and send buffer sizes the kernel granted a UDP socket (it may grant less than asked, up to its caps).
// Told by the SIP and H.248 transports alike, read by the node's socket report and metrics.
export interface ReportedBuffers {
  receive: number;
  send: number;
}
