#!/usr/bin/env bash
# Two `openai-wire serve` processes measured side by side by `gateway_load`, in the same run, as
# peers "a" and "b", each under `perf stat` (task-clock, context switches). Set what differs:
#
#   BIN_A, BIN_B      the binaries (default: target/release/openai-wire for both)
#   ENV_A, ENV_B      environment for each (e.g. ENV_A=OPENAI_WIRE_WORKERS=1)
#   STORE_A, STORE_B  their --store (default memory; e.g. sqlite:///tmp/peer-b.db, removed first)
#   C, R              --concurrency and --rounds of gateway_load (default 100 and 4)
#   BENCH_ARGS        more gateway_load arguments (e.g. --store-responses)
#
#   benches/gateway_peers.sh [swap]     # swap: b is measured before a
#
# The bench's own gateway (BIN_A) runs too, before the peers. A benchmark, not a test: it
# asserts nothing. Needs perf (`apt install linux-perf`). Build first with
# `cargo bench -p openai-wire --bench gateway_load --no-run`.
set -euo pipefail
cd "$(dirname "$0")/.."
load=$(ls -t target/release/deps/gateway_load-* | grep -v '\.d$' | head -1)
bin_a=${BIN_A:-target/release/openai-wire}
bin_b=${BIN_B:-$bin_a}
upstream_port=18555
for peer in a b; do
  store_var=STORE_${peer^^}
  store=${!store_var:-memory}
  case $store in sqlite://*) rm -f "${store#sqlite://}"*;; esac
done

start_peer() { # name binary env store port
  # shellcheck disable=SC2086
  env $3 perf stat -x, -o "/tmp/gateway-peer-$1.stat" -e task-clock,context-switches \
    "$2" serve --upstream "http://127.0.0.1:$upstream_port/v1" --store "$4" \
    --listen "127.0.0.1:$5" >"/tmp/gateway-peer-$1.log" 2>&1 &
  echo $!
}
perf_a=$(start_peer a "$bin_a" "${ENV_A:-}" "${STORE_A:-memory}" 18611)
perf_b=$(start_peer b "$bin_b" "${ENV_B:-}" "${STORE_B:-memory}" 18612)
sleep 1
pid_a=$(pgrep -P "$perf_a")
pid_b=$(pgrep -P "$perf_b")
peer_a="--peer a,http://127.0.0.1:18611/v1/responses,$pid_a"
peer_b="--peer b,http://127.0.0.1:18612/v1/responses,$pid_b"
if [ "${1:-}" = swap ]; then order="$peer_b $peer_a"; else order="$peer_a $peer_b"; fi
# shellcheck disable=SC2086
"$load" --gateway-bin "$bin_a" --concurrency "${C:-100}" --rounds "${R:-4}" \
  --upstream-port "$upstream_port" ${BENCH_ARGS:-} $order |
  grep -E '^\| *[0-9]+ \| (gateway|gateway-chat|a|b) \|'
kill -INT "$pid_a" "$pid_b"
sleep 1
for peer in a b; do
  echo "$peer: $(grep -v '^#' "/tmp/gateway-peer-$peer.stat" | awk -F, 'NF>2{printf "%s=%s ", $3, $1}')"
done
