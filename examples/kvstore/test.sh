#!/bin/sh
# End-to-end test of examples/kvstore: commands through redis-cli, then restarts on the same data.
# usage: test.sh native KVSTORE
#        test.sh cvm INTRAVISOR CACHE-DIR KVSTORE-WASM IMAGE
# native keeps its log in a temporary folder; cvm runs kvstore.wasm under intravisor on a copy
# of IMAGE (its log in /data) and checks the copy with e2fsck -fn at the end.
set -u

fail() {
	echo "FAIL: $*"
	[ -s "$tmp/stderr" ] && sed 's/^/  server stderr: /' "$tmp/stderr" | tail -20
	exit 1
}


mode=$1
shift
tmp=$(mktemp -d) || exit 1
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')

case $mode in
native)
	bin=$1
	mkdir "$tmp/data"
	;;
cvm)
	iv=$1 cache=$2
	cp "$3" "$tmp/kvstore.wasm" && cp "$4" "$tmp/kv.img" || exit 1
	cat >"$tmp/kv.yaml" <<EOF
cVMs:
- name: kv
  runtime: kvstore.wasm
  args: kvstore 127.0.0.1 $port /data
  disk: kv.img
  net:
    listen: [ "tcp:127.0.0.1:$port" ]
EOF
	;;
*)
	echo "usage: test.sh native|cvm ..."
	exit 2
	;;
esac

# Starts the server and waits until it answers PING (a cold start compiles the module first).
start() {
	if [ "$mode" = native ]; then
		"$bin" 127.0.0.1 "$port" "$tmp/data" >"$tmp/stdout" 2>"$tmp/stderr" &
	else
		"$iv" --cache-dir "$cache" -y "$tmp/kv.yaml" >"$tmp/stdout" 2>"$tmp/stderr" &
	fi
	pid=$!
	tries=0
	until [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ]; do
		kill -0 $pid 2>/dev/null || fail "the server exited before it answered"
		tries=$((tries + 1))
		[ $tries -lt 600 ] || fail "no answer on port $port within 60 s"
		sleep 0.1
	done
}

# expect OUTPUT COMMAND...: redis-cli's output for one command.
expect() {
	want=$1
	shift
	got=$(redis-cli -p "$port" "$@" 2>&1)
	[ "$got" = "$want" ] || fail "$*: got '$got', expected '$want'"
}

start
echo "answering on port $port"
expect PONG PING
expect hello ECHO hello
expect OK SET greeting "hello world"
expect "hello world" GET greeting
expect OK SET counter 41
expect 42 INCR counter
expect 41 DECR counter
expect 141 INCRBY counter 100
expect 100 INCRBY counter -41
expect 1 INCR fresh-counter
expect OK SET gone x
expect 1 DEL gone never-set
expect "" GET gone
expect 2 EXISTS greeting counter gone
expect "ERR value is not an integer or out of range" INCR greeting
expect "ERR wrong number of arguments for 'get' command" GET
expect "ERR unknown command 'NOSUCH'" NOSUCH a b
# A value with CR, LF and spaces in it, from stdin.
printf 'two\r\nlines and spaces \n' >"$tmp/value"
expect OK -x SET binary <"$tmp/value"
redis-cli -p "$port" GET binary >"$tmp/got"
printf 'two\r\nlines and spaces \n\n' | cmp -s - "$tmp/got" || fail "GET binary: not the value set"
# 1000 SETs in one pipelined stream.
python3 -c '
import sys
for i in range(1000):
    k, v = b"key:%d" % i, b"value %d" % (i * i)
    sys.stdout.buffer.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
                            % (len(k), k, len(v), v))
' | redis-cli -p "$port" --pipe >"$tmp/pipe" 2>&1
grep -q 'errors: 0, replies: 1000' "$tmp/pipe" || fail "--pipe: $(cat "$tmp/pipe")"
expect 1004 DBSIZE
keys=$(redis-cli -p "$port" KEYS '[cfg]*' | sort | tr '\n' ' ')
[ "$keys" = "counter fresh-counter greeting " ] || fail "KEYS [cfg]*: got '$keys'"
echo "commands: as Redis answers them; 1000 pipelined SETs"

# Stopped without warning: what was answered must be in the log.
kill -TERM $pid
wait $pid 2>/dev/null
if [ "$mode" = cvm ]; then
	# On SIGTERM the monitor stops the cVM and unmounts its disk: consistent and marked clean,
	# so the next start takes it as it is.
	e2fsck -fn "$tmp/kv.img" >"$tmp/fsck" 2>&1 ||
		fail "e2fsck -fn after SIGTERM: $(cat "$tmp/fsck")"
	dumpe2fs -h "$tmp/kv.img" 2>/dev/null | grep -q '^Filesystem state: *clean$' ||
		fail "the image is not marked clean after SIGTERM"
	echo "e2fsck -fn after SIGTERM: clean"
fi
start
expect "hello world" GET greeting
expect 100 GET counter
expect 1004 DBSIZE
expect "value 998001" GET key:999
redis-cli -p "$port" GET binary >"$tmp/got"
printf 'two\r\nlines and spaces \n\n' | cmp -s - "$tmp/got" || fail "GET binary after a restart"
expect 1 DEL key:0
expect OK FLUSHDB
expect OK SET after restart
expect "" SHUTDOWN
wait $pid
status=$?
pid=
[ $status = 0 ] || fail "exit status $status after SHUTDOWN"
echo "after a stop and a restart: every key; SHUTDOWN exits 0"

start
expect 1 DBSIZE
expect restart GET after
expect "" SHUTDOWN
wait $pid
pid=
echo "after SHUTDOWN and a restart: FLUSHDB and the SET after it"

if [ "$mode" = cvm ]; then
	e2fsck -fn "$tmp/kv.img" >"$tmp/fsck" 2>&1 || fail "e2fsck -fn: $(cat "$tmp/fsck")"
	echo "e2fsck -fn: clean"
fi
echo "OK"
