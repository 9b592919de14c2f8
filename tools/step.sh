#!/usr/bin/env bash
# Run one setup step quietly; on failure print one line: what failed, the cause, the fix, the log.
# usage: tools/step.sh NAME "FIX" COMMAND [ARG...]
set -u
name=$1 fix=$2
shift 2
mkdir -p build/logs
log=build/logs/$name.log
if "$@" >"$log" 2>&1; then
  echo "setup: $name ok"
  exit 0
fi
cause=$(grep -v '^WARNING: Location' "$log" | grep -iE 'error|not found|no such|cannot|failed|denied' | tail -n 1 | cut -c1-200)
[ -n "$cause" ] || cause=$(tail -n 1 "$log" | cut -c1-200)
echo "setup: $name failed: $cause | fix: $fix | full log: $log" >&2
exit 1
