#!/bin/sh
# Runs one WASI conformance guest on a fresh host folder, ext4 image or neither, and checks it.
set -u
# mke2fs, e2fsck and debugfs live in sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

if [ $# -lt 5 ]; then
	echo "usage: run.sh INTRAVISOR CACHE_DIR GUEST.wasm plain|mount|disk GROUP [ARGS...]" >&2
	exit 2
fi
iv=$1 cache=$2 guest=$3 mode=$4 group=$5
shift 5
case $guest in /*) ;; *) guest=$PWD/$guest ;; esac

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $group ($mode): $*"
	echo "--- stdout ---"
	cat "$tmp/stdout"
	echo "--- stderr ---"
	cat "$tmp/stderr"
	exit 1
}

if [ "$mode" = disk ] && ! mke2fs -q -F -t ext4 "$tmp/root.img" 16M >/dev/null; then
	echo "run.sh: mke2fs failed" >&2
	exit 2
fi
{
	echo "cVMs:"
	echo "- name: $group"
	echo "  runtime: $guest"
	case $mode in
	plain) echo "  args: $group $*" ;;
	mount)
		mkdir "$tmp/scratch"
		echo "  args: $group /data $*"
		echo "  mounts:"
		echo "    - { host: ./scratch, guest: /data, mode: rw }"
		;;
	disk)
		echo "  args: $group / $*"
		echo "  disk: root.img"
		;;
	*) echo "run.sh: unknown mode $mode" >&2; exit 2 ;;
	esac
	echo "  env: { WASI_TEST: conformance, EMPTY: '', EQUALS: 'a=b=c' }"
	echo "  limits: { fds: 64, timeout: 60 }"
} >"$tmp/test.yaml"

: >"$tmp/stdout"
: >"$tmp/stderr"
"$iv" --cache-dir "$cache" -y "$tmp/test.yaml" >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
status=$?

[ "$status" = 0 ] || fail "exit status $status, expected 0"
! grep -q '^FAIL' "$tmp/stdout" || fail "a check failed"
tail -n 1 "$tmp/stdout" | grep -Eq "^$group: [0-9]+ ok, 0 failed$" || fail "no summary line"
! grep -q 'cVM ' "$tmp/stderr" || fail "the monitor reported the cVM"

# The guest's last act, writing "kept", reached the host folder or the image; and what it
# left on the image leaves it consistent.
case $mode in
mount) kept=$(cat "$tmp/scratch/kept" 2>/dev/null) ;;
disk) kept=$(debugfs -R "cat /kept" "$tmp/root.img" 2>/dev/null) ;;
*) kept=$group ;;
esac
[ "$kept" = "$group" ] || fail "the file kept holds '$kept', expected '$group'"
if [ "$mode" = disk ] && ! e2fsck -fn "$tmp/root.img" >"$tmp/fsck" 2>&1; then
	cat "$tmp/fsck" >>"$tmp/stderr"
	fail "e2fsck -fn found the image damaged"
fi
cat "$tmp/stdout"
exit 0
