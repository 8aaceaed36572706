#!/bin/sh
# End-to-end test runner: runs one command and checks its exit status, stdout and stderr.
set -u

usage() {
	cat <<EOF
usage: run.sh [options] -- COMMAND [ARGS...]
  --status N           expected exit status (default 0)
  --stdout FILE        stdout must equal FILE exactly
  --stdout-by-cvm FILE stdout must equal FILE per cVM: lines are grouped by their "[name] "
                       prefix (unprefixed lines form one more group); each group must match
                       in order, while groups may interleave in any way
  --stdout-has TEXT    stdout must contain TEXT (repeatable)
  --stdout-lacks TEXT  stdout must not contain TEXT (repeatable)
  --stderr-has TEXT    stderr must contain TEXT (repeatable)
  --stderr-lacks TEXT  stderr must not contain TEXT (repeatable)
  --truncate SRC N DST before running, write the first N bytes of SRC to DST
  --stdin FILE         the command reads FILE as its stdin (default /dev/null)
EOF
	exit 2
}

status=0
stdout_file=
stdout_mode=exact
stdout_has=
stdout_lacks=
stderr_has=
stderr_lacks=
stdin=/dev/null
nl='
'

while [ $# -gt 0 ]; do
	case $1 in
	--status) [ $# -ge 2 ] || usage; status=$2; shift 2 ;;
	--stdout) [ $# -ge 2 ] || usage; stdout_file=$2; stdout_mode=exact; shift 2 ;;
	--stdout-by-cvm) [ $# -ge 2 ] || usage; stdout_file=$2; stdout_mode=by-cvm; shift 2 ;;
	--stdout-has) [ $# -ge 2 ] || usage; stdout_has=$stdout_has$2$nl; shift 2 ;;
	--stdout-lacks) [ $# -ge 2 ] || usage; stdout_lacks=$stdout_lacks$2$nl; shift 2 ;;
	--stderr-has) [ $# -ge 2 ] || usage; stderr_has=$stderr_has$2$nl; shift 2 ;;
	--stderr-lacks) [ $# -ge 2 ] || usage; stderr_lacks=$stderr_lacks$2$nl; shift 2 ;;
	--stdin) [ $# -ge 2 ] || usage; stdin=$2; shift 2 ;;
	--truncate)
		[ $# -ge 4 ] || usage
		if ! dd if="$2" of="$4" bs="$3" count=1 2>/dev/null; then
			echo "run.sh: cannot truncate $2" >&2
			exit 2
		fi
		shift 4
		;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[ $# -gt 0 ] || usage

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

"$@" >"$tmp/stdout" 2>"$tmp/stderr" <"$stdin"
actual=$?

failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}

# Sorts lines by their "[name] " prefix, stably, so each cVM's lines stay in order.
by_cvm() {
	awk '{
		key = ""
		if (match($0, /^\[[^]]*\] /))
			key = substr($0, 1, RLENGTH)
		printf "%s\t%09d\t%s\n", key, NR, $0
	}' "$1" | LC_ALL=C sort -t "$(printf '\t')" -k1,1 -k2,2n | cut -f3-
}

if [ "$actual" != "$status" ]; then
	fail "exit status $actual, expected $status"
fi

if [ -n "$stdout_file" ]; then
	if [ "$stdout_mode" = by-cvm ]; then
		by_cvm "$stdout_file" >"$tmp/want"
		by_cvm "$tmp/stdout" >"$tmp/got"
	else
		cp "$stdout_file" "$tmp/want"
		cp "$tmp/stdout" "$tmp/got"
	fi
	if ! cmp -s "$tmp/want" "$tmp/got"; then
		fail "stdout differs from $stdout_file ($stdout_mode; - expected, + actual):"
		diff -u "$tmp/want" "$tmp/got" | tail -n +3
	fi
fi

# check_text FILE NAME MUST(1|0) LIST: each line of LIST must (or must not) occur in FILE.
check_text() {
	printf '%s' "$4" | while IFS= read -r text; do
		if grep -qF -- "$text" "$1"; then
			[ "$3" = 1 ] || echo "FAIL: $2 contains '$text'"
		else
			[ "$3" = 0 ] || echo "FAIL: $2 lacks '$text'"
		fi
	done >"$tmp/check"
	if [ -s "$tmp/check" ]; then
		cat "$tmp/check"
		failed=1
	fi
}
check_text "$tmp/stdout" stdout 1 "$stdout_has"
check_text "$tmp/stdout" stdout 0 "$stdout_lacks"
check_text "$tmp/stderr" stderr 1 "$stderr_has"
check_text "$tmp/stderr" stderr 0 "$stderr_lacks"

if [ "$failed" = 1 ]; then
	echo "command: $*"
	echo "--- stdout ---"
	cat "$tmp/stdout"
	echo "--- stderr ---"
	cat "$tmp/stderr"
	exit 1
fi
exit 0
