#!/usr/bin/env bash
# Installs the independent WebSocket implementations the tests run against, when missing:
#   python3 websockets (Debian package, used through /usr/bin/python3)
#   Node ws (npm, into test-peers/node/node_modules, git-ignored)
#   Node playwright-core (npm, likewise; it drives Debian's Chromium to record HAR files, and
#   downloads no browser of its own)
#   tshark (Debian package), the oracle that reads the pcapng export; with it come dumpcap and
#   editcap (wireshark-common), which the live-capture tests record lo with and inject TLS secrets with
#   openssl (Debian package), which makes the live-capture tests' certificates and drives a TLS 1.3
#   KeyUpdate (s_client)
#   headless Chromium and NSS's certutil (Debian packages chromium, libnss3-tools), for the
#   browser through the intercepting proxy
#   chromedriver (Debian package chromium-driver, the same version as chromium), for the Selenium
#   tests of the web UI
#   protoc (Debian package protobuf-compiler), which makes the descriptor set of the --proto tests
# Safe to run again: it only installs what is absent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

apt_packages=()
if ! /usr/bin/python3 -c 'import websockets' >/dev/null 2>&1; then
  apt_packages+=(python3-websockets)
fi
if ! command -v node >/dev/null 2>&1; then
  apt_packages+=(nodejs npm)
fi
if ! command -v tshark >/dev/null 2>&1 || ! command -v dumpcap >/dev/null 2>&1 || ! command -v editcap >/dev/null 2>&1; then
  apt_packages+=(tshark)
fi
if ! command -v openssl >/dev/null 2>&1; then
  apt_packages+=(openssl)
fi
if ! command -v chromium >/dev/null 2>&1; then
  apt_packages+=(chromium)
fi
if ! command -v chromedriver >/dev/null 2>&1; then
  apt_packages+=(chromium-driver)
fi
if ! command -v certutil >/dev/null 2>&1; then
  apt_packages+=(libnss3-tools)
fi
if ! command -v protoc >/dev/null 2>&1; then
  apt_packages+=(protobuf-compiler)
fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  echo "install-peers: apt-get install ${apt_packages[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  # tshark's package asks whether non-root users may capture: answer no, without a prompt
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo_cmd debconf-set-selections
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

node_dir="$root/test-peers/node"
# every dependency of package.json present, or npm install (a newly listed library comes in on the next run)
if ! node -e '
  const dir = process.argv[1];
  const deps = Object.keys(require(dir + "/package.json").dependencies);
  const fs = require("fs");
  for (const d of deps) if (!fs.existsSync(dir + "/node_modules/" + d + "/package.json")) process.exit(1);
' "$node_dir" 2>/dev/null; then
  echo "install-peers: npm install (test-peers/node)" >&2
  (cd "$node_dir" && npm install --no-audit --no-fund --no-package-lock --loglevel=error)
fi

/usr/bin/python3 -c 'import websockets; print("install-peers: python websockets", websockets.__version__)' >&2
node -e "console.error(\"install-peers: node ws \" + require(process.argv[1]).version)" "$node_dir/node_modules/ws/package.json"
node -e "console.error(\"install-peers: node playwright-core \" + require(process.argv[1]).version)" "$node_dir/node_modules/playwright-core/package.json"
tshark_version="$(tshark --version 2>/dev/null || true)"
echo "install-peers: ${tshark_version%%$'\n'*}" >&2
echo "install-peers: $(openssl version 2>/dev/null)" >&2
echo "install-peers: $(chromium --version 2>/dev/null | head -n 1)" >&2
echo "install-peers: $(chromedriver --version 2>/dev/null | head -n 1)" >&2
echo "install-peers: $(protoc --version 2>/dev/null) (protoc)" >&2
