# Sourced by the e2e scripts (needs BIN and OUT): fail, and expect_error for bad inputs.
fail() { echo "FAIL: $*" >&2; exit 1; }
checks=0
# expect_error "exact first error line" srscope-args...: a non-zero exit within 20 s, no crash, the
# first line of stderr (after eval's skipped-file notes) as given, and nothing more unless it is a
# usage error (exit 64, which adds ArgumentParser's usage lines).
expect_error() {
  local want=$1; shift
  local rc=0
  timeout 20 "$BIN" "$@" >"$OUT/out" 2>"$OUT/err" || rc=$?
  [[ $rc != 0 ]] || fail "accepted: $*"
  [[ $rc != 124 ]] || fail "hung: $*"
  [[ $rc -lt 128 ]] || fail "crashed (signal $((rc - 128))): $*: $(head -c 300 "$OUT/err")"
  local lines; lines=$(grep -v '^eval: skipped' "$OUT/err" || true)
  [[ "$(head -1 <<<"$lines")" == "$want" ]] || fail "for '$*' expected '$want', got '$(head -1 <<<"$lines")'"
  [[ $rc == 64 || $(wc -l <<<"$lines") == 1 ]] || fail "for '$*' the error is not one line: $lines"
  checks=$((checks + 1))
}
