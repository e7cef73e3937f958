#!/usr/bin/env bash
# Copyright The otelcol-mlops Authors
# SPDX-License-Identifier: Apache-2.0
# Runs every fuzz target of the repository (every `func Fuzz` git tracks) for FUZZ_TIME each.
#
# Go before 1.27 can end a duration-bounded run with a bare "context deadline exceeded" and no
# failing input: a race in its fuzzing coordinator at the -fuzztime boundary
# (https://go.dev/issue/75804). Such a run is retried once; a run that writes a failing input
# to testdata/fuzz fails at once, and a second deadline failure fails too.
set -euo pipefail
go=${GO:-go}
fuzztime=${FUZZ_TIME:-30s}

run_target() { # name dir
	local name=$1 dir=$2 out before after
	before=$(ls "$dir/testdata/fuzz/$name" 2>/dev/null | wc -l)
	out=$(cd "$dir" && "$go" test -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" . 2>&1) && { echo "$out" | tail -1; return 0; }
	echo "$out"
	after=$(ls "$dir/testdata/fuzz/$name" 2>/dev/null | wc -l)
	[[ $after == "$before" ]] && grep -q '^    context deadline exceeded$' <<<"$out" && return 2
	return 1
}

git grep '^func Fuzz' -- '*_test.go' | sed -E 's|^(.*)/[^/]*:func (Fuzz[A-Za-z0-9_]*).*|\2 ./\1|' | sort -u |
	while read -r name dir; do
		echo "fuzz $name in $dir for $fuzztime"
		status=0
		run_target "$name" "$dir" || status=$?
		if [[ $status == 2 ]]; then
			echo "fuzz $name: deadline race of Go's fuzz coordinator (go.dev/issue/75804), no failing input; retrying once"
			status=0
			run_target "$name" "$dir" || status=$?
		fi
		[[ $status == 0 ]] || exit 1
	done
