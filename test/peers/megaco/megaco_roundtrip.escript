#!/usr/bin/env escript
%% Reads a manifest (one line per message: Form<TAB>OriginalPath<TAB>Form<TAB>EncodedPath, Form = pretty |
%% compact), decodes both files with Erlang/OTP megaco's own text decoder and prints one line per message:
%%   same <EncodedPath> | differ <EncodedPath> <terms> | error <EncodedPath> <reason>
%% Used by test/h248/megaco-roundtrip.test.ts: what cleardown encodes must be read back by megaco as the very
%% message megaco reads from the original corpus file.
-mode(compile).

main([Manifest]) ->
    {ok, Bin} = file:read_file(Manifest),
    Lines = [L || L <- binary:split(Bin, <<"\n">>, [global]), L =/= <<>>],
    lists:foreach(fun check/1, Lines),
    io:format("done ~p~n", [length(Lines)]);
main(_) ->
    io:format("usage: megaco_roundtrip.escript MANIFEST~n"),
    halt(2).

check(Line) ->
    [FormA, PathA, FormB, PathB] = binary:split(Line, <<"\t">>, [global]),
    case {decode(FormA, PathA), decode(FormB, PathB)} of
        {{ok, Same}, {ok, Same}} ->
            io:format("same ~s~n", [PathB]);
        {{ok, A}, {ok, B}} ->
            io:format("differ ~s ~0p ~0p~n", [PathB, A, B]);
        {{error, R}, _} ->
            io:format("error ~s original: ~0p~n", [PathB, R]);
        {_, {error, R}} ->
            io:format("error ~s ~0p~n", [PathB, R])
    end.

decode(Form, Path) ->
    {ok, Text} = file:read_file(Path),
    Codec = case Form of
                <<"pretty">> -> megaco_pretty_text_encoder;
                <<"compact">> -> megaco_compact_text_encoder
            end,
    try Codec:decode_message([], dynamic, Text) of
        {ok, Msg} -> {ok, Msg};
        Other -> {error, Other}
    catch
        C:E -> {error, {C, E}}
    end.
