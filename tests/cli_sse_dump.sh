#!/usr/bin/env bash
# cli_sse_dump.sh: `hitlcheck sse-dump` against its output contract. Every
# tests/data/sse/*.sse must print exactly its .expected.jsonl (Dify's published streams and
# hand-written edge cases: BOM, CR line ends, retry, id persistence, non-ASCII, invalid
# UTF-8); stdin works; 64 KiB read boundaries do not show; exit codes and error lines
# follow the usage text. Needs HITLCHECK (the binary) and HITL_SOURCE_DIR (the repo).
set -euo pipefail

: "${HITLCHECK:?set HITLCHECK to the hitlcheck binary}"
: "${HITL_SOURCE_DIR:?set HITL_SOURCE_DIR to the repository root}"
data="$HITL_SOURCE_DIR/tests/data/sse"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*" >&2
}

# same_output NAME EXPECTED_FILE: compare $tmp/out with the expected file, byte for byte.
same_output() {
    if cmp -s "$tmp/out" "$2"; then
        ok
    else
        bad "$1: output differs from $(basename "$2")"
        diff -u "$2" "$tmp/out" | head -20 >&2 || true
    fi
}

# expect_exit WANT NAME CMD...: run CMD with stdout in $tmp/out and stderr in $tmp/err.
expect_exit() {
    local want=$1 name=$2 rc=0
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    if [ "$rc" -eq "$want" ]; then
        ok
    else
        bad "$name: exit $rc, expected $want"
        sed 's/^/  stderr: /' "$tmp/err" >&2
    fi
}

# one_error_line NAME PATTERN: stderr is exactly one line, prefixed and matching PATTERN.
one_error_line() {
    local lines
    lines=$(wc -l <"$tmp/err")
    if [ "$lines" -eq 1 ] && grep -q '^hitlcheck sse-dump: ' "$tmp/err" && grep -q -- "$2" "$tmp/err"; then
        ok
    else
        bad "$1: expected one 'hitlcheck sse-dump: ...$2...' line on stderr, got:"
        sed 's/^/  stderr: /' "$tmp/err" >&2
    fi
}

# 1. Every pair in tests/data/sse, read from a file.
shopt -s nullglob
inputs=("$data"/*.sse)
dify=("$data"/docs_*.sse)
if [ "${#dify[@]}" -lt 16 ] || [ "${#inputs[@]}" -le "${#dify[@]}" ]; then
    bad "expected the 16 Dify streams and edge cases in $data, found ${#inputs[@]} files"
fi
for sse in "${inputs[@]}"; do
    name=$(basename "$sse")
    expected="${sse%.sse}.expected.jsonl"
    if [ ! -f "$expected" ]; then
        bad "$name: no $(basename "$expected")"
        continue
    fi
    expect_exit 0 "$name" "$HITLCHECK" sse-dump "$sse"
    same_output "$name" "$expected"
done

# 2. Standard input: no argument, '-', and a pipe (not seekable).
first="$data/docs_workflow_events_resumedrun__v1_16"
expect_exit 0 "stdin, no argument" "$HITLCHECK" sse-dump <"$first.sse"
same_output "stdin, no argument" "$first.expected.jsonl"
expect_exit 0 "stdin, -" "$HITLCHECK" sse-dump - <"$first.sse"
same_output "stdin, -" "$first.expected.jsonl"
if cat "$first.sse" | "$HITLCHECK" sse-dump >"$tmp/out" 2>"$tmp/err"; then ok; else bad "stdin pipe: non-zero exit"; fi
same_output "stdin pipe" "$first.expected.jsonl"

# 3. Input larger than one 64 KiB read: a CRLF cut by the read boundary (the CR is byte
# 65535) must stay one line end, and lines spanning reads must come out whole.
big="$tmp/big.sse"
{
    printf 'data: '
    head -c $((65535 - 6)) /dev/zero | tr '\0' 'a'
    printf '\r\ndata: b\r\n\r\n'
    for i in $(seq 1 3000); do printf 'id: %d\ndata: event number %d with some padding text\n\n' "$i" "$i"; done
} >"$big"
{
    printf '{"type": "message", "data": "'
    head -c $((65535 - 6)) /dev/zero | tr '\0' 'a'
    printf '\\nb", "id": ""}\n'
    for i in $(seq 1 3000); do
        printf '{"type": "message", "data": "event number %d with some padding text", "id": "%d"}\n' "$i" "$i"
    done
} >"$tmp/big.expected.jsonl"
expect_exit 0 "input larger than a read" "$HITLCHECK" sse-dump "$big"
same_output "input larger than a read" "$tmp/big.expected.jsonl"

# 4. Failures: exit 1 and one error line.
expect_exit 1 "missing file" "$HITLCHECK" sse-dump "$tmp/no-such-file.sse"
one_error_line "missing file" "no-such-file.sse"
expect_exit 1 "directory as input" "$HITLCHECK" sse-dump "$data"
one_error_line "directory as input" "cannot read"
expect_exit 1 "line cap exceeded" "$HITLCHECK" sse-dump --max-line 64 "$first.sse"
one_error_line "line cap exceeded" "max_line (64 bytes)"
printf 'data: 12345\n\ndata: 123456\n\n' >"$tmp/cap.sse"
expect_exit 1 "data cap exceeded" "$HITLCHECK" sse-dump --max-data=5 "$tmp/cap.sse"
one_error_line "data cap exceeded" "max_data (5 bytes).*byte offset 13"
printf '{"type": "message", "data": "12345", "id": ""}\n' >"$tmp/cap.expected.jsonl"
same_output "events before the cap are printed" "$tmp/cap.expected.jsonl"
if [ -w /dev/full ]; then
    rc=0
    "$HITLCHECK" sse-dump "$first.sse" >/dev/full 2>"$tmp/err" || rc=$?
    if [ "$rc" -eq 1 ]; then ok; else bad "output write error: exit $rc, expected 1"; fi
    one_error_line "output write error" "cannot write the output"
fi

# 5. The default caps take a 16 MiB line and a 16 MiB event (a Dify form with large content
# dumps without flags; the parser's own default line cap is 1 MiB). Generated here, not
# committed. Pins "sse-dump refuses a Dify event over 1 MiB by default".
mib16=$((16 * 1024 * 1024))
{
    printf 'data: '
    head -c "$mib16" /dev/zero | tr '\0' x
    printf '\n\n'
} >"$tmp/line16.sse"
expect_exit 0 "a 16 MiB data line by default" "$HITLCHECK" sse-dump "$tmp/line16.sse"
size=$(wc -c <"$tmp/out")
# {"type": "message", "data": "<16 MiB>", "id": ""} and a newline: 42 bytes around the data.
if [ "$size" -eq $((mib16 + 42)) ] && head -c 40 "$tmp/out" | grep -q '^{"type": "message", "data": "xx'; then
    ok
else
    bad "a 16 MiB data line by default: $size bytes of output, expected $((mib16 + 42))"
fi
# The same event in 16 lines of 1 MiB: 16 MiB of data (and 15 joining LFs).
{
    for _ in $(seq 16); do
        printf 'data: '
        head -c $((1024 * 1024)) /dev/zero | tr '\0' y
        printf '\n'
    done
    printf '\n'
} >"$tmp/event16.sse"
expect_exit 0 "a 16 MiB event by default" "$HITLCHECK" sse-dump "$tmp/event16.sse"
size=$(wc -c <"$tmp/out")
# 15 LFs are written as \n, two bytes each.
if [ "$size" -eq $((mib16 + 30 + 42)) ]; then ok; else
    bad "a 16 MiB event by default: $size bytes of output, expected $((mib16 + 30 + 42))"
fi
# The flags still lower the caps…
expect_exit 1 "--max-line lowers the default" "$HITLCHECK" sse-dump --max-line 1048576 "$tmp/line16.sse"
one_error_line "--max-line lowers the default" "max_line (1048576 bytes)"
expect_exit 1 "--max-data lowers the default" "$HITLCHECK" sse-dump --max-data=8388608 "$tmp/event16.sse"
one_error_line "--max-data lowers the default" "max_data (8388608 bytes)"
# … and raise them past the defaults: a 33 MiB line.
{
    printf 'data: '
    head -c $((33 * 1024 * 1024)) /dev/zero | tr '\0' z
    printf '\n\n'
} >"$tmp/line33.sse"
expect_exit 1 "a 33 MiB line passes the default caps" "$HITLCHECK" sse-dump "$tmp/line33.sse"
one_error_line "a 33 MiB line passes the default caps" "max_line (33554432 bytes)"
expect_exit 0 "--max-line and --max-data raise the caps" "$HITLCHECK" sse-dump \
    --max-line 40000000 --max-data 40000000 "$tmp/line33.sse"
size=$(wc -c <"$tmp/out")
if [ "$size" -eq $((33 * 1024 * 1024 + 42)) ]; then ok; else
    bad "--max-line/--max-data raise the caps: $size bytes of output"
fi
rm -f "$tmp/line16.sse" "$tmp/event16.sse" "$tmp/line33.sse" "$tmp/out"

# 6. Caps that fit leave the output unchanged.
expect_exit 0 "caps that fit" "$HITLCHECK" sse-dump --max-line=4096 --max-data 4096 "$first.sse"
same_output "caps that fit" "$first.expected.jsonl"

# 7. Usage errors: exit 2 and a message naming the problem.
expect_exit 2 "--max-line abc" "$HITLCHECK" sse-dump --max-line abc "$first.sse"
one_error_line "--max-line abc" "--max-line needs a positive integer.*'abc'"
expect_exit 2 "--max-line 0" "$HITLCHECK" sse-dump --max-line 0 "$first.sse"
one_error_line "--max-line 0" "--max-line"
expect_exit 2 "--max-data -5" "$HITLCHECK" sse-dump --max-data -5 "$first.sse"
one_error_line "--max-data -5" "--max-data"
expect_exit 2 "--max-data overflow" "$HITLCHECK" sse-dump --max-data 99999999999999999999999 "$first.sse"
one_error_line "--max-data overflow" "--max-data"
expect_exit 2 "--max-line without a value" "$HITLCHECK" sse-dump --max-line </dev/null
one_error_line "--max-line without a value" "--max-line needs a value"
expect_exit 2 "unknown option" "$HITLCHECK" sse-dump --bogus "$first.sse"
one_error_line "unknown option" "unknown option '--bogus'"
expect_exit 2 "two inputs" "$HITLCHECK" sse-dump "$first.sse" "$first.sse"
one_error_line "two inputs" "one input at a time"

# 8. --help: exit 0, the usage on stdout.
expect_exit 0 "--help" "$HITLCHECK" sse-dump --help
if grep -q '^Usage: hitlcheck sse-dump' "$tmp/out" && grep -q -- '--max-line BYTES' "$tmp/out" &&
    grep -q -- '--max-data BYTES' "$tmp/out" && [ ! -s "$tmp/err" ]; then
    ok
else
    bad "--help: usage text missing from stdout"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
