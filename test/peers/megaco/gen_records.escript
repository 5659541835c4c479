#!/usr/bin/env escript
%% Writes the record definitions the MG needs (megaco_receive_handle, megaco_conn_handle, megaco_term_id and the
%% H.248 v1 message records) to the .hrl file named on the command line, taken from the installed megaco's own
%% text codec (its abstract code): Debian's erlang-megaco ships no include files.
main([Out]) ->
    Mod = megaco_compact_text_encoder_v1,
    {ok, {_, [{abstract_code, {_, Forms}}]}} = beam_lib:chunks(code:which(Mod), [abstract_code]),
    Records = [F || {attribute, _, record, _} = F <- Forms],
    Text = [erl_pp:form(F) || F <- Records],
    ok = file:write_file(Out, ["%% generated from ", atom_to_list(Mod), " by gen_records.escript\n" | Text]),
    io:format("~p records~n", [length(Records)]).
