#!/bin/sh
# Runs one hostile libOS guest beside examples/hello on a disk and three mounts laid out with
# links that lead out, then checks on the host that nothing outside them was read or changed.
set -u
# mke2fs, e2fsck and debugfs live in sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

if [ $# -ne 7 ]; then
	echo "usage: run.sh RUN_SH INTRAVISOR CACHE_DIR GUEST.wasm NAME EXPECTED HELLO.wasm" >&2
	exit 2
fi
run_sh=$1 iv=$2 cache=$3 guest=$4 name=$5 expected=$6 hello=$7
case $guest in /*) ;; *) guest=$PWD/$guest ;; esac
case $hello in /*) ;; *) hello=$PWD/$hello ;; esac

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
w=$tmp/w
secret="secret-$$-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"

fail() {
	echo "FAIL: $name: $*"
	exit 1
}

# The world the cVM sees: box, other and ro are mounted; outside and the rest are not.
mkdir -p "$w/outside" "$w/box/sub" "$w/other" "$w/ro/dir/empty" "$w/disk" || exit 2
echo "$secret" >"$w/outside/secret"
ln -s secret "$w/outside/link"
echo "box file" >"$w/box/file"
echo "mine" >"$w/other/mine"
echo "read-only day" >"$w/ro/file"
echo "disk file" >"$w/disk/file"
ln -s .. "$w/box/sub/up"
ln -s / "$w/box/to_root"
ln -s "$w/outside/secret" "$w/box/abs_secret"
ln -s "$w/outside" "$w/box/abs_dir"
ln -s ../outside/secret "$w/box/rel_secret"
ln -s ../outside "$w/box/rel_dir"
ln -s / "$w/disk/slash"
ln -s /etc/passwd "$w/disk/passwd"
ln -s ../.. "$w/disk/up"
mke2fs -q -F -t ext4 -d "$w/disk" "$w/root.img" 16M >/dev/null || exit 2
cat >"$w/test.yaml" <<YAML
cVMs:
- name: hello
  runtime: $hello
  args: hello arg1 arg2
- name: $name
  runtime: $guest
  args: $name
  disk: root.img
  mounts:
    - { host: ./box, guest: /box, mode: rw }
    - { host: ./other, guest: /other, mode: rw }
    - { host: ./ro, guest: /ro }
  limits: { fds: 64, timeout: 60 }
YAML

# Everything but the two read-write mounts and the image: names, types, sizes, times, contents.
snapshot() {
	(cd "$w" && find . -path ./box -prune -o -path ./other -prune -o -path ./root.img -prune \
		-o -print | LC_ALL=C sort | while IFS= read -r f; do
		stat -c '%n %F %s %Y %a' "$f"
		[ -f "$f" ] && [ ! -L "$f" ] && cksum <"$f"
	done)
	ls -d /ivescape-probe /tmp/ivescape-probe 2>/dev/null
}
snapshot >"$tmp/before"

sh "$run_sh" --stdout-by-cvm "$expected" --stdout-lacks "$secret" --stderr-lacks "cVM " \
	-- "$iv" --cache-dir "$cache" -y "$w/test.yaml" || fail "the run differs"

snapshot >"$tmp/after"
if ! cmp -s "$tmp/before" "$tmp/after"; then
	diff -u "$tmp/before" "$tmp/after"
	fail "something outside the read-write mounts changed"
fi
e2fsck -fn "$w/root.img" >"$tmp/fsck" 2>&1 || { cat "$tmp/fsck"; fail "e2fsck -fn failed"; }
exit 0
