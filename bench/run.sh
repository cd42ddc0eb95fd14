#!/usr/bin/env bash
# Barid's load benchmarks (issue 4): builds the release binaries, starts `barid demo` on a
# free port in a temporary folder, runs the scenarios with bench/load (barid-load), stops the
# server and prints every report. See bench/README.md.
#
# Settings (environment):
#   BENCH_COUNT=10000          items per acceptance scenario
#   BENCH_DURATION=10          seconds measured per timed scenario (after a 2 s warm-up)
#   BENCH_SCENARIOS="accept labels tracking"   which groups to run, in this order
#   BENCH_OUT=target/bench/results.jsonl       where the JSON lines of the reports go
#   BENCH_THREADS=1            worker threads of the load generator
#   CARGO_TARGET_DIR           where cargo builds (target/ by default)
#
# The server's public tracking limit (tracking_lookups_per_minute, 120 per client address by
# default) would answer almost every lookup of the load generator with 429, since all of it
# comes from 127.0.0.1: the server started here gets BARID_TRACKING_LOOKUPS_PER_MINUTE.
set -euo pipefail

cd "$(dirname "$0")/.."
count="${BENCH_COUNT:-10000}"
duration="${BENCH_DURATION:-10}"
scenarios="${BENCH_SCENARIOS:-accept labels tracking}"
out="${BENCH_OUT:-target/bench/results.jsonl}"
threads="${BENCH_THREADS:-1}"

echo "== building release binaries"
cargo build --release -p barid -p barid-load
target_dir="${CARGO_TARGET_DIR:-target}"
barid="$target_dir/release/barid"
load="$target_dir/release/barid-load"

work="$(mktemp -d -t barid-bench-XXXXXX)"
server=""
cleanup() {
    if [[ -n "$server" ]] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$(dirname "$out")"
{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) cores: $(nproc), cpu: $(lscpu | sed -n 's/^Model name: *//p')"
    echo "# load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$out"

echo "== starting barid demo in $work"
BARID_TRACKING_LOOKUPS_PER_MINUTE=1000000000 \
    "$barid" demo --dir "$work/demo" --port 0 --items 60 --summary-json "$work/summary.json" \
    >"$work/server.log" 2>&1 &
server=$!

for _ in $(seq 1 600); do
    [[ -s "$work/summary.json" ]] && break
    if ! kill -0 "$server" 2>/dev/null; then
        echo "barid demo stopped before it was ready:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    sleep 0.2
done
if [[ ! -s "$work/summary.json" ]]; then
    echo "barid demo did not write its summary within 120 s:" >&2
    cat "$work/server.log" >&2
    exit 1
fi

# The summary is pretty-printed JSON: one key per line.
field() { sed -n "s/^  \"$1\": \"\\([^\"]*\\)\",\\{0,1\\}$/\\1/p" "$work/summary.json"; }
base_url="$(field base_url)"
merchant_token="$(field merchant_token)"
if [[ -z "$base_url" || -z "$merchant_token" ]]; then
    echo "cannot read base_url and merchant_token from $work/summary.json" >&2
    exit 1
fi
echo "server at $base_url"

# Labels are for staff (the merchant token may accept but not print), so acceptance with
# labels uses a clerk token at the merchant's office, issued with the CLI on the same database.
"$barid" token issue --database "sqlite://$work/demo/barid.db" --operator EG \
    --name bench-clerk --role clerk --office EG-CAI-01 >"$work/token.txt"
clerk_token="$(sed -n 's/^secret .*: //p' "$work/token.txt")"
if [[ -z "$clerk_token" ]]; then
    echo "could not issue a clerk token:" >&2
    cat "$work/token.txt" >&2
    exit 1
fi

run() {
    echo "== barid-load $*"
    "$load" --threads "$threads" --json "$out" "$@"
}

for group in $scenarios; do
    case "$group" in
    accept)
        # Acceptance alone (the merchant's own token), then with each label rendered on
        # demand right after its item, then in bulk requests of 100.
        run accept --base-url "$base_url" --token "$merchant_token" --count "$count" \
            --concurrency 8 --labels none --write-ids "$work/accepted.txt"
        run accept --base-url "$base_url" --token "$clerk_token" --count "$count" \
            --concurrency 8 --labels on-demand
        run accept --base-url "$base_url" --token "$clerk_token" --count "$count" \
            --concurrency 4 --bulk --batch 100 --labels none
        ;;
    labels)
        # The items accepted above (the demo's own when acceptance did not run).
        ids=(--summary-json "$work/summary.json")
        if [[ -s "$work/accepted.txt" ]]; then
            ids=(--ids-from "$work/accepted.txt")
        fi
        run labels --base-url "$base_url" --token "$clerk_token" "${ids[@]}" \
            --concurrency 2 --duration "$duration"
        ;;
    tracking)
        # The demo's items: timelines of several events, most kept by Egypt and Palestine.
        for concurrency in 16 64; do
            run tracking --base-url "$base_url" --summary-json "$work/summary.json" \
                --concurrency "$concurrency" --duration "$duration"
        done
        run tracking --base-url "$base_url" --summary-json "$work/summary.json" \
            --concurrency 16 --duration "$duration" --page
        ;;
    *)
        echo "unknown scenario group $group (accept, labels, tracking)" >&2
        exit 2
        ;;
    esac
done

echo "== done; reports appended to $out"
