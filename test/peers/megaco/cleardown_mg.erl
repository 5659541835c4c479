%% A small media gateway built on Erlang/OTP megaco (H.248 text over UDP, megaco_udp), the real third-party H.248
%% stack the MGC tests talk to. megaco's example MG answers every request with 501, so this one has its own
%% megaco_user callbacks: it registers with ServiceChange Restart on ROOT, answers Add (allocating contexts and
%% ip/1/1/N terminations, returning Local SDP), Modify, Subtract (statistics when the Audit asks for them or is
%% absent) and AuditValue of all contexts; it prints one JSON line per event and per command it decoded (an Add
%% with the media port it put in the termination's Local SDP).
%%
%% Start: erl -noshell -pa DIR [-tally] -s cleardown_mg main -extra MGC_PORT MG_PORT [SECONDARY_MGC_PORT ...]
%% -tally (for load): no line per Add, Modify and Subtract; the MG counts them and keeps each context's added and
%% subtracted terminations, printed on request (a line per command cost the MG and its reader more than the call).
%% A secondary MGC (one more GMSC node of the pool the MGW is provisioned with) is connected at start, so its
%% first requests find their connection (megaco's autoconnect of an unknown MGC loses a request that arrives while
%% it is connecting: it answers Pending and never replies). The MG registers with the primary MGC only.
%% Control (one line on stdin):
%%   notify CONTEXT TERMINATION REQUESTID GENERALCAUSE FAILURECAUSE  — Notify g/cause (Bearer Released)
%%   silence   — stop answering requests (an MG that went silent)
%%   restart METHOD  — answer again and send ServiceChange METHOD (restart | disconnected) on ROOT
%%   forced TERMINATION  — ServiceChange Forced on that termination (taken out of service)
%%   contexts  — print the contexts held now ("CONTEXT/TERM,TERM" each), so a test sees nothing is left
%%   tally     — print the counts of Adds, Modifies and Subtracts since the last reset (-tally)
%%   tally contexts — print each context's terminations added and subtracted ("CONTEXT|ADDED,..|SUBTRACTED,..")
%%   tally reset    — forget the counts and the contexts' terminations
%%   stop      — exit
-module(cleardown_mg).
-behaviour(megaco_user).

-include("megaco_records.hrl").

-export([main/0]).
-export([handle_connect/2, handle_connect/3, handle_disconnect/3, handle_syntax_error/3, handle_syntax_error/4,
         handle_message_error/3, handle_message_error/4, handle_trans_request/3, handle_trans_request/4,
         handle_trans_long_request/3, handle_trans_long_request/4, handle_trans_reply/4, handle_trans_reply/5,
         handle_trans_ack/4, handle_trans_ack/5, handle_unexpected_trans/3, handle_unexpected_trans/4,
         handle_trans_request_abort/4, handle_trans_request_abort/5, handle_segment_reply/5,
         handle_segment_reply/6]).

-define(ROOT, #megaco_term_id{id = ["root"]}).

main() ->
    [MgcPortS, MgPortS | SecondaryS] = init:get_plain_arguments(),
    MgcPort = list_to_integer(MgcPortS),
    MgPort = list_to_integer(MgPortS),
    Secondary = [list_to_integer(P) || P <- SecondaryS],
    ets:new(mg, [named_table, public, set, {write_concurrency, true}, {read_concurrency, true}]),
    ets:insert(mg, [{tally, init:get_argument(tally) =/= error}, {adds, 0}, {modifies, 0}, {subtracts, 0}]),
    ok = megaco:start(),
    Mid = {ip4Address, #'IP4Address'{address = [127, 0, 0, 1], portNumber = MgPort}},
    ok = megaco:start_user(Mid, [{send_mod, megaco_udp},
                                 {encoding_mod, megaco_pretty_text_encoder},
                                 {encoding_config, []},
                                 {protocol_version, 1},
                                 {request_timer, #megaco_incr_timer{wait_for = 100, factor = 1, incr = 0,
                                                                    max_retries = 5}},
                                 {long_request_timer, 5000},
                                 {user_mod, ?MODULE},
                                 {user_args, []}]),
    RH = megaco:user_info(Mid, receive_handle),
    {ok, Sup} = megaco_udp:start_transport(),
    {ok, Handle, Control} = megaco_udp:open(Sup, [{port, MgPort}, {receive_handle, RH},
                                                   {udp_options, [{ip, {127, 0, 0, 1}}, {recbuf, 8388608}]}]),
    Send = megaco_udp:create_send_handle(Handle, {127, 0, 0, 1}, MgcPort),
    ets:insert(mg, [{secondary, [mgc_mid(P) || P <- Secondary]}]),
    {ok, Conn} = megaco:connect(RH, preliminary_mid, Send, Control),
    ets:insert(mg, [{conn, Conn}, {silent, false}, {next_context, 1}, {next_termination, 1}]),
    register_with_mgc(restart),
    %% after the registration: megaco names the primary's connection by its real mId only once it has replied
    [{ok, _} = megaco:connect(RH, mgc_mid(P), megaco_udp:create_send_handle(Handle, {127, 0, 0, 1}, P), Control)
     || P <- Secondary],
    case Secondary of [] -> ok; _ -> event("secondaries-connected", [{count, length(Secondary)}]) end,
    control_loop().

%% ---- control ------------------------------------------------------------------------------------------------

control_loop() ->
    case io:get_line(standard_io, "") of
        eof -> halt(0);
        {error, _} -> halt(0);
        Line ->
            control(string:lexemes(string:trim(Line), " ")),
            control_loop()
    end.

control(["notify", Ctx, Term, Rid, Cause | Failure]) ->
    spawn(fun() -> send_notify(list_to_integer(Ctx), Term, list_to_integer(Rid), Cause, lists:join(" ", Failure)) end);
control(["silence"]) ->
    ets:insert(mg, {silent, true}),
    event("silenced", []);
control(["restart", Method]) ->
    ets:insert(mg, {silent, false}),
    spawn(fun() -> register_with_mgc(list_to_atom(Method)) end);
control(["forced", Term]) ->
    spawn(fun() -> forced(Term) end);
control(["contexts"]) ->
    Held = lists:sort([{C, Ts} || {{context, C}, Ts} <- ets:tab2list(mg)]),
    event("contexts", [{contexts, {list, [integer_to_list(C) ++ "/" ++ lists:join(",", Ts) || {C, Ts} <- Held]}}]);
control(["tally"]) ->
    [A, M, S] = [ets:lookup_element(mg, K, 2) || K <- [adds, modifies, subtracts]],
    event("tally", [{adds, A}, {modifies, M}, {subtracts, S}]);
control(["tally", "contexts"]) ->
    Rows = lists:sort([{C, As, Ss} || {{tally, C}, As, Ss} <- ets:tab2list(mg)]),
    event("tally-contexts", [{contexts, {list, [integer_to_list(C) ++ "|" ++ lists:join(",", As) ++ "|" ++
                                                lists:join(",", Ss) || {C, As, Ss} <- Rows]}}]);
control(["tally", "reset"]) ->
    ets:match_delete(mg, {{tally, '_'}, '_', '_'}),
    ets:insert(mg, [{adds, 0}, {modifies, 0}, {subtracts, 0}]),
    event("tally-reset", []);
control(["stop"]) ->
    event("stopping", []),
    halt(0);
control(Other) ->
    event("unknown-control", [{line, str(lists:join(" ", Other))}]).

conn() -> ets:lookup_element(mg, conn, 2).

mgc_mid(Port) -> {ip4Address, #'IP4Address'{address = [127, 0, 0, 1], portNumber = Port}}.

register_with_mgc(Method) ->
    Parm = #'ServiceChangeParm'{serviceChangeMethod = Method, serviceChangeReason = ["901 Cold Boot"]},
    Req = #'ServiceChangeRequest'{terminationID = [?ROOT], serviceChangeParms = Parm},
    Action = #'ActionRequest'{contextId = 0, commandRequests = [#'CommandRequest'{command = {serviceChangeReq, Req}}]},
    case megaco:call(conn(), [Action], []) of
        {_Version, {ok, [#'ActionReply'{errorDescriptor = asn1_NOVALUE}]}} ->
            event("registered", [{method, atom_to_list(Method)}]);
        Other ->
            event("register-failed", [{reply, str(io_lib:format("~0p", [Other]))}])
    end.

forced(Term) ->
    Parm = #'ServiceChangeParm'{serviceChangeMethod = forced,
                                serviceChangeReason = ["905 Termination taken out of service"]},
    Req = #'ServiceChangeRequest'{terminationID = [term_id(Term)], serviceChangeParms = Parm},
    Action = #'ActionRequest'{contextId = 0, commandRequests = [#'CommandRequest'{command = {serviceChangeReq, Req}}]},
    Reply = megaco:call(conn(), [Action], []),
    event("forced-reply", [{termination, Term}, {ok, ok_reply(Reply)}]).

send_notify(Ctx, Term, Rid, Cause, Failure) ->
    Params = [#'EventParameter'{eventParameterName = "Generalcause", value = [Cause]},
              #'EventParameter'{eventParameterName = "Failurecause", value = [lists:flatten(Failure)]}],
    Event = #'ObservedEvent'{eventName = "g/cause", eventParList = Params,
                             timeNotation = #'TimeNotation'{date = "20240101", time = "12000000"}},
    Req = #'NotifyRequest'{terminationID = [term_id(Term)],
                           observedEventsDescriptor = #'ObservedEventsDescriptor'{requestId = Rid,
                                                                                  observedEventLst = [Event]}},
    Action = #'ActionRequest'{contextId = Ctx, commandRequests = [#'CommandRequest'{command = {notifyReq, Req}}]},
    Reply = megaco:call(conn(), [Action], []),
    event("notify-reply", [{termination, Term}, {ok, ok_reply(Reply)}, {reply, str(io_lib:format("~0p", [Reply]))}]).

ok_reply({_V, {ok, [#'ActionReply'{errorDescriptor = asn1_NOVALUE, commandReply = Cmds}]}}) ->
    lists:all(fun({notifyReply, #'NotifyReply'{errorDescriptor = E}}) -> E =:= asn1_NOVALUE;
                 (_) -> true end, Cmds);
ok_reply(_) -> false.

%% ---- megaco_user --------------------------------------------------------------------------------------------

%% megaco connects again under the MGC's real mId once its first reply names it: keep the newest handle, except
%% for a secondary MGC's (the MG's own requests go to the MGC it registered with)
handle_connect(#megaco_conn_handle{remote_mid = Remote} = Conn, _V) ->
    Secondary = case catch ets:lookup_element(mg, secondary, 2) of L when is_list(L) -> L; _ -> [] end,
    case lists:member(Remote, Secondary) of
        true -> ok;
        false -> catch ets:insert(mg, {conn, Conn})
    end,
    ok.
handle_connect(Conn, V, _Extra) -> handle_connect(Conn, V).
handle_disconnect(_Conn, _V, _Reason) -> ok.
handle_syntax_error(_RH, _V, _Error) -> reply.
handle_syntax_error(_RH, _V, _Error, _Extra) -> reply.
handle_message_error(_Conn, _V, _Error) -> no_reply.
handle_message_error(_Conn, _V, _Error, _Extra) -> no_reply.
handle_trans_long_request(_Conn, _V, _Data) -> {discard_ack, []}.
handle_trans_long_request(_Conn, _V, _Data, _Extra) -> {discard_ack, []}.
handle_trans_reply(_Conn, _V, _Reply, _Data) -> ok.
handle_trans_reply(_Conn, _V, _Reply, _Data, _Extra) -> ok.
handle_trans_ack(_Conn, _V, _Status, _Data) -> ok.
handle_trans_ack(_Conn, _V, _Status, _Data, _Extra) -> ok.
handle_unexpected_trans(_Conn, _V, _Trans) -> ok.
handle_unexpected_trans(_Conn, _V, _Trans, _Extra) -> ok.
handle_trans_request_abort(_Conn, _V, _TransNo, _Pid) -> ok.
handle_trans_request_abort(_Conn, _V, _TransNo, _Pid, _Extra) -> ok.
handle_segment_reply(_Conn, _V, _TransNo, _SegNo, _Compl) -> ok.
handle_segment_reply(_Conn, _V, _TransNo, _SegNo, _Compl, _Extra) -> ok.

handle_trans_request(Conn, V, Actions, _Extra) -> handle_trans_request(Conn, V, Actions).
handle_trans_request(_Conn, _V, Actions) ->
    case ets:lookup_element(mg, silent, 2) of
        true ->
            %% which commands, so a test counts the retransmissions of the one it silenced the MG for
            event("ignored", [{commands, {list, [atom_to_list(element(1, C#'CommandRequest'.command))
                                                 || #'ActionRequest'{commandRequests = Cs} <- Actions, C <- Cs]}}]),
            ignore_trans_request;
        false ->
            {discard_ack, lists:flatmap(fun action/1, Actions)}
    end.

action(#'ActionRequest'{contextId = Ctx, commandRequests = Cmds}) ->
    case Ctx of
        16#FFFFFFFF ->
            %% Context = * : one ActionReply per context, listing its terminations (audit of all contexts)
            audit_all(Cmds);
        _ ->
            Id = case Ctx of 16#FFFFFFFE -> new_context(); _ -> Ctx end,
            Replies = [command(Id, C#'CommandRequest'.command) || C <- Cmds],
            [#'ActionReply'{contextId = Id, commandReply = Replies}]
    end.

audit_all(Cmds) ->
    [record_command("AuditValue", 16#FFFFFFFF, [tid_text(T)], "") || #'CommandRequest'{command = {auditValueRequest, #'AuditRequest'{terminationID = T}}} <- Cmds],
    Contexts = lists:sort([{C, Ts} || {{context, C}, Ts} <- ets:tab2list(mg)]),
    case Contexts of
        [] -> [#'ActionReply'{contextId = 0, commandReply = [audit_result(?ROOT)]}];
        _ -> [#'ActionReply'{contextId = C, commandReply = [audit_result(term_id(T)) || T <- Ts]} || {C, Ts} <- Contexts]
    end.

audit_result(Tid) ->
    {auditValueReply, {auditResult, #'AuditResult'{terminationID = Tid, terminationAuditResult = []}}}.

command(Ctx, {addReq, #'AmmRequest'{terminationID = [Tid], descriptors = Ds}}) ->
    Term = case tid_text(Tid) of "$" -> new_termination(); T -> T end,
    locked(Ctx, fun() ->
        ets:insert(mg, {{context, Ctx}, contexts_terms(Ctx) ++ [Term]}),
        tally_terms(Ctx, [Term], [])
    end),
    %% one RTP port per termination the MG chose, so each side's Local SDP is told apart
    Port = 40000 + 2 * ets:lookup_element(mg, next_termination, 2),
    record_command("Add", Ctx, [Term], Ds, [{localPort, Port}]),
    Sdp = [#'PropertyParm'{name = "v", value = ["0"]},
           #'PropertyParm'{name = "c", value = ["IN IP4 127.0.0.1"]},
           #'PropertyParm'{name = "m", value = ["audio " ++ integer_to_list(Port) ++ " RTP/AVP 0"]}],
    Media = {mediaDescriptor, #'MediaDescriptor'{streams = {multiStream, [#'StreamDescriptor'{streamID = 1,
                streamParms = #'StreamParms'{localDescriptor = #'LocalRemoteDescriptor'{propGrps = [Sdp]}}}]}}},
    {addReply, #'AmmsReply'{terminationID = [term_id(Term)], terminationAudit = [Media]}};
command(Ctx, {modReq, #'AmmRequest'{terminationID = [Tid], descriptors = Ds}}) ->
    record_command("Modify", Ctx, [tid_text(Tid)], Ds),
    {modReply, #'AmmsReply'{terminationID = [Tid]}};
command(Ctx, {subtractReq, #'SubtractRequest'{terminationID = [Tid], auditDescriptor = Audit}}) ->
    Term = tid_text(Tid),
    locked(Ctx, fun() ->
        Left = case Term of "*" -> []; _ -> contexts_terms(Ctx) -- [Term] end,
        case Left of [] -> ets:delete(mg, {context, Ctx}); _ -> ets:insert(mg, {{context, Ctx}, Left}) end,
        tally_terms(Ctx, [], [Term])
    end),
    record_command("Subtract", Ctx, [Term], {audit, Audit}),
    Stats = [#'StatisticsParameter'{statName = "nt/os", statValue = ["1200"]},
             #'StatisticsParameter'{statName = "nt/dur", statValue = ["40"]}],
    WantsStats = case Audit of
                     asn1_NOVALUE -> true;
                     #'AuditDescriptor'{auditToken = Tokens} when is_list(Tokens) -> lists:member(statsToken, Tokens);
                     _ -> false
                 end,
    Audited = case WantsStats of true -> [{statisticsDescriptor, Stats}]; false -> asn1_NOVALUE end,
    {subtractReply, #'AmmsReply'{terminationID = [Tid], terminationAudit = Audited}};
command(Ctx, {auditValueRequest, #'AuditRequest'{terminationID = Tid}}) ->
    record_command("AuditValue", Ctx, [tid_text(Tid)], ""),
    {auditValueReply, {auditResult, #'AuditResult'{terminationID = Tid, terminationAuditResult = []}}};
command(Ctx, {Other, _}) ->
    record_command(atom_to_list(Other), Ctx, [], ""),
    {addReply, #'AmmsReply'{terminationID = [?ROOT]}}.

%% megaco handles the transactions of a message, and messages, in processes of their own: a context's two
%% Subtracts can run at once, and each reads, changes and writes the context's termination list. A lock of this
%% node's own (one ets row per context), not the cluster-wide global server, so a command is not slowed into
%% megaco's TransactionPending.
locked(Ctx, Fun) ->
    case ets:insert_new(mg, {{lock, Ctx}, self()}) of
        true ->
            try Fun() after ets:delete(mg, {lock, Ctx}) end;
        false ->
            timer:sleep(1),
            locked(Ctx, Fun)
    end.

contexts_terms(Ctx) ->
    case ets:lookup(mg, {context, Ctx}) of [{_, Ts}] -> Ts; [] -> [] end.

new_context() ->
    N = ets:update_counter(mg, next_context, 1),
    N - 1.

new_termination() ->
    N = ets:update_counter(mg, next_termination, 1),
    "ip/1/1/" ++ integer_to_list(N - 1).

tid_text(#megaco_term_id{id = Parts}) -> lists:flatten(lists:join("/", Parts));
tid_text(Other) -> lists:flatten(io_lib:format("~0p", [Other])).

term_id(Text) -> #megaco_term_id{id = string:split(Text, "/", all)}.

describe(Ds) -> lists:flatten(lists:join(",", [atom_to_list(element(1, D)) || D <- Ds])).

audit_text(asn1_NOVALUE) -> "none";
audit_text(#'AuditDescriptor'{auditToken = asn1_NOVALUE}) -> "empty";
audit_text(#'AuditDescriptor'{auditToken = []}) -> "empty";
audit_text(#'AuditDescriptor'{auditToken = Tokens}) -> lists:flatten(lists:join(",", [atom_to_list(T) || T <- Tokens])).

%% ---- tally (-tally) ----------------------------------------------------------------------------------------

%% The terminations a context had added and subtracted (under the context's lock).
tally_terms(Ctx, Added, Subtracted) ->
    case ets:lookup_element(mg, tally, 2) of
        false -> ok;
        true ->
            {As, Ss} = case ets:lookup(mg, {tally, Ctx}) of [{_, A, S}] -> {A, S}; [] -> {[], []} end,
            ets:insert(mg, {{tally, Ctx}, As ++ Added, Ss ++ Subtracted})
    end.

%% ---- JSON lines ---------------------------------------------------------------------------------------------

record_command(Name, Ctx, Terms, Detail) -> record_command(Name, Ctx, Terms, Detail, []).

%% Detail: the descriptors (Add, Modify), {audit, Audit} (Subtract) or text, rendered only when a line is printed.
%% Extra: fields a test may assert on (the media port an Add gave the termination's Local descriptor).
record_command(Name, Ctx, Terms, Detail, Extra) ->
    case ets:lookup_element(mg, tally, 2) of
        true when Name =:= "Add"; Name =:= "Modify"; Name =:= "Subtract" ->
            ets:update_counter(mg, tally_key(Name), 1),
            ok;
        _ ->
            event("command", [{command, Name}, {contextId, Ctx}, {terminationIds, {list, Terms}},
                              {detail, detail_text(Detail)} | Extra])
    end.

tally_key("Add") -> adds;
tally_key("Modify") -> modifies;
tally_key("Subtract") -> subtracts.

detail_text({audit, Audit}) -> audit_text(Audit);
detail_text(Ds) when is_list(Ds), Ds =/= [], is_tuple(hd(Ds)) -> describe(Ds);
detail_text(Text) -> Text.

event(Name, Fields) ->
    io:format("~s~n", [json([{event, Name} | Fields])]).

json(Fields) ->
    ["{", lists:join(",", [[json_str(atom_to_list(K)), ":", json_val(V)] || {K, V} <- Fields]), "}"].

json_val(V) when is_integer(V) -> integer_to_list(V);
json_val(true) -> "true";
json_val(false) -> "false";
json_val({list, L}) -> ["[", lists:join(",", [json_str(X) || X <- L]), "]"];
json_val(V) -> json_str(V).

json_str(S) ->
    Escaped = lists:flatmap(fun($") -> "\\\""; ($\\) -> "\\\\"; (C) when C < 32 -> " "; (C) -> [C] end,
                            lists:flatten(S)),
    ["\"", Escaped, "\""].

str(S) -> lists:flatten(S).
