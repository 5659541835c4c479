# The clause document grammar: spec/*.clause.
# A document is header lines (@key value), then entries: @item <local id> [informative] followed by the item's
# text lines (the seed's words, verbatim), or @referenced <clause id> followed by header lines.
# Lines starting with "@" are markup; every other non-empty line is text.
@preprocessor typescript

document   -> blank:* headerLine:+ entry:*                     {% (d) => ({ header: d[1], entries: d[2] }) %}

headerLine -> "@" headerKey " " restOfLine eol blank:*         {% (d, at) => ({ key: d[1], value: d[3], at }) %}
headerKey  -> "clause" {% id %} | "spec" {% id %} | "title" {% id %} | "source" {% id %}
            | "marker" {% id %} | "role" {% id %} | "note" {% id %} | "document" {% id %}

entry      -> item {% id %} | referenced {% id %}
item       -> "@item " localId flag:? eol textLine:+ blank:*     {% (d, at) => ({ kind: "item", localId: d[1], informative: d[2] !== null, text: d[4], at }) %}
flag       -> " informative"                                   {% () => true %}
referenced -> "@referenced " clauseId eol headerLine:*          {% (d, at) => ({ kind: "referenced", id: d[1], header: d[3], at }) %}

localId    -> segment ("." segment):*                          {% (d) => [d[0], ...d[1].map((p: string[]) => p[1])].join(".") %}
segment    -> [a-z0-9]:+                                       {% (d) => d[0].join("") %}
clauseId   -> [a-z0-9.-]:+ ":" [0-9.]:+                        {% (d) => d[0].join("") + ":" + d[2].join("") %}

textLine   -> [^@\n] [^\n]:* eol                               {% (d) => d[0] + d[1].join("") %}
restOfLine -> [^\n]:+                                          {% (d) => d[0].join("") %}
blank      -> eol                                              {% () => null %}
eol        -> "\n"                                             {% () => null %}
