#!/usr/bin/env bash
# Install the local classroom server: .venv-hub/ (JupyterHub, JupyterLab, nbgitpuller, jupytext,
# ipywidgets, the book's requirements and the rnn_book package, all pinned in
# deploy/requirements-hub.txt) and configurable-http-proxy (pinned by deploy/package-lock.json)
# into deploy/node_modules/. Both are gitignored.
#
# Idempotent: pip runs only when the pinned requirements changed since the last successful
# install, npm only when package-lock.json changed (hash stamps), so a second run takes a second.
# Needs python3 (3.11, see runtime.txt), node >= 18 with npm, git. Usage (any directory):
#   bash deploy/install_hub.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python="${PYTHON:-python3}"
venv=.venv-hub

if [[ ! -x $venv/bin/python ]]; then
  echo "==> creating $venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
fi
stamp="$venv/.rnn_book-hub.sha256"
want="$(cat deploy/requirements-hub.txt requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  echo "==> installing deploy/requirements-hub.txt into $venv"
  rm -f "$stamp"
  "$venv/bin/python" -m pip install --quiet -r deploy/requirements-hub.txt
  echo "$want" >"$stamp"
fi
# JupyterLab's defaults for every student: open the chapters' MyST markdown (.md) as notebooks
# (jupytext's viewer), never fetch news or update checks from the internet.
mkdir -p "$venv/share/jupyter/lab/settings"
cp deploy/jupyterlab/overrides.json "$venv/share/jupyter/lab/settings/overrides.json"

if ! command -v npm >/dev/null; then
  echo "deploy/install_hub.sh: npm is missing (node >= 18 with npm is needed for" \
    "configurable-http-proxy), e.g. apt-get install nodejs npm" >&2
  exit 1
fi
nstamp=deploy/node_modules/.rnn_book-lock.sha256
nwant="$(sha256sum deploy/package-lock.json | cut -d' ' -f1)"
if [[ "$(cat "$nstamp" 2>/dev/null)" != "$nwant" ]]; then
  echo "==> installing configurable-http-proxy (deploy/package-lock.json) into deploy/node_modules"
  (cd deploy && npm ci --no-audit --no-fund --loglevel=error)
  echo "$nwant" >"$nstamp"
fi
