#!/bin/sh
# Installs the mcp-gateway binary for this machine.
#
#   curl -fsSL https://github.com/mcp-gateway/mcp-gateway/releases/latest/download/install.sh | sh
#
# Environment:
#   MCP_GATEWAY_INSTALL_DIR  where the binary goes (default ~/.local/bin; created if missing)
#   MCP_GATEWAY_VERSION      a release such as 0.1.0 (default: the latest release)
#   MCP_GATEWAY_BASE_URL     where the release assets live; overrides MCP_GATEWAY_VERSION
#                            (default https://github.com/mcp-gateway/mcp-gateway/releases/latest/download)
#
# It downloads <base>/mcp-gateway-<os>-<arch> and <base>/SHA256SUMS, checks the binary's sha256
# against that list, and only then puts it in place. On any failure nothing is installed.
set -eu

repo="mcp-gateway/mcp-gateway"

say() { printf '%s\n' "$*"; }
fail() {
  printf 'mcp-gateway install: %s\n' "$*" >&2
  exit 1
}

# Sets $asset to the release asset for this OS and CPU.
detect_asset() {
  os=$(uname -s)
  arch=$(uname -m)
  case "$os" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    MINGW* | MSYS* | CYGWIN*) os=windows ;;
    *) fail "no build for $os; releases exist for Linux, macOS and Windows (experimental)" ;;
  esac
  case "$arch" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) fail "no build for the $arch CPU; releases exist for x64 and arm64" ;;
  esac
  # An x64 shell under Rosetta on Apple silicon gets the native build.
  if [ "$os" = darwin ] && [ "$arch" = x64 ] &&
    [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
    arch=arm64
  fi
  if [ "$os" = linux ] && ldd --version 2>&1 | grep -qi musl; then
    fail "this Linux uses musl libc and the release binaries need glibc; run the container image (ghcr.io/$repo) instead"
  fi
  if [ "$os" = windows ]; then
    [ "$arch" = x64 ] || fail "no Windows build for $arch; only windows-x64 (experimental)"
    asset="mcp-gateway-windows-x64.exe"
  else
    asset="mcp-gateway-$os-$arch"
  fi
}

# download URL FILE
download() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 2 -o "$2" "$1" || fail "download failed: $1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1" || fail "download failed: $1"
  else
    fail "needs curl or wget to download $1"
  fi
}

# sha256_of FILE: prints the file's sha256 in hex.
sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  elif command -v openssl >/dev/null 2>&1; then
    openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1
  else
    fail "needs sha256sum, shasum or openssl to verify the download"
  fi
}

# Prints how to put $1 on PATH for the user's shell, unless it is there already.
path_advice() {
  case ":${PATH:-}:" in
    *":$1:"*) return 0 ;;
  esac
  say ""
  say "$1 is not on your PATH. To add it:"
  case "${SHELL:-}" in
    */zsh) say "  echo 'export PATH=\"$1:\$PATH\"' >> ~/.zshrc" ;;
    */bash)
      # Printed for the user to run, so the ~ stays literal.
      if [ "$os" = darwin ]; then rc=.bash_profile; else rc=.bashrc; fi
      say "  echo 'export PATH=\"$1:\$PATH\"' >> ~/$rc"
      ;;
    */fish) say "  fish_add_path $1" ;;
    *) say "  add 'export PATH=\"$1:\$PATH\"' to your shell's startup file" ;;
  esac
  say "then open a new terminal."
}

main() {
  detect_asset
  if [ -n "${MCP_GATEWAY_BASE_URL:-}" ]; then
    base=${MCP_GATEWAY_BASE_URL%/}
  elif [ -n "${MCP_GATEWAY_VERSION:-}" ]; then
    base="https://github.com/$repo/releases/download/v${MCP_GATEWAY_VERSION#v}"
  else
    base="https://github.com/$repo/releases/latest/download"
  fi
  dir=${MCP_GATEWAY_INSTALL_DIR:-${HOME:?HOME is not set; set MCP_GATEWAY_INSTALL_DIR}/.local/bin}
  name=mcp-gateway
  [ "$os" = windows ] && name=mcp-gateway.exe

  tmp=$(mktemp -d 2>/dev/null || mktemp -d -t mcp-gateway)
  staged=""
  trap 'rm -rf "$tmp"; [ -z "$staged" ] || rm -f "$staged"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  say "downloading $asset from $base"
  download "$base/SHA256SUMS" "$tmp/SHA256SUMS"
  # sha256sum writes "<hex>  <name>", or "<hex> *<name>" in binary mode.
  expected=$(awk -v want="$asset" '$2 == want || $2 == "*" want { print $1; exit }' "$tmp/SHA256SUMS")
  [ -n "$expected" ] || fail "$base/SHA256SUMS lists no $asset; nothing was installed"
  download "$base/$asset" "$tmp/$asset"
  actual=$(sha256_of "$tmp/$asset")
  if [ "$actual" != "$expected" ]; then
    fail "checksum mismatch for $asset: SHA256SUMS says $expected, the download is $actual; nothing was installed"
  fi

  mkdir -p "$dir" || fail "cannot create $dir; set MCP_GATEWAY_INSTALL_DIR to a folder you can write"
  # Stage next to the target and rename, so a half-copied file never sits at the final path.
  staged="$dir/.$name.partial.$$"
  cp "$tmp/$asset" "$staged" || fail "cannot write to $dir; set MCP_GATEWAY_INSTALL_DIR to a folder you can write"
  chmod 755 "$staged"
  mv -f "$staged" "$dir/$name" || fail "cannot replace $dir/$name"
  staged=""

  say "installed $dir/$name"
  if version=$("$dir/$name" --version 2>/dev/null); then
    say "$version"
  fi
  path_advice "$dir"
}

main "$@"
