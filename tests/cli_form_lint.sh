#!/usr/bin/env bash
# cli_form_lint.sh: `hitlcheck form-lint` against its usage text. Every Dify form in
# tests/data/form lints clean (exit 0, no output); invalid forms print exactly their
# `path: message` lines (exit 1); --json prints the normalized form; stdin works; a whole
# human_input_required frame is validated through its data; oversized, empty, non-JSON and
# non-object input exit 1 with one `FILE: message` line; usage and I/O errors exit 2 with one
# line on stderr. Needs HITLCHECK and HITL_SOURCE_DIR.
set -euo pipefail

: "${HITLCHECK:?set HITLCHECK to the hitlcheck binary}"
: "${HITL_SOURCE_DIR:?set HITL_SOURCE_DIR to the repository root}"
data="$HITL_SOURCE_DIR/tests/data/form"
events="$HITL_SOURCE_DIR/tests/data/sse"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*" >&2
}

# run WANT NAME CMD...: run CMD with stdout in $tmp/out and stderr in $tmp/err; check the exit.
run() {
    local want=$1 name=$2 rc=0
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    if [ "$rc" -eq "$want" ]; then
        ok
    else
        bad "$name: exit $rc, expected $want"
        sed 's/^/  stdout: /' "$tmp/out" | head -20 >&2
        sed 's/^/  stderr: /' "$tmp/err" | head -20 >&2
    fi
}

# same FILE NAME: $tmp/<FILE> equals $tmp/want byte for byte.
same() {
    if cmp -s "$tmp/$1" "$tmp/want"; then
        ok
    else
        bad "$2: $1 differs from the expected text"
        diff -u "$tmp/want" "$tmp/$1" | head -30 >&2 || true
    fi
}

empty() {
    if [ ! -s "$tmp/$1" ]; then ok; else
        bad "$2: expected no $1, got:"
        head -5 "$tmp/$1" >&2
    fi
}

# err_line NAME TEXT: stderr is exactly the one line "hitlcheck form-lint: TEXT".
err_line() {
    printf 'hitlcheck form-lint: %s\n' "$2" >"$tmp/want"
    same err "$1"
}

# 1. Dify's own forms are valid: exit 0, silent.
shopt -s nullglob
forms=("$data"/dify_test_*.json "$data"/docs_*.json)
if [ "${#forms[@]}" -ne 7 ]; then bad "expected 7 Dify forms in $data, found ${#forms[@]}"; fi
for f in "${forms[@]}"; do
    n=$(basename "$f")
    run 0 "$n" "$HITLCHECK" form-lint "$f"
    empty out "$n"
    empty err "$n"
done

# 2. The SVC test's mocked body: no input type, reported at its path.
run 1 svc_mock "$HITLCHECK" form-lint "$data/unclassified_dify_test_svc_get_success_mock.json"
printf '%s\n' '$.inputs[0].type: required key is missing' >"$tmp/want"
same out svc_mock
empty err svc_mock

# 3. Every problem of a many-problem form, in order, on stdout.
run 1 many_problems "$HITLCHECK" form-lint "$data/invalid_many_problems.json"
cat >"$tmp/want" <<'EOF'
$.form_content: must be a string, got number
$.inputs[0].default.selector: a variable selector needs at least 2 elements, got 1
$.inputs[1].option_source.value[1]: must be a string, got number
$.inputs[2].allowed_file_upload_methods[1]: "ftp" is not one of local_file, remote_url
$.inputs[2].allowed_file_extensions: must not be empty when allowed_file_types contains "custom"
$.inputs[3].number_limits: must be >= 0, got -1
$.inputs[4].type: unknown input type "slider"; expected one of paragraph, select, file, file-list, text_input
$.inputs[1].output_variable_name: duplicate output_variable_name "feedback" (also at $.inputs[0])
$.resolved_default_values.age: must be a string (GET stringifies default values), got number
$.user_actions[1].id: does not match ^[A-Za-z_][A-Za-z0-9_]*$
$.user_actions[1].button_style: "loud" is not one of primary, default, accent, ghost
$.user_actions[2].id: duplicate action id "approve" (also at $.user_actions[0])
$.expiration_time: integer is outside +/-9007199254740991 (2^53-1) and cannot be read exactly
EOF
same out many_problems
empty err many_problems
# --json changes nothing for an invalid form.
run 1 many_problems_json "$HITLCHECK" form-lint --json "$data/invalid_many_problems.json"
same out many_problems_json

# 4. A whole human_input_required frame: its data is validated, paths under $.data.
run 1 frame_invalid "$HITLCHECK" form-lint "$data/invalid_event_frame.json"
cat >"$tmp/want" <<'EOF'
$.data.display_in_ui: must be a boolean, got string
$.data.form_token: must be a string or null, got number
EOF
same out frame_invalid

grep '"event": "human_input_required"' "$events/docs_chat_messages_humaninputpause__v1_15.sse" |
    sed 's/^data: //' >"$tmp/frame.json"
run 0 frame_valid_json "$HITLCHECK" form-lint --json "$tmp/frame.json"
cat >"$tmp/want" <<'EOF'
{"form_id":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","node_id":"approval_node","node_title":"Approval","form_content":"Please review the draft.","inputs":[{"type":"paragraph","output_variable_name":"comment","default":null}],"actions":[{"id":"approve","title":"Approve","button_style":"primary"}],"display_in_ui":false,"form_token":"tok_abc123","resolved_default_values":{"comment":""},"expiration_time":1705494029}
EOF
same out frame_valid_json

printf '{"event":"human_input_required","task_id":"t"}' >"$tmp/nodata.json"
run 1 frame_without_data "$HITLCHECK" form-lint "$tmp/nodata.json"
printf '%s\n' '$.data: required key is missing' >"$tmp/want"
same out frame_without_data
printf '{"event":"human_input_required","data":"x"}' >"$tmp/strdata.json"
run 1 frame_data_string "$HITLCHECK" form-lint "$tmp/strdata.json"
printf '%s\n' '$.data: must be an object, got string' >"$tmp/want"
same out frame_data_string

# 5. --json prints the normalized form of a valid one (extra keys dropped, order fixed).
run 0 json_v1_15 "$HITLCHECK" form-lint --json "$data/docs_get_form__v1_15.json"
cat >"$tmp/want" <<'EOF'
{"form_content":"Please review the draft, set a priority, and confirm or request changes.","inputs":[{"type":"paragraph","output_variable_name":"feedback","default":{"type":"constant","selector":[],"value":""}},{"type":"select","output_variable_name":"priority","option_source":{"type":"constant","selector":[],"value":["low","medium","high"]}},{"type":"file","output_variable_name":"attachment","allowed_file_types":["image","document"],"allowed_file_extensions":[],"allowed_file_upload_methods":["local_file","remote_url"]},{"type":"file-list","output_variable_name":"attachments","allowed_file_types":["image","document"],"allowed_file_extensions":[],"allowed_file_upload_methods":["local_file","remote_url"],"number_limits":5}],"resolved_default_values":{"feedback":""},"user_actions":[{"id":"approve","title":"Approve","button_style":"primary"},{"id":"reject","title":"Request changes","button_style":"default"}],"expiration_time":1745510400}
EOF
same out json_v1_15
run 0 json_pr783 "$HITLCHECK" form-lint --json "$data/docs_get_form__pr783.json"
if grep -q '"default":null' "$tmp/out"; then bad "json_pr783: the file-list's extra \"default\": null survived"; else ok; fi
# The normalized output is itself valid and normalizes to itself.
cp "$tmp/out" "$tmp/norm.json"
run 0 json_idempotent "$HITLCHECK" form-lint --json "$tmp/norm.json"
cp "$tmp/norm.json" "$tmp/want"
same out json_idempotent

# 6. Standard input, absent or '-'.
run 0 stdin_valid "$HITLCHECK" form-lint <"$data/docs_get_form__v1_14.json"
empty out stdin_valid
run 1 stdin_dash_invalid "$HITLCHECK" form-lint - <"$data/unclassified_dify_test_svc_get_success_mock.json"
printf '%s\n' '$.inputs[0].type: required key is missing' >"$tmp/want"
same out stdin_dash_invalid

# 7. --kind forces the model.
run 1 kind_get_on_event "$HITLCHECK" form-lint --kind get "$tmp/frame.json"
cat >"$tmp/want" <<'EOF'
$.form_content: required key is missing
$.inputs: required key is missing
$.resolved_default_values: required key is missing
$.user_actions: required key is missing
$.expiration_time: required key is missing
EOF
same out kind_get_on_event
run 1 kind_event_on_get "$HITLCHECK" form-lint --kind=event "$data/docs_get_form__v1_14.json"
cat >"$tmp/want" <<'EOF'
$.form_id: required key is missing
$.node_id: required key is missing
$.node_title: required key is missing
$.actions: required key is missing
$.display_in_ui: required key is missing
$.form_token: required key is missing
EOF
same out kind_event_on_get

# 8. Every input it can read is judged: text that is no form at all (empty, not JSON, NaN,
# trailing text, truncated, over the cap, a top level that is not an object) exits 1 with
# one `FILE: message` line on stdout and nothing on stderr. (Pins the issue "form-lint exits
# 2 for a file that is not JSON": exit 2 is for usage and I/O errors only.)
# out_line NAME TEXT: stdout is exactly the one line TEXT and stderr is empty.
out_line() {
    printf '%s\n' "$2" >"$tmp/want"
    same out "$1"
    empty err "$1"
}
run 1 not_json "$HITLCHECK" form-lint "$data/invalid_not_json.txt"
out_line not_json "$data/invalid_not_json.txt: not valid JSON: unterminated string at byte 27 of 27"
printf '\x01{}' >"$tmp/ctl.json"
run 1 lenient_json_refused "$HITLCHECK" form-lint "$tmp/ctl.json"
out_line lenient_json_refused "$tmp/ctl.json: not valid JSON: unexpected character at byte 0 of 3"
run 1 not_object "$HITLCHECK" form-lint "$data/invalid_not_object.json"
out_line not_object "$data/invalid_not_object.json: a form definition must be a JSON object, got array"
printf '"form"' >"$tmp/string.json"
run 1 top_level_string "$HITLCHECK" form-lint "$tmp/string.json"
out_line top_level_string "$tmp/string.json: a form definition must be a JSON object, got string"
: >"$tmp/empty.json"
run 1 empty_input "$HITLCHECK" form-lint "$tmp/empty.json"
out_line empty_input "$tmp/empty.json: not valid JSON: the text is empty"
run 1 empty_stdin "$HITLCHECK" form-lint </dev/null
out_line empty_stdin "<stdin>: not valid JSON: the text is empty"
for c in nan:'{"expiration_time": NaN}' trailing:'{"form_content": "x"} trailing' \
    truncated:'{"form_content": "x", "inputs": [' two_objects:'{} {}'; do
    name=${c%%:*}
    printf '%s' "${c#*:}" >"$tmp/$name.json"
    run 1 "$name" "$HITLCHECK" form-lint "$tmp/$name.json"
    if grep -qE "^$tmp/$name.json: not valid JSON: .* at byte [0-9]+ of [0-9]+\$" "$tmp/out" &&
        [ "$(wc -l <"$tmp/out")" -eq 1 ]; then ok; else
        bad "$name: stdout is not one 'FILE: not valid JSON: … at byte N of M' line:"
        cat "$tmp/out" >&2
    fi
    empty err "$name"
done
head -c $((16 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$tmp/big.json"
run 1 over_16_mib "$HITLCHECK" form-lint "$tmp/big.json"
out_line over_16_mib "$tmp/big.json: larger than 16777216 bytes (16 MiB), the cap for a form definition"
run 1 over_16_mib_stdin "$HITLCHECK" form-lint <"$tmp/big.json"
out_line over_16_mib_stdin "<stdin>: larger than 16777216 bytes (16 MiB), the cap for a form definition"
# Exactly 16 MiB is read (and here is whitespace only).
head -c $((16 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$tmp/cap.json"
run 1 at_16_mib_read "$HITLCHECK" form-lint "$tmp/cap.json"
out_line at_16_mib_read "$tmp/cap.json: not valid JSON: the text is empty"

# 9. Exit 2: usage and I/O errors only, one line on stderr, nothing on stdout.
run 2 missing_file "$HITLCHECK" form-lint "$tmp/does-not-exist.json"
err_line missing_file "cannot open '$tmp/does-not-exist.json': No such file or directory"
empty out missing_file
mkdir -p "$tmp/a-directory"
run 2 directory "$HITLCHECK" form-lint "$tmp/a-directory"
err_line directory "cannot read $tmp/a-directory: Is a directory"
empty out directory
run 2 unknown_option "$HITLCHECK" form-lint --strict "$data/docs_get_form__v1_14.json"
err_line unknown_option "unknown option '--strict'; run \`hitlcheck form-lint --help\`"
run 2 bad_kind "$HITLCHECK" form-lint --kind web "$data/docs_get_form__v1_14.json"
err_line bad_kind "--kind needs auto, get or event, got 'web'"
run 2 kind_without_value "$HITLCHECK" form-lint --kind
err_line kind_without_value "--kind needs auto, get or event, got 'nothing'"
run 2 two_inputs "$HITLCHECK" form-lint a.json b.json
err_line two_inputs "one input at a time, got 'a.json' and 'b.json'; run \`hitlcheck form-lint --help\`"

# 10. --help is complete and exits 0.
run 0 help "$HITLCHECK" form-lint --help
for want in 'Usage: hitlcheck form-lint \[--kind auto|get|event\] \[--json\] \[FILE|-\]' \
    'human_input_required' 'Exit codes: 0 valid; 1 invalid' '--json' '--kind KIND' '16777216 bytes'; do
    if grep -q -- "$want" "$tmp/out"; then ok; else bad "help: missing '$want'"; fi
done
empty err help

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
