#!/bin/sh
# Fault isolation under load: N cVMs in one monitor, one in ten crashing in assorted ways.
# Every healthy cVM must print its whole output; the summary must name exactly the crashed.
set -u
monitor=$1
cache=$2
top=$3
n=${4:-1000}

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
yaml=$tmp/stress.yaml
healthy=$top/examples/hello-bare/hello-bare.wasm
guests=$top/tests/e2e/guests

: >"$tmp/crashed"
echo "cVMs:" >"$yaml"
i=0
while [ "$i" -lt "$n" ]; do
	name=vm$i
	case $((i % 40)) in
	7) runtime=$guests/oob-read.wasm; why="trap: out of bounds memory access" ;;
	17) runtime=$guests/exit3.wasm; why="exit status 3" ;;
	27) runtime=$guests/deep.wasm; why="trap:" ;;
	37) runtime=$guests/spin.wasm; why="trap: time limit" ;;
	*) runtime=$healthy; why= ;;
	esac
	limit=20 # a safety net for everyone; the spinners are stopped after one second
	[ "$((i % 40))" = 37 ] && limit=1
	printf '  - name: %s\n    runtime: %s\n    limits: {timeout: %s}\n' \
		"$name" "$runtime" "$limit" >>"$yaml"
	[ -n "$why" ] && printf 'cVM %s: %s\n' "$name" "$why" >>"$tmp/crashed"
	i=$((i + 1))
done
start=$(date +%s)
"$monitor" --cache-dir "$cache" -y "$yaml" >"$tmp/out" 2>"$tmp/err"
status=$?
end=$(date +%s)
failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}

[ "$status" = 1 ] || fail "monitor exit status $status, expected 1"
# Every healthy cVM printed every line of hello-bare, in order.
expected_lines=$(wc -l <"$top/examples/hello-bare/expected.txt")
i=0
while [ "$i" -lt "$n" ]; do
	case $((i % 40)) in
	7 | 17 | 27 | 37) ;;
	*)
		got=$(grep -c "^\[vm$i\] " "$tmp/out")
		[ "$got" = "$expected_lines" ] || fail "vm$i printed $got lines, expected $expected_lines"
		if ! grep "^\[vm$i\] " "$tmp/out" | sed "s/^\[vm$i\] //" |
			cmp -s - "$top/examples/hello-bare/expected.txt"; then
			fail "vm$i output differs"
		fi
		;;
	esac
	i=$((i + 1))
done
# The summary names exactly the crashed cVMs, each with how it ended.
grep '^cVM ' "$tmp/err" | sort >"$tmp/named"
sort "$tmp/crashed" | while IFS= read -r line; do
	grep -qF -- "$line" "$tmp/named" || echo "FAIL: summary lacks '$line'"
done >"$tmp/check"
[ -s "$tmp/check" ] && { cat "$tmp/check"; failed=1; }
[ "$(wc -l <"$tmp/named")" = "$(wc -l <"$tmp/crashed")" ] ||
	fail "summary names $(wc -l <"$tmp/named") cVMs, expected $(wc -l <"$tmp/crashed")"
echo "$n cVMs, $(wc -l <"$tmp/crashed") crashing: $((end - start)) s"
if [ "$failed" = 1 ]; then
	head -20 "$tmp/err"
	exit 1
fi
exit 0
