#!/bin/sh
# Assembles the container's root filesystem in DEST: the binary at /mcp-gateway, the shared
# libraries it links (as ldd reports them), CA certificates, a passwd/group entry for the numeric
# user, and the default /config.yaml. The Dockerfile copies DEST into a `scratch` image; the test
# (test/dist/docker-rootfs.test.ts) runs the binary in DEST with chroot. Nothing in DEST is
# writable by the runtime user.
#
#   packaging/docker/rootfs.sh BINARY DEST [CONFIG]
set -eu

[ $# -ge 2 ] || { echo "usage: $0 BINARY DEST [CONFIG]" >&2; exit 2; }
binary=$1
dest=$2
here=$(cd "$(dirname "$0")" && pwd)
config=${3:-$here/config.yaml}
uid=65532

[ -x "$binary" ] || { echo "rootfs: $binary is not an executable" >&2; exit 1; }
mkdir -p "$dest/etc/ssl/certs"
install -m 0755 "$binary" "$dest/mcp-gateway"
install -m 0644 "$config" "$dest/config.yaml"

# Every library the dynamic linker will load, and the linker itself, at the paths ldd shows.
libs=$(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
[ -n "$libs" ] || { echo "rootfs: ldd lists no libraries for $binary" >&2; exit 1; }
for lib in $libs; do
  mkdir -p "$dest$(dirname "$lib")"
  cp -L "$lib" "$dest$lib"
  chmod 0755 "$dest$lib"
done

certs=/etc/ssl/certs/ca-certificates.crt
[ -f "$certs" ] || { echo "rootfs: $certs is missing; install the ca-certificates package" >&2; exit 1; }
install -m 0644 "$certs" "$dest$certs"

# A name for the numeric user, for tools that look it up; HOME is / and not writable.
printf 'root:x:0:0:root:/:/sbin/nologin\nnonroot:x:%s:%s:nonroot:/:/sbin/nologin\n' "$uid" "$uid" >"$dest/etc/passwd"
printf 'root:x:0:\nnonroot:x:%s:\n' "$uid" >"$dest/etc/group"
chmod 0644 "$dest/etc/passwd" "$dest/etc/group"
