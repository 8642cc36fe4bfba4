#!/usr/bin/env bash
# Fuzzing run: the three Jazzer fuzz tests of capture (dev.wsdebug.capture.fuzz) in fuzzing mode,
# one after the other, each for a third of the chosen total time, starting from the seed corpus.
#
#   bench/fuzz.sh                  # 10 minutes in all (the default and the minimum)
#   bench/fuzz.sh --minutes 30     # 10 minutes per target
#
# Targets: FrameParserFuzzTest.frameParser, HttpHeadFuzzTest.httpHead, ConversationFuzzTest.conversation
# (their inputs and oracles are described in the classes). Each runs in its own Maven/JVM
# (surefire, -Dtest=<class>, JAZZER_FUZZ=1): libFuzzer -max_total_time=<share> bounds it, the
# @Timeout of the fuzz test (10 s) bounds one input, -Xmx1g its heap; a run that overstays its
# share by 10 minutes is killed. Findings do not stop a target (jazzer.keep_going=10): each
# distinct one is written as crash-<sha1> (or timeout-/slow-unit-) next to the target's corpus.
#
# Per target it prints executions, inputs/s, the corpus libFuzzer ended with (inputs, bytes; seeds
# included), the inputs it added, coverage, and the findings.
#
# Environment: MVN_OPTS_EXTRA="-o" is appended to mvn; FUZZ_JVM_OPTS (default "-Xmx1g") are the
# fuzzing JVM's flags.
# Output: bench/results/fuzz-<stamp>/ (git-ignored): summary.txt, and per target <target>/log.txt
# (Maven and libFuzzer output), <target>/.cifuzz-corpus/ (the generated corpus), and findings.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=10
while [[ $# -gt 0 ]]; do
    case "$1" in
        --minutes)
            [[ $# -ge 2 ]] || { echo "fuzz.sh: --minutes needs a value" >&2; exit 2; }
            minutes=$2; shift 2 ;;
        -h|--help) sed -n '2,/^[^#]/{/^#/p}' "$0"; exit 0 ;;
        *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
if ! [[ "$minutes" =~ ^[0-9]+$ ]] || (( minutes < 10 || minutes > 1440 )); then
    echo "fuzz.sh: --minutes must be a whole number from 10 to 1440" >&2
    exit 2
fi

FUZZ_JVM_OPTS=${FUZZ_JVM_OPTS:--Xmx1g}
targets=(FrameParserFuzzTest HttpHeadFuzzTest ConversationFuzzTest)
share=$(( minutes * 60 / ${#targets[@]} ))

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/fuzz-$stamp
mkdir -p "$out"
summary=$out/summary.txt

{
    echo "# bench/fuzz.sh --minutes $minutes  $(date -u '+%Y-%m-%d %H:%M:%S UTC')  nproc=$(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# ${share} s per target, JVM: $FUZZ_JVM_OPTS, jazzer-junit $(sed -n 's#.*<jazzer.version>\(.*\)</jazzer.version>.*#\1#p' pom.xml)"
    java -version 2>&1 | sed 's/^/# /'
} | tee "$summary"

# Compile once, so that a broken build shows before any fuzzing starts.
# shellcheck disable=SC2086
mvn -q -B -pl capture -am test-compile ${MVN_OPTS_EXTRA:-}

# last_field FILE REGEX: the first group of REGEX (sed -E) on the last matching line of FILE, or "?".
last_field() {
    local v
    v=$(sed -nE "s|$2|\1|p" "$1" | tail -n1)
    echo "${v:-?}"
}

rows=()
for target in "${targets[@]}"; do
    dir=$PWD/$out/$target
    mkdir -p "$dir"
    echo "# $target: ${share} s from $(date -u '+%H:%M:%S') UTC, load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$summary"
    rc=0
    # -Dtest deactivates capture's "fuzz" profile and selects the one class; JAZZER_FUZZ=1 makes
    # its @FuzzTest fuzz. jazzer.internal.arg.* are libFuzzer's arguments (argv[0] first); they come
    # after, and so override, the @FuzzTest's own maxDuration.
    # shellcheck disable=SC2086
    JAZZER_FUZZ=1 timeout $(( share + 600 )) mvn -B -pl capture -am test ${MVN_OPTS_EXTRA:-} \
        -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false \
        -DargLine="$FUZZ_JVM_OPTS" \
        -Djunit.jupiter.execution.timeout.mode=disabled \
        -Djazzer.internal.basedir="$dir" \
        -Djazzer.keep_going=10 \
        -Djazzer.internal.arg.0=jazzer \
        -Djazzer.internal.arg.1=-max_total_time="$share" \
        -Djazzer.internal.arg.2=-print_final_stats=1 \
        >"$dir/log.txt" 2>&1 || rc=$?
    log=$dir/log.txt
    execs=$(last_field "$log" '^stat::number_of_executed_units: *([0-9]+).*')
    rate=$(last_field "$log" '^stat::average_exec_per_sec: *([0-9]+).*')
    added=$(last_field "$log" '^stat::new_units_added: *([0-9]+).*')
    rss=$(last_field "$log" '^stat::peak_rss_mb: *([0-9]+).*')
    secs=$(last_field "$log" '^Done [0-9]+ runs in ([0-9]+) second.*')
    corp=$(last_field "$log" '^#[0-9]+[[:space:]]+DONE .* corp: ([0-9]+/[0-9]+[a-zA-Z]*) .*')
    cov=$(last_field "$log" '^#[0-9]+[[:space:]]+DONE +cov: ([0-9]+) ft: ([0-9]+).*')
    findings=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'slow-unit-*' -o -name 'oom-*' \) | wc -l)
    exceptions=$(grep -c '^== Java Exception' "$log" || true)
    status=ok
    if (( rc != 0 )); then
        status="mvn exit $rc"
        (( rc == 124 )) && status="killed after $(( share + 600 )) s"
    fi
    rows+=("$(printf '%-22s %9s %8s %7s %12s %7s %6s %8s %9s  %s' "$target" "$execs" "$rate" "$secs" "$corp" "$added" "$cov" "$rss" "$findings" "$status")")
    echo "#   done $(date -u '+%H:%M:%S') UTC, $execs executions, $rate/s, findings: $findings files, $exceptions reports, load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$summary"
    for f in $(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'slow-unit-*' -o -name 'oom-*' \) | sort); do
        echo "#   finding $(basename "$f") ($(stat -c %s "$f") bytes): $(head -c 2048 "$f" | od -An -tx1 -v | tr -d ' \n')" | tee -a "$summary"
    done
done

{
    echo
    printf '%-22s %9s %8s %7s %12s %7s %6s %8s %9s  %s\n' target executions inputs/s seconds corpus added cov peakMB findings status
    printf '%s\n' "${rows[@]}"
    echo
    echo "# done  $(date -u '+%Y-%m-%d %H:%M:%S UTC')  load: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$summary"
echo "Saved: $out"
