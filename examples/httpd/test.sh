#!/bin/sh
# End-to-end test of examples/httpd: pages, errors, keep-alive and pipelining with curl, then wrk.
# usage: test.sh native HTTPD WWW
#        test.sh cvm INTRAVISOR CACHE-DIR HTTPD-WASM IMAGE WWW
# native runs the host build on the folder WWW; cvm runs httpd.wasm under intravisor on a copy
# of IMAGE (whose /www holds what WWW holds), then checks the copy with e2fsck -fn.
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
url=http://127.0.0.1:$port

case $mode in
native)
	www=$2
	"$1" 127.0.0.1 "$port" "$www" >"$tmp/stdout" 2>"$tmp/stderr" &
	pid=$!
	;;
cvm)
	iv=$1 cache=$2 www=$5
	cp "$3" "$tmp/httpd.wasm" && cp "$4" "$tmp/web.img" || exit 1
	cat >"$tmp/web.yaml" <<EOF
cVMs:
- name: web
  runtime: httpd.wasm
  args: httpd 127.0.0.1 $port /www
  disk: web.img
  net:
    listen: [ "tcp:127.0.0.1:$port" ]
EOF
	"$iv" --cache-dir "$cache" -y "$tmp/web.yaml" >"$tmp/stdout" 2>"$tmp/stderr" &
	pid=$!
	;;
*)
	echo "usage: test.sh native|cvm ..."
	exit 2
	;;
esac

# Until it answers (a cold start compiles the module first).
tries=0
until curl -s -o /dev/null "$url/"; do
	kill -0 $pid 2>/dev/null || fail "the server exited before it answered"
	tries=$((tries + 1))
	[ $tries -lt 600 ] || fail "no answer on port $port within 60 s"
	sleep 0.1
done
echo "answering on port $port"

# status URL [curl options...]: the HTTP status of one request.
status() {
	u=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' "$@" "$url$u"
}

# Pages byte for byte, and the index of a folder.
for page in index.html hello.txt style.css big.bin docs/index.html; do
	curl -s -o "$tmp/page" "$url/$page" || fail "GET /$page failed"
	cmp -s "$tmp/page" "$www/$page" || fail "GET /$page differs from $www/$page"
done
curl -s -o "$tmp/page" "$url/" && cmp -s "$tmp/page" "$www/index.html" ||
	fail "GET / is not index.html"
curl -s -o "$tmp/page" "$url/docs/" && cmp -s "$tmp/page" "$www/docs/index.html" ||
	fail "GET /docs/ is not docs/index.html"
echo "pages: byte-exact"

# Headers: type and length, HEAD without a body, the folder redirect.
curl -s -D "$tmp/head" -o /dev/null "$url/hello.txt"
grep -qi '^Content-Type: text/plain' "$tmp/head" || fail "hello.txt: no text/plain type"
size=$(wc -c <"$www/big.bin" | tr -d ' ')
curl -s -I "$url/big.bin" >"$tmp/head"
grep -q '^HTTP/1.1 200' "$tmp/head" || fail "HEAD /big.bin: not 200"
grep -qi "^Content-Length: $size" "$tmp/head" || fail "HEAD /big.bin: Content-Length is not $size"
python3 - "$port" >"$tmp/raw" <<'EOF' || fail "HEAD over a raw socket failed"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"HEAD /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
print(len(data) - data.index(b"\r\n\r\n") - 4)
EOF
[ "$(cat "$tmp/raw")" = 0 ] || fail "HEAD /big.bin sent a body"
[ "$(status /docs)" = 301 ] || fail "/docs: not redirected"
curl -s -D "$tmp/head" -o /dev/null "$url/docs"
grep -qi '^Location: /docs/' "$tmp/head" || fail "/docs: no Location /docs/"
echo "headers: types, lengths, HEAD, redirect"

# Errors.
[ "$(status /missing.html)" = 404 ] || fail "/missing.html: not 404"
[ "$(status /../etc/passwd --path-as-is)" = 403 ] || fail "/../etc/passwd: not 403"
[ "$(status /docs/%2e%2e/%2e%2e/x --path-as-is)" = 403 ] || fail "encoded ..: not 403"
[ "$(status / -X POST -d x=1)" = 405 ] || fail "POST: not 405"
[ "$(status / -X DELETE)" = 405 ] || fail "DELETE: not 405"
[ "$(status / -H 'Content-Length: 999999999')" = 413 ] || fail "a huge body: not 413"
long=$(python3 -c 'print("a" * 9000)')
[ "$(status "/$long")" = 414 ] || fail "a 9000-byte target: not 414"
[ "$(status / -H "X-Long: $long")" = 431 ] || fail "a 9000-byte header: not 431"
[ "$(status / --http1.0 -H 'Host:')" = 200 ] || fail "HTTP/1.0 without Host: not 200"
python3 - "$port" >"$tmp/raw" <<'EOF'
import socket, sys
for req in (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n", b"NONSENSE\r\n\r\n"):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(req)
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    print(data.split(b"\r\n")[0].decode())
EOF
[ "$(sed -n 1p "$tmp/raw")" = "HTTP/1.1 505 HTTP Version Not Supported" ] ||
	fail "HTTP/2.0: not 505"
[ "$(sed -n 2p "$tmp/raw")" = "HTTP/1.1 400 Bad Request" ] || fail "no Host: not 400"
[ "$(sed -n 3p "$tmp/raw")" = "HTTP/1.1 400 Bad Request" ] || fail "a bad request line: not 400"
echo "errors: 400 403 404 405 413 414 431 505"

# Keep-alive: the second request reuses the first one's connection.
[ "$(curl -s -o /dev/null -o /dev/null -w '%{num_connects}' "$url/" "$url/hello.txt")" = 10 ] ||
	fail "two requests did not share one connection"
# Connection: close is honoured (the server closes), and pipelined requests answered in order.
python3 - "$port" >"$tmp/raw" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"
          b"HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
          b"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
          b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          b"GET /never-answered HTTP/1.1\r\nHost: x\r\n\r\n")
s.settimeout(10)
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
for line in data.split(b"\n"):
    if line.startswith(b"HTTP/") or line.startswith(b"hello"):
        print(line.rstrip(b"\r").decode())
EOF
printf '%s\n' "HTTP/1.1 200 OK" "hello from httpd" "HTTP/1.1 200 OK" "HTTP/1.1 404 Not Found" \
	"HTTP/1.1 200 OK" "hello from httpd" | cmp -s - "$tmp/raw" ||
	fail "pipelined requests: got $(tr '\n' '|' <"$tmp/raw")"
echo "connections: keep-alive, pipelining, Connection: close"

# Load: no errors and only 2xx answers.
wrk -t2 -c16 -d5s "$url/index.html" >"$tmp/wrk" 2>&1 || fail "wrk failed: $(cat "$tmp/wrk")"
grep -q 'Requests/sec' "$tmp/wrk" || fail "wrk: $(cat "$tmp/wrk")"
! grep -q 'Non-2xx\|Socket errors' "$tmp/wrk" ||
	fail "wrk: $(grep 'Non-2xx\|Socket errors' "$tmp/wrk")"
echo "wrk -t2 -c16 -d5s: $(grep 'requests in' "$tmp/wrk" | sed 's/^ *//'), all 2xx," \
	"no socket errors"
kill -0 $pid 2>/dev/null || fail "the server exited during the test"

kill -TERM $pid
wait $pid 2>/dev/null
pid=
if [ "$mode" = cvm ]; then
	e2fsck -fn "$tmp/web.img" >"$tmp/fsck" 2>&1 || fail "e2fsck -fn: $(cat "$tmp/fsck")"
	echo "e2fsck -fn: clean"
fi
echo "OK"
