#!/usr/bin/env bash
# Install what shrinksearch needs on this machine: system packages (when we may install them)
# and a virtual environment in .venv with the project and its test/embedding extras.
# Safe to run again; used by the README's first command and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

want=()
command -v chromium >/dev/null || want+=(chromium)        # browser tests (headless)
command -v mvn >/dev/null || want+=(maven)                 # fetches Elasticsearch from Maven Central
command -v docker-compose >/dev/null || want+=(docker-compose)  # validates docker-compose.yml
if ((${#want[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing system packages: ${want[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}" >/dev/null
  else
    echo "note: missing ${want[*]} (install them with your package manager for the full test suite)" >&2
  fi
fi

echo "== python environment in .venv"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[dev,embeddings]'
echo "== ready: .venv/bin/shrinksearch --help"
