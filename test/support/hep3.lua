-- A HEP3 (Homer Encapsulation Protocol v3) dissector for the tests' tshark, read from the HEP3 specification:
-- "HEP3", a 16-bit total length, then chunks (16-bit vendor, 16-bit type, 16-bit length including its 6-byte
-- head). The packet's IP ends, ports, time and protocol type are shown; the payload chunk (type 0x0f) goes to
-- Wireshark's own SIP (protocol type 1) or MEGACO (type 7) dissector. A length that does not add up is reported as
-- a malformed packet (_ws.malformed), as Wireshark reports its own.
local hep3 = Proto("hep3", "HEP3 (Homer Encapsulation Protocol v3)")
local f = {
  length = ProtoField.uint16("hep3.length", "Total length"),
  family = ProtoField.uint8("hep3.family", "IP family"),
  ipproto = ProtoField.uint8("hep3.ip_proto", "IP protocol"),
  src4 = ProtoField.ipv4("hep3.src_ip4", "Source IPv4"),
  dst4 = ProtoField.ipv4("hep3.dst_ip4", "Destination IPv4"),
  src6 = ProtoField.ipv6("hep3.src_ip6", "Source IPv6"),
  dst6 = ProtoField.ipv6("hep3.dst_ip6", "Destination IPv6"),
  srcport = ProtoField.uint16("hep3.src_port", "Source port"),
  dstport = ProtoField.uint16("hep3.dst_port", "Destination port"),
  seconds = ProtoField.uint32("hep3.seconds", "Timestamp (s)"),
  micro = ProtoField.uint32("hep3.microseconds", "Timestamp (µs)"),
  proto = ProtoField.uint8("hep3.proto_type", "Protocol type"),
  capture = ProtoField.uint32("hep3.capture_id", "Capture agent id"),
  correlation = ProtoField.string("hep3.correlation_id", "Correlation id"),
  chunk = ProtoField.uint16("hep3.chunk_type", "Chunk type"),
}
hep3.fields = f
local malformed = ProtoExpert.new("hep3.malformed", "Malformed HEP3 packet", expert.group.MALFORMED, expert.severity.ERROR)
hep3.experts = { malformed }

local simple = {
  [0x01] = f.family, [0x02] = f.ipproto, [0x03] = f.src4, [0x04] = f.dst4, [0x05] = f.src6, [0x06] = f.dst6,
  [0x07] = f.srcport, [0x08] = f.dstport, [0x09] = f.seconds, [0x0a] = f.micro, [0x0b] = f.proto,
  [0x0c] = f.capture, [0x11] = f.correlation,
}
local inner = { [1] = "sip", [7] = "megaco" }

function hep3.dissector(tvb, pinfo, tree)
  if tvb:len() < 6 or tvb(0, 4):string() ~= "HEP3" then return 0 end
  pinfo.cols.protocol = "HEP3"
  local t = tree:add(hep3, tvb())
  local total = tvb(4, 2):uint()
  t:add(f.length, tvb(4, 2))
  if total ~= tvb:len() then
    t:add_proto_expert_info(malformed, "total length " .. total .. " but " .. tvb:len() .. " bytes")
    return tvb:len()
  end
  local offset, proto, payload = 6, nil, nil
  while offset < total do
    if offset + 6 > total then
      t:add_proto_expert_info(malformed, "chunk head past the end")
      return total
    end
    local ctype, clen = tvb(offset + 2, 2):uint(), tvb(offset + 4, 2):uint()
    if clen < 6 or offset + clen > total then
      t:add_proto_expert_info(malformed, "chunk " .. ctype .. " length " .. clen)
      return total
    end
    local value = tvb(offset + 6, clen - 6)
    if ctype == 0x0f then
      payload = value
    elseif simple[ctype] then
      t:add(simple[ctype], value)
      if ctype == 0x0b then proto = value:uint() end
    else
      t:add(f.chunk, tvb(offset + 2, 2))
    end
    offset = offset + clen
  end
  if payload and inner[proto] then
    Dissector.get(inner[proto]):call(payload:tvb(), pinfo, tree)
  elseif not payload then
    t:add_proto_expert_info(malformed, "no payload chunk")
  end
  return total
end

-- Offered to "Decode As" on UDP ports (tshark -d udp.port==N,hep3): a collector listens where it is told.
DissectorTable.get("udp.port"):add_for_decode_as(hep3)
