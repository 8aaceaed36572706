#!/bin/sh
# Runs each fuzz target for SECONDS seconds in turn; fails when any finds a crash, leak or hang.
# usage: run.sh BUILD_DIR SECONDS [TARGET...]   (crash inputs go to BUILD_DIR/artifacts/)
set -u
build=$1
seconds=$2
shift 2
targets=${*:-config wasm cap hostcall path}
src=$(cd "$(dirname "$0")" && pwd)
failed=""

# The newest status line of a libFuzzer log ("#1234 ... cov: ... exec/s: ... rss: ..."), without
# the mutations and dictionary words after it, which may be any bytes.
status() {
	grep -aE '^#[0-9]+' "$1" 2>/dev/null | tail -n 1 | tr '\t' ' ' | sed 's/ \(L\|MS\): .*//'
}

for t in $targets; do
	bin=$build/tests/fuzz/fuzz_$t
	corpus=$build/fuzz-corpus/$t
	artifacts=$build/artifacts/$t
	log=$build/fuzz-$t.log
	dict=""
	[ -f "$src/$t.dict" ] && dict="-dict=$src/$t.dict"
	mkdir -p "$corpus" "$artifacts"
	echo "fuzz: $t for ${seconds}s (log: $log)"
	# New inputs go to the build folder's corpus; the committed seeds are only read.
	"$bin" -max_total_time="$seconds" -timeout=25 -print_final_stats=1 \
		-artifact_prefix="$artifacts/" $dict "$corpus" "$src/corpus/$t" >"$log" 2>&1 &
	pid=$!
	trap 'kill $pid 2>/dev/null; exit 130' INT TERM
	while kill -0 $pid 2>/dev/null; do
		sleep 5
		line=$(status "$log")
		[ -n "$line" ] && echo "  $t: $line"
	done
	wait $pid
	rc=$?
	trap - INT TERM
	if [ $rc -ne 0 ]; then
		failed="$failed $t"
		echo "fuzz: $t FAILED (exit $rc); the end of its log:"
		grep -a -A 40 -E '^==[0-9]+==|^fuzz_|runtime error' "$log" | head -n 60
		grep -a 'Test unit written to' "$log"
	else
		runs=$(grep -a 'stat::number_of_executed_units' "$log" | sed 's/.*: *//')
		cov=$(status "$log" | sed -n 's/.*\(cov: [0-9]*\).*/\1/p')
		echo "fuzz: $t ok: $runs runs, $cov"
	fi
done

if [ -n "$failed" ]; then
	echo "fuzz: failures in:$failed (inputs under $build/artifacts/)"
	exit 1
fi
echo "fuzz: no failures"
