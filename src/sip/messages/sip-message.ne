# The head of a SIP message (start line, header fields, the empty line) per the RFC 3261 §25.1 ABNF, with
# Reason (RFC 3326), Session-Expires (RFC 4028), rport (RFC 3581) and the RFC 5118 §4.5/§4.10 IPv6 corrections.
# It is the executable reference for the hand-written scanner in parse-message.ts: both must accept the same heads
# and yield the same values (test/sip/grammar-equivalence.test.ts). The body is framed by Content-Length outside.
#
# Restructured from the ABNF only where the ABNF is ambiguous, so that nearley yields exactly one parse:
#  - every whitespace run belongs to one rule: the SWS that RFC 3261 puts in front of LAQUOT, a quoted-string or
#    "*" belongs to the HCOLON/COMMA before it; RAQUOT has no trailing SWS (the SEMI/COMMA or line end after it
#    owns it); a header line may end with SWS before its CRLF (trailing white space is accepted);
#  - display-name *(token LWS) is token *(LWS token): RFC 4475 lwsdisp ("caller<sip:…>") must be accepted;
#  - gen-value is token / IPv6reference / quoted-string (a hostname or IPv4 address is already a token);
#  - an addr-spec outside <> carries no URI parameters, headers, "," or "?" (RFC 3261 §20.10), so a ";" after it
#    always starts a header parameter;
#  - uri-parameter is pname ["=" pvalue] for every name (lr, transport, maddr, gr … are read by name);
#  - telephone-subscriber / tel: numbers are 1*(HEXDIG / "*" / "#" / "+" / visual-separator) (RFC 3966, simplified);
#  - absoluteURI is scheme ":" 1*uric and never has the scheme sip, sips or tel;
#  - IPv6address also accepts hexseq "::" IPv4address (RFC 5118 §4.10: RFC 3261's hexpart cannot express it);
#  - Via received is IPv4address / IPv6address / IPv6reference (RFC 5118 §4.5);
#  - LWS is any run of white space and folds (CRLF 1*WSP), not at most one fold: consecutive folds, which the
#    ABNF allows in extension values (LWS LWS) but not in one LWS, are accepted everywhere, as unfolding does.
# Values: URIs as {scheme, …}; parameters as [name, value | null] in order, names and values as written except
# that a quoted-string value is unquoted; folded white space is unfolded by dropping its CRLF.
@preprocessor typescript

@{%
// Joins matched characters; text rules only.
function t(d: unknown): string {
  if (d === null || d === undefined) return "";
  if (Array.isArray(d)) return d.map(t).join("");
  return String(d);
}
const REJECTED_ABSOLUTE = new Set(["sip", "sips", "tel"]);
const STRUCTURED = new Set([
  "via", "v", "from", "f", "to", "t", "contact", "m", "route", "record-route", "call-id", "i", "cseq",
  "max-forwards", "content-length", "l", "reason", "session-expires", "x", "date",
]);
const param = (name: string, value: string | null) => [name, value];
function generic(names: string[]) {
  const s = new Set(names);
  return (d: any[], _l: number, reject: unknown) => (s.has(d[0][0].toLowerCase()) ? reject : d[0]);
}
function nameAddrWith(d: any[]) {
  return { ...d[0], params: d[1].map((x: any[]) => x[1]) };
}
%}

message_head -> start_line message_header:* CRLF        {% (d) => ({ start: d[0], headers: d[1] }) %}

start_line -> Request_Line {% id %} | Status_Line {% id %}
Request_Line -> Method SP Request_URI SP SIP_Version CRLF
  {% (d) => ({ kind: "request", method: d[0], uri: d[2], version: d[4] }) %}
Status_Line -> SIP_Version SP Status_Code SP Reason_Phrase CRLF
  {% (d) => ({ kind: "response", version: d[0], status: Number(d[2]), reason: d[4] }) %}
SIP_Version -> "SIP"i "/" DIGIT:+ "." DIGIT:+            {% (d) => "SIP/" + t(d[2]) + "." + t(d[4]) %}
Status_Code -> DIGIT DIGIT DIGIT                         {% t %}
Reason_Phrase -> reason_char:*                           {% t %}
reason_char -> reserved | unreserved | escaped | UTF8_NONASCII | SP | HTAB
Method -> token                                          {% id %}
Request_URI -> SIP_URI {% id %} | tel_URI {% id %} | absoluteURI {% id %}

# ---- header fields ----
message_header -> header_field SWS CRLF                  {% id %}
header_field -> Via {% id %} | From {% id %} | To {% id %} | Contact {% id %} | Route {% id %}
  | Record_Route {% id %} | Call_ID {% id %} | CSeq {% id %} | Max_Forwards {% id %} | Content_Length {% id %}
  | Reason {% id %} | Session_Expires {% id %} | Date {% id %} | extension_header {% id %}

# The name is rejected as soon as it completes as a structured field's name, so a fault in a structured value
# is reported where it is, not at the end of the line.
extension_header -> extension_name WSP:* ":" (SWS ext_value):?
  {% (d) => ({ name: d[0], value: d[3] ? d[3][1] : "" }) %}
extension_name -> token                                  {% (d, _l, reject) => (STRUCTURED.has(d[0].toLowerCase()) ? reject : d[0]) %}
ext_value -> ext_char ext_more:*                         {% t %}
ext_more -> ext_char {% id %} | LWS ext_char             {% t %}
ext_char -> [\x21-\x7e] {% id %} | UTF8_NONASCII {% id %}

Via -> ("Via"i | "v"i) HCOLON via_parm (COMMA via_parm):*
  {% (d) => ({ name: "Via", value: [d[2], ...d[3].map((x: any[]) => x[1])] }) %}
via_parm -> token SLASH token SLASH token LWS sent_by (SEMI via_params):*
  {% (d) => ({ protocol: d[0].toUpperCase(), version: d[2], transport: d[4].toUpperCase(), host: d[6][0],
               port: d[6][1], params: d[7].map((x: any[]) => x[1]) }) %}
sent_by -> host (COLON port):?                           {% (d) => [d[0], d[1] ? d[1][1] : null] %}
via_params -> via_ttl {% id %} | via_maddr {% id %} | via_received {% id %} | via_branch {% id %}
  | via_rport {% id %} | via_extension {% id %}
via_ttl -> "ttl"i EQUAL ttl                              {% (d) => param(t(d[0]), d[2]) %}
ttl -> DIGIT {% t %} | DIGIT DIGIT {% t %} | DIGIT DIGIT DIGIT {% t %}
via_maddr -> "maddr"i EQUAL host                         {% (d) => param(t(d[0]), d[2]) %}
via_received -> "received"i EQUAL received_address       {% (d) => param(t(d[0]), d[2]) %}
received_address -> IPv4address {% id %} | IPv6address {% id %} | IPv6reference {% id %}
via_branch -> "branch"i EQUAL token                      {% (d) => param(t(d[0]), d[2]) %}
via_rport -> "rport"i (EQUAL DIGIT:+):?                  {% (d) => param(t(d[0]), d[1] ? t(d[1][1]) : null) %}
via_extension -> generic_param                           {% generic(["ttl", "maddr", "received", "branch", "rport"]) %}

From -> ("From"i | "f"i) HCOLON from_spec                {% (d) => ({ name: "From", value: d[2] }) %}
To -> ("To"i | "t"i) HCOLON from_spec                    {% (d) => ({ name: "To", value: d[2] }) %}
from_spec -> any_addr (SEMI from_param):*                {% nameAddrWith %}
from_param -> tag_param {% id %} | from_extension {% id %}
tag_param -> "tag"i EQUAL token                          {% (d) => param(t(d[0]), d[2]) %}
from_extension -> generic_param                          {% generic(["tag"]) %}

Contact -> ("Contact"i | "m"i) HCOLON contact_value      {% (d) => ({ name: "Contact", value: d[2] }) %}
contact_value -> "*"                                     {% () => "*" %}
  | contact_param (COMMA contact_param):*                {% (d) => [d[0], ...d[1].map((x: any[]) => x[1])] %}
contact_param -> any_addr (SEMI contact_params):*        {% nameAddrWith %}
contact_params -> c_p_q {% id %} | c_p_expires {% id %} | contact_extension {% id %}
c_p_q -> "q"i EQUAL qvalue                               {% (d) => param(t(d[0]), d[2]) %}
qvalue -> "0" ("." zero_to_three_digits):?               {% t %}
  | "1" ("." zero_to_three_zeros):?                      {% t %}
zero_to_three_digits -> null | DIGIT | DIGIT DIGIT | DIGIT DIGIT DIGIT
zero_to_three_zeros -> null | "0" | "00" | "000"
c_p_expires -> "expires"i EQUAL DIGIT:+                  {% (d) => param(t(d[0]), t(d[2])) %}
contact_extension -> generic_param                       {% generic(["q", "expires"]) %}

Route -> "Route"i HCOLON route_param (COMMA route_param):*
  {% (d) => ({ name: "Route", value: [d[2], ...d[3].map((x: any[]) => x[1])] }) %}
Record_Route -> "Record-Route"i HCOLON route_param (COMMA route_param):*
  {% (d) => ({ name: "Record-Route", value: [d[2], ...d[3].map((x: any[]) => x[1])] }) %}
route_param -> name_addr (SEMI generic_param):*          {% nameAddrWith %}

Call_ID -> ("Call-ID"i | "i"i) HCOLON callid             {% (d) => ({ name: "Call-ID", value: d[2] }) %}
callid -> word ("@" word):?                              {% t %}
word -> word_char:+                                      {% t %}
word_char -> alphanum | [\-.!%*_+`'~()<>:\\"/\[\]?{}]

CSeq -> "CSeq"i HCOLON DIGIT:+ LWS Method                {% (d) => ({ name: "CSeq", value: { seq: Number(t(d[2])), method: d[4] } }) %}
Max_Forwards -> "Max-Forwards"i HCOLON DIGIT:+           {% (d) => ({ name: "Max-Forwards", value: Number(t(d[2])) }) %}
Content_Length -> ("Content-Length"i | "l"i) HCOLON DIGIT:+
  {% (d) => ({ name: "Content-Length", value: Number(t(d[2])) }) %}

Reason -> "Reason"i HCOLON reason_value (COMMA reason_value):*
  {% (d) => ({ name: "Reason", value: [d[2], ...d[3].map((x: any[]) => x[1])] }) %}
reason_value -> token (SEMI reason_params):*             {% (d) => ({ protocol: d[0], params: d[1].map((x: any[]) => x[1]) }) %}
reason_params -> "cause"i EQUAL DIGIT:+                  {% (d) => param(t(d[0]), t(d[2])) %}
  | "text"i EQUAL quoted_string                          {% (d) => param(t(d[0]), d[2]) %}
  | reason_extension                                     {% id %}
reason_extension -> generic_param                        {% generic(["cause", "text"]) %}

Session_Expires -> ("Session-Expires"i | "x"i) HCOLON DIGIT:+ (SEMI se_params):*
  {% (d) => ({ name: "Session-Expires", value: { deltaSeconds: Number(t(d[2])), params: d[3].map((x: any[]) => x[1]) } }) %}
se_params -> "refresher"i EQUAL ("uas"i | "uac"i)        {% (d) => param(t(d[0]), t(d[2])) %}
  | se_extension                                         {% id %}
se_extension -> generic_param                            {% generic(["refresher"]) %}

Date -> "Date"i HCOLON rfc1123_date                      {% (d) => ({ name: "Date", value: d[2] }) %}
rfc1123_date -> wkday "," SP DIGIT DIGIT SP month SP DIGIT DIGIT DIGIT DIGIT SP DIGIT DIGIT ":" DIGIT DIGIT ":" DIGIT DIGIT SP "GMT"i
  {% t %}
wkday -> "Mon"i | "Tue"i | "Wed"i | "Thu"i | "Fri"i | "Sat"i | "Sun"i
month -> "Jan"i | "Feb"i | "Mar"i | "Apr"i | "May"i | "Jun"i | "Jul"i | "Aug"i | "Sep"i | "Oct"i | "Nov"i | "Dec"i

# ---- name-addr, addr-spec, URIs ----
any_addr -> name_addr {% id %} | bare_addr_spec          {% (d) => ({ displayName: null, uri: d[0] }) %}
name_addr -> (display_name SWS):? "<" addr_spec ">"       {% (d) => ({ displayName: d[0] ? d[0][0] : null, uri: d[2] }) %}
display_name -> token (LWS token):*                      {% (d) => [d[0], ...d[1].map((x: any[]) => x[1])].join(" ") %}
  | quoted_string                                        {% id %}
addr_spec -> SIP_URI {% id %} | tel_URI {% id %} | absoluteURI {% id %}
bare_addr_spec -> bare_SIP_URI {% id %} | bare_tel_URI {% id %} | bare_absoluteURI {% id %}

SIP_URI -> sip_scheme userinfo:? hostport uri_parameters uri_headers:?
  {% (d) => ({ scheme: d[0], user: d[1] ? d[1][0] : null, password: d[1] ? d[1][1] : null, host: d[2][0],
               port: d[2][1], params: d[3], headers: d[4] ?? [] }) %}
bare_SIP_URI -> sip_scheme bare_userinfo:? hostport
  {% (d) => ({ scheme: d[0], user: d[1] ? d[1][0] : null, password: d[1] ? d[1][1] : null, host: d[2][0],
               port: d[2][1], params: [], headers: [] }) %}
sip_scheme -> "sip:"i {% () => "sip" %} | "sips:"i {% () => "sips" %}
userinfo -> user (":" password):? "@"                    {% (d) => [d[0], d[1] ? d[1][1] : null] %}
user -> user_char:+                                      {% t %}
user_char -> unreserved | escaped | [&=+$,;?/]
password -> password_char:*                              {% t %}
password_char -> unreserved | escaped | [&=+$,]
bare_userinfo -> bare_user (":" bare_password):? "@"     {% (d) => [d[0], d[1] ? d[1][1] : null] %}
bare_user -> bare_user_char:+                            {% t %}
bare_user_char -> unreserved | escaped | [&=+$/]
bare_password -> bare_password_char:*                    {% t %}
bare_password_char -> unreserved | escaped | [&=+$]
hostport -> host (":" port):?                            {% (d) => [d[0], d[1] ? d[1][1] : null] %}
port -> DIGIT:+                                          {% (d) => Number(t(d[0])) %}
uri_parameters -> (";" uri_parameter):*                  {% (d) => d[0].map((x: any[]) => x[1]) %}
uri_parameter -> paramchar:+ ("=" paramchar:+):?         {% (d) => param(t(d[0]), d[1] ? t(d[1][1]) : null) %}
paramchar -> [\[\]/:&+$] | unreserved | escaped
uri_headers -> "?" uri_header ("&" uri_header):*         {% (d) => [d[1], ...d[2].map((x: any[]) => x[1])] %}
uri_header -> hnv_char:+ "=" hnv_char:*                  {% (d) => [t(d[0]), t(d[2])] %}
hnv_char -> [\[\]/?:+$] | unreserved | escaped

tel_URI -> "tel:"i tel_number uri_parameters             {% (d) => ({ scheme: "tel", number: d[1], params: d[2] }) %}
bare_tel_URI -> "tel:"i tel_number                       {% (d) => ({ scheme: "tel", number: d[1], params: [] }) %}
tel_number -> [0-9a-fA-F*#+\-.()]:+                      {% t %}

absoluteURI -> scheme ":" uric:+
  {% (d, _l, reject) => (REJECTED_ABSOLUTE.has(d[0]) ? reject : { scheme: d[0], value: t(d[2]) }) %}
bare_absoluteURI -> scheme ":" bare_uric:+
  {% (d, _l, reject) => (REJECTED_ABSOLUTE.has(d[0]) ? reject : { scheme: d[0], value: t(d[2]) }) %}
scheme -> ALPHA [a-zA-Z0-9+\-.]:*                        {% (d) => t(d).toLowerCase() %}
uric -> reserved | unreserved | escaped
bare_uric -> [/:@&=+$] | unreserved | escaped

host -> hostname {% id %} | IPv4address {% id %} | IPv6reference {% id %}
hostname -> (domainlabel "."):* toplabel ".":?           {% t %}
domainlabel -> alphanum | alphanum [a-zA-Z0-9\-]:* alphanum
toplabel -> ALPHA | ALPHA [a-zA-Z0-9\-]:* alphanum
IPv4address -> dec3 "." dec3 "." dec3 "." dec3           {% t %}
dec3 -> DIGIT | DIGIT DIGIT | DIGIT DIGIT DIGIT
IPv6reference -> "[" IPv6address "]"                     {% t %}
IPv6address -> hexpart {% t %} | hexpart ":" IPv4address {% t %} | hexpart_double_colon IPv4address {% t %}
hexpart -> hexseq | hexseq "::" hexseq:? | "::" hexseq:?
hexpart_double_colon -> hexseq "::" | "::"
hexseq -> hex4 (":" hex4):*
hex4 -> HEXDIG | HEXDIG HEXDIG | HEXDIG HEXDIG HEXDIG | HEXDIG HEXDIG HEXDIG HEXDIG

# ---- parameters, separators, characters ----
generic_param -> token (EQUAL gen_value):?               {% (d) => param(d[0], d[1] ? d[1][1] : null) %}
gen_value -> token {% id %} | IPv6reference {% id %} | quoted_string {% id %}
quoted_string -> DQUOTE qd_unit:* DQUOTE                 {% (d) => d[1].join("") %}
qd_unit -> qdtext {% id %} | WSP {% id %} | CRLF WSP     {% (d) => d[1] %}
  | "\\" [\x00-\x09\x0b\x0c\x0e-\x7f]                    {% (d) => d[1] %}
qdtext -> [\x21\x23-\x5b\x5d-\x7e] {% id %} | UTF8_NONASCII {% id %}

token -> [a-zA-Z0-9\-.!%*_+`'~]:+                        {% t %}
escaped -> "%" HEXDIG HEXDIG                             {% t %}
unreserved -> alphanum {% id %} | [\-_.!~*'()]           {% id %}
reserved -> [;/?:@&=+$,]                                 {% id %}

HCOLON -> WSP:* ":" SWS
SEMI -> SWS ";" SWS
COMMA -> SWS "," SWS
EQUAL -> SWS "=" SWS
SLASH -> SWS "/" SWS
COLON -> SWS ":" SWS
SWS -> null | LWS
LWS -> lws_unit:+                                        {% t %}
lws_unit -> WSP {% id %} | CRLF WSP                      {% (d) => d[1] %}
CRLF -> "\r\n"
WSP -> [ \t]                                             {% id %}
SP -> " "
HTAB -> "\t"
DQUOTE -> "\""
DIGIT -> [0-9]                                           {% id %}
HEXDIG -> [0-9a-fA-F]                                    {% id %}
ALPHA -> [a-zA-Z]                                        {% id %}
alphanum -> [a-zA-Z0-9]                                  {% id %}
UTF8_NONASCII -> [\u0080-\uffff]                         {% id %}
