#!/bin/sh
# Installs the Debian packages Intravisor needs to build and test (or says how to).
set -eu

PACKAGES="cmake make gcc pkg-config clang-14 lld-14 llvm-14 wabt wasi-libc libclang-rt-14-dev-wasm32
libclang-rt-14-dev
libyaml-dev libcmocka-dev libext2fs-dev e2fsprogs
curl wrk redis-tools python3"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "intravisor: missing Debian packages:$missing" >&2
	echo "install them with:  sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi

echo "intravisor: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends $missing >&2
