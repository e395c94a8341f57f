#!/usr/bin/env bash
# Installs a pinned n8n into a cache folder outside the repo's own dependencies (n8n is ~1.7 GB), once.
# Prints the folder's path. Re-running with the same version reuses the install.
set -euo pipefail
N8N_VERSION="${N8N_VERSION:-1.123.21}"
CACHE_ROOT="${N8N_HOST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-whatsapp-automator}"
HOST_DIR="$CACHE_ROOT/n8n-$N8N_VERSION"

if [ ! -x "$HOST_DIR/node_modules/.bin/n8n" ] || [ ! -f "$HOST_DIR/.installed" ]; then
  mkdir -p "$HOST_DIR"
  cat > "$HOST_DIR/package.json" <<JSON
{
  "name": "n8n-host",
  "private": true,
  "dependencies": { "n8n": "$N8N_VERSION" },
  "overrides": { "xlsx": "0.18.5" }
}
JSON
  (cd "$HOST_DIR" && npm install --no-audit --no-fund --loglevel=error >&2 && npm rebuild sqlite3 >&2)
  touch "$HOST_DIR/.installed"
fi
echo "$HOST_DIR"
