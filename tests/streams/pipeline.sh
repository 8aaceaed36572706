#!/bin/sh
# Checks examples/pipeline: its three cVMs joined by streams print what the same three programs,
# compiled natively, print when joined by a shell pipe.
# usage: pipeline.sh NATIVE_DIR INTRAVISOR [OPTIONS...]   (run from the source tree's top)
set -u
bin=$1
shift
lines=$(sed -n 's/^ *args: generate \([0-9]*\)$/\1/p' examples/pipeline/pipeline.yaml)
native=$("$bin/pipeline-generate" "$lines" | "$bin/pipeline-transform" | "$bin/pipeline-count")
status=$?
cvms=$("$@" --no-prefix -y examples/pipeline/pipeline.yaml)
cvm_status=$?
echo "native pipe: $native (status $status)"
echo "cVMs:        $cvms (status $cvm_status)"
if [ "$status" != 0 ] || [ "$cvm_status" != 0 ] || [ -z "$native" ] || [ "$native" != "$cvms" ]; then
	echo "FAIL: the outputs differ"
	exit 1
fi
echo "OK: the same output"
