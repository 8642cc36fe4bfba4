#!/usr/bin/env bash
# Builds the benchmarks and runs them with JMH, then prints a summary table (frames/s, MB/s,
# ratio to the naive baseline, targets). Extra arguments go to JMH, e.g.
#   bench/jmh.sh FrameParse                    # only the frame parser benchmark (regex)
#   bench/jmh.sh Utf8 -p text=mixed            # one parameter value
#   bench/jmh.sh FrameParse -prof gc           # with allocation profiling
#   bench/jmh.sh -f 1 -wi 1 -i 1 -w 1s -r 1s   # quick smoke run (any default can be overridden)
# Defaults: fork 1, warmup 3 x 1 s, measurement 5 x 1 s. Results: bench/results/<stamp>.{txt,csv}.
# Environment: SKIP_BUILD=1 skips the Maven build; MVN_OPTS_EXTRA="-o" is appended to mvn.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    # shellcheck disable=SC2086
    mvn -q -B -DskipTests package -pl bench -am ${MVN_OPTS_EXTRA:-}
fi

jar=bench/target/benchmarks.jar
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
csv=bench/results/jmh-$stamp.csv
txt=bench/results/jmh-$stamp.txt

# Add each default only when the caller did not give that option (JMH rejects repeated options).
has() {
    local opt=$1 a
    for a in "${ARGS[@]}"; do
        [[ "$a" == "$opt" ]] && return 0
    done
    return 1
}
ARGS=("$@")
defaults=()
has -f || defaults+=(-f 1)
has -wi || defaults+=(-wi 3)
has -w || defaults+=(-w 1s)
has -i || defaults+=(-i 5)
has -r || defaults+=(-r 1s)
if has -rf || has -rff; then
    csv=""
else
    defaults+=(-rf csv -rff "$csv")
fi

{
    echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC')  nproc=$(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
    java -version 2>&1 | sed 's/^/# /'
    echo "# java -jar $jar ${defaults[*]} $*"
} | tee "$txt"

java -jar "$jar" "${defaults[@]}" "$@" | tee -a "$txt"

if [[ -n "$csv" && -s "$csv" ]]; then
    java -cp "$jar" dev.wsdebug.bench.Summary "$csv" | tee -a "$txt"
    echo
    echo "Saved: $txt and $csv"
fi
