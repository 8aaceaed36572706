#!/bin/sh
# SIGTERM stops every cVM (a busy loop, a sleep, a stream wait) and leaves its disk clean.
# usage: stop.sh INTRAVISOR CACHE_DIR GUEST_DIR
set -u
iv=$1
cache=$2
guests=$(cd "$3" && pwd) || exit 2
PATH=$PATH:/usr/sbin:/sbin
tmp=$(mktemp -d) || exit 2
trap 'kill -KILL $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*"
	echo "--- stdout ---"; cat "$tmp/out"
	echo "--- stderr ---"; cat "$tmp/err"
	exit 1
}

mke2fs -q -F -t ext4 "$tmp/disk.img" 8M >/dev/null || exit 2
cat >"$tmp/stop.yaml" <<YAML
cVMs:
- name: spin
  runtime: $guests/spin.wasm
- name: writer
  runtime: $guests/sleeper.wasm
- name: reader
  runtime: $guests/read-stdin.wasm
- name: disk
  runtime: $guests/sleeper.wasm
  disk: $tmp/disk.img
streams:
- name: pipe
  writers: [{cvm: writer, fd: stdout}]
  readers: [{cvm: reader, fd: stdin}]
YAML

"$iv" --cache-dir "$cache" -y "$tmp/stop.yaml" >"$tmp/out" 2>"$tmp/err" </dev/null &
pid=$!
# Every cVM is up once the disk's sleeper and the spinner have spoken.
i=0
until grep -q '^\[disk\] sleeping' "$tmp/out" && grep -q '^\[spin\] spinning' "$tmp/out"; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the cVMs did not start within 30 s"
	kill -0 $pid 2>/dev/null || fail "intravisor ended before the signal"
	sleep 0.1
done
sleep 0.3
start=$(date +%s)
kill -TERM $pid
wait $pid
status=$?
took=$(($(date +%s) - start))
[ $status -eq 143 ] || fail "exit status $status, expected 143 (128 + SIGTERM)"
[ $took -le 3 ] || fail "stopping took $took s"
grep -q 'intravisor: Terminated: stopping the cVMs' "$tmp/err" || fail "no stop message"
for vm in spin writer disk; do
	grep -q "cVM $vm: trap: stopped" "$tmp/err" || fail "cVM $vm was not stopped"
done
# The reader waits on the stream: it is stopped there, or sees end-of-file when the writer
# is stopped first; either way it ends.
grep -q "cVM reader: trap: stopped" "$tmp/err" || grep -q '^\[reader\] stdin: ' "$tmp/out" ||
	fail "cVM reader neither stopped nor ended"
dumpe2fs -h "$tmp/disk.img" 2>/dev/null | grep -q '^Filesystem state: *clean$' ||
	fail "the disk image is not marked clean"
e2fsck -fn "$tmp/disk.img" >/dev/null 2>&1 || fail "e2fsck finds the disk image inconsistent"
echo "stopped cleanly in ${took} s"
