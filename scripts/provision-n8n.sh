#!/usr/bin/env bash
# Installs a pinned n8n into a cache folder outside the repo's own dependencies (n8n is ~1.7 GB), once.
# Prints the folder's path (last line of stdout; everything else goes to stderr). Re-running with the same
# version reuses the install.
#
# Dependencies are installed without their install scripts, so sqlite3's native module is not built by
# `npm install`: it is rebuilt explicitly (from source with node-gyp when no prebuilt binary can be downloaded,
# which needs python3, make, g++ and Node's headers; `npm config get nodedir` or node-gyp's cache). The install
# only counts as done once sqlite3 actually opens a database, and a cached install whose sqlite3 does not load
# is repaired by rebuilding, not reinstalled.
set -euo pipefail
N8N_VERSION="${N8N_VERSION:-1.123.21}"
CACHE_ROOT="${N8N_HOST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-whatsapp-automator}"
HOST_DIR="$CACHE_ROOT/n8n-$N8N_VERSION"
# n8n 2.x: run with a Node it accepts (test/e2e/run-in-n8n.js --n8n 2 puts scripts/provision-node.sh's Node 24 first
# on PATH, with npm_config_nodedir at its headers), also wants `cssomnom` (not in the registry; cssom stands in, the
# part using it is not on the paths tested) and isolated-vm's native module (prebuilt for Node 24, rebuilt here).
N8N_MAJOR="${N8N_VERSION%%.*}"
OVERRIDES='"xlsx": "0.18.5"'
NATIVE=(sqlite3)
if [ "$N8N_MAJOR" -ge 2 ]; then
  OVERRIDES="$OVERRIDES, \"cssomnom\": \"npm:cssom@0.5.0\""
  NATIVE+=(isolated-vm)
fi

sqlite_works() {
  (cd "$HOST_DIR" && node -e "
    const sqlite3 = require('sqlite3');
    const db = new sqlite3.Database(':memory:');
    db.get('select 1 as ok', (error, row) => { if (error || !row || row.ok !== 1) process.exit(1); db.close(); });
  ") >/dev/null 2>&1 && { [ "$N8N_MAJOR" -lt 2 ] || (cd "$HOST_DIR" && node -e "
    const ivm = require('isolated-vm');
    const isolate = new ivm.Isolate({ memoryLimit: 16 });
    if (isolate.compileScriptSync('6 * 7').runSync(isolate.createContextSync()) !== 42) process.exit(1);
  ") >/dev/null 2>&1; }
}

rebuild_sqlite() {
  echo "provision-n8n: building native modules (${NATIVE[*]}) in $HOST_DIR" >&2
  # --ignore-scripts=false: under `npm run`, the repo's .npmrc (ignore-scripts=true) reaches this npm through
  # npm_config_ignore_scripts, and a rebuild that skips scripts builds nothing.
  (cd "$HOST_DIR" && npm rebuild "${NATIVE[@]}" --ignore-scripts=false --foreground-scripts --loglevel=error >&2) || true
  if ! sqlite_works; then
    echo "provision-n8n: ${NATIVE[*]} still do(es) not load with Node $(node -v) after 'npm rebuild ${NATIVE[*]}' in $HOST_DIR" >&2
    echo "provision-n8n: it builds from source: install python3, make and g++, and Node's headers (npm_config_nodedir)" >&2
    exit 1
  fi
}

# Two runs at once (an engineer and CI) must not install into the same folder together.
mkdir -p "$CACHE_ROOT"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_ROOT/.provision.lock"
  flock 9
fi

if [ ! -x "$HOST_DIR/node_modules/.bin/n8n" ] || [ ! -f "$HOST_DIR/.installed" ]; then
  rm -f "$HOST_DIR/.installed"
  mkdir -p "$HOST_DIR"
  cat > "$HOST_DIR/package.json" <<JSON
{
  "name": "n8n-host",
  "private": true,
  "dependencies": { "n8n": "$N8N_VERSION" },
  "overrides": { $OVERRIDES }
}
JSON
  echo "provision-n8n: installing n8n@$N8N_VERSION into $HOST_DIR (a few minutes, once)" >&2
  # No dependency install scripts (some fail to build here, e.g. @confluentinc/kafka-javascript, and none but
  # sqlite3's is needed); sqlite3 is built next.
  (cd "$HOST_DIR" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  rebuild_sqlite
  touch "$HOST_DIR/.installed"
elif ! sqlite_works; then
  rebuild_sqlite
fi
echo "$HOST_DIR"
