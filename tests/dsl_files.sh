#!/usr/bin/env bash
# dsl_files.sh: every Dify app DSL in specs/dify-app/ passes the DSL rules (dsl_check
# --strict, tests/dsl.c), says version "0.6.0" as a YAML string, and each is named in
# specs/dify-app/README.md; broken copies made here, one fault each, are refused, naming the
# rule they break. A copy whose edit did not apply fails the test rather than passing it.
# Env: DSL_CHECK (the dsl_check tool), HITL_SOURCE_DIR (the source tree).
set -uo pipefail
: "${DSL_CHECK:?DSL_CHECK must name the dsl_check tool}"
: "${HITL_SOURCE_DIR:?HITL_SOURCE_DIR must name the source tree}"
dir=$HITL_SOURCE_DIR/specs/dify-app
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

shopt -s nullglob
files=("$dir"/*.yml)
if [ "${#files[@]}" -lt 7 ]; then
  bad "specs/dify-app/ holds ${#files[@]} DSL files, expected at least 7"
fi
for f in "${files[@]}"; do
  name=${f#"$HITL_SOURCE_DIR"/}
  if out=$("$DSL_CHECK" --strict "$f"); then ok "$out"; else bad "$out"; fi
  if grep -qx 'version: "0.6.0"' "$f"; then ok "$name: version \"0.6.0\""
  else bad "$name: no line 'version: \"0.6.0\"'"; fi
  if grep -q "${f##*/}" "$dir/README.md"; then ok "$name: named in specs/dify-app/README.md"
  else bad "$name: not named in specs/dify-app/README.md"; fi
done

# mutate NAME SOURCE EXPECTED [--lax-passes] -- EDIT…: copy SOURCE with the edit (a sed
# script, or "drop-edge ID" to delete that edge's block) and require dsl_check --strict to
# refuse it with a message containing EXPECTED. --lax-passes: the fault breaks only a strict
# rule, so plain dsl_check must accept the copy.
mutate() {
  local name=$1 src=$dir/$2 expected=$3 lax=0
  shift 3
  if [ "${1:-}" = --lax-passes ]; then lax=1; shift; fi
  if [ "${1:-}" = -- ]; then shift; fi
  local copy=$work/${name// /_}.yml
  if [ "$1" = drop-edge ]; then
    awk -v id="      - id: $2" '
      $0 == id { skip = 1; next }
      skip && /^      - / { skip = 0 }
      skip && /^    [a-z]/ { skip = 0 }
      !skip { print }' "$src" > "$copy"
  else
    sed -e "$1" "$src" > "$copy"
  fi
  if cmp -s "$src" "$copy"; then
    bad "$name: the edit changed nothing in ${src##*/} (the test would be vacuous)"
    return
  fi
  local out
  if out=$("$DSL_CHECK" --strict "$copy"); then
    bad "$name: accepted: $out"
  elif [[ "$out" != *"$expected"* ]]; then
    bad "$name: refused, but not for '$expected': $out"
  else
    ok "$name: ${out#"$work"/}"
  fi
  if [ "$lax" = 1 ]; then
    if out=$("$DSL_CHECK" "$copy"); then ok "$name: accepted without --strict"
    else bad "$name: refused without --strict: $out"; fi
  fi
}

mutate "wrong handle" workflow.yml \
  "sourceHandle 'reject' is not a handle of human-input approval_node (approve, revise, __timeout)" \
  -- 's/sourceHandle: revise$/sourceHandle: reject/'
mutate "timeout handle misspelt" workflow.yml "sourceHandle '__timeout__' is not a handle" \
  -- 's/sourceHandle: __timeout$/sourceHandle: __timeout__/'
mutate "if-else handle" chatflow-ifelse.yml \
  "sourceHandle 'else' is not a handle of if-else route (true, false)" \
  -- "s/sourceHandle: 'false'/sourceHandle: 'else'/"
mutate "bad action id" workflow.yml "'request-changes' is not a valid action id" \
  -- 's/{id: revise, /{id: request-changes, /'
mutate "missing field" workflow.yml "approval_node).data: missing form_content" \
  -- '/form_content: |-/,/{{#$output.attachments#}}/d'
mutate "missing app mode" chatflow.yml "app: missing mode" -- '/^  mode: advanced-chat$/d'
mutate "unknown input type" workflow.yml "unknown input type 'file_list'" \
  -- 's/- type: file-list$/- type: file_list/'
mutate "version a float" workflow.yml "must be a YAML string" -- 's/^version: "0.6.0"$/version: 0.6/'
mutate "version needs a confirmation" workflow.yml "newer than 0.6.0" --lax-passes \
  -- 's/^version: "0.6.0"$/version: "0.7.0"/'
mutate "button style" chatflow.yml "button_style 'danger' is not a button style" \
  -- 's/button_style: primary/button_style: danger/'
mutate "timeout unit" workflow.yml "timeout_unit 'minute' is not a timeout unit" \
  -- 's/timeout_unit: hour/timeout_unit: minute/'
mutate "delivery id" workflow.yml "is not a UUID" \
  -- 's/- id: c051aed0-6c8a-4de3-8594-6f73dfd60733/- id: webapp-method/'
mutate "timeout branch unconnected" workflow-parallel.yml "no edge leaves review_a by __timeout" \
  --lax-passes -- drop-edge review_a-__timeout-end_a-target
mutate "unreachable node" chatflow-sequential.yml \
  "answer_timeout_1).data: not reachable from the start node" \
  -- drop-edge review_1-__timeout-answer_timeout_1-target
mutate "action title too long for 1.13" workflow-paragraph.yml \
  "title must have 1 to 20 characters" --lax-passes \
  -- 's/title: Request changes,/title: Request changes before approval,/'
mutate "output of a missing input" workflow-parallel.yml "review_a has no output 'feedbak'" \
  -- 's/\[review_a, __action_id\]/[review_a, feedbak]/'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
