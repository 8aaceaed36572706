#!/bin/sh
# A cVM that traps with a file still open leaves its disk image consistent, with what it wrote.
# usage: trap-disk.sh INTRAVISOR CACHE_DIR GUEST_WASM
set -u
PATH=$PATH:/usr/sbin:/sbin
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}

mke2fs -q -F -t ext4 "$tmp/disk.img" 8M >/dev/null || exit 2
"$1" --cache-dir "$2" run --disk "$tmp/disk.img" "$3" >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
cat "$tmp/out" "$tmp/err"
[ $status -eq 125 ] || fail "exit status $status, expected 125 (a trap)"
grep -q 'trap: out of bounds memory access' "$tmp/err" || fail "no trap reported"
e2fsck -fn "$tmp/disk.img" >"$tmp/fsck" 2>&1 || fail "e2fsck -fn: $(cat "$tmp/fsck")"
dumpe2fs -h "$tmp/disk.img" 2>/dev/null | grep -q '^Filesystem state: *clean$' ||
	fail "the image is not marked clean"
got=$(debugfs -R "cat /written.txt" "$tmp/disk.img" 2>/dev/null)
[ "$got" = "written before the trap" ] || fail "/written.txt holds '$got'"
echo "the image is clean and holds what the cVM wrote"
