# Sourced by build_book.sh and test.sh: make sure ./.venv exists and holds what they need.
#
# Idempotent: pip runs only when requirements.txt / pyproject.toml changed since the last
# successful install (a hash stamp inside .venv), so a second run costs a few seconds.
# Usage (after `cd` to the repository root): ensure_venv [test]

ensure_venv() {
  local want_test="${1:-}"
  local python="${PYTHON:-python3}"
  if [[ ! -x .venv/bin/python ]]; then
    echo "==> creating .venv with $("$python" --version 2>&1)"
    "$python" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
  fi
  local stamp=".venv/.rnn_book-requirements.sha256"
  local want_hash
  want_hash="$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$want_hash" ]]; then
    echo "==> installing requirements.txt into .venv"
    rm -f "$stamp" .venv/.rnn_book-test.sha256
    .venv/bin/python -m pip install --quiet -r requirements.txt
    echo "$want_hash" >"$stamp"
  fi
  if [[ "$want_test" == "test" ]]; then
    local tstamp=".venv/.rnn_book-test.sha256"
    if [[ "$(cat "$tstamp" 2>/dev/null)" != "$want_hash" ]]; then
      echo "==> installing the test extra (pytest, hypothesis, playwright, CPU torch) into .venv"
      # torch is pinned to 2.13.0: on this machine pip takes the local CPU wheel (find-links).
      .venv/bin/python -m pip install --quiet -e ".[test]"
      echo "$want_hash" >"$tstamp"
    fi
  fi
}
