#!/usr/bin/env bash
# One command: install (first time) and start the local classroom hub on 127.0.0.1 with this
# checkout's current commit served to it as the chapters' git remote; prints the nbgitpuller
# link of every chapter. Ctrl-C stops the hub and every process it started.
# TEST/TRIAL setup only (any user name and password; see deploy/test/jupyterhub_config.py):
# to teach, deploy deploy/jupyterhub_config.py or deploy/z2jh/config.yaml (deploy/README.md).
#
# Usage: bash deploy/start_hub.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash deploy/install_hub.sh
exec .venv-hub/bin/python deploy/local_hub.py
