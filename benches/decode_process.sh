#!/usr/bin/env bash
# `openai-wire decode` against the peer pipeline (eventsource-stream + async-openai 0.43, the
# `peer_decode` example of openai-wire-decode), each as a whole process on the same files: 100
# Responses streams of 10,000 text deltas (benches/make_decode_streams.py). A benchmark, not a
# test: it asserts nothing. Needs hyperfine (`cargo install hyperfine`).
#
#   benches/decode_process.sh [DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/tmp/openai-wire-decode-bench}
runs=${2:-5}
[ -d "$dir" ] || python3 benches/make_decode_streams.py "$dir" 100 10000
cargo build --release -q -p openai-wire
cargo build --release -q -p openai-wire-decode --example peer_decode
du -sh "$dir"
hyperfine --warmup 1 --runs "$runs" \
  -n 'openai-wire decode --quiet' "target/release/openai-wire decode --quiet --protocol responses $dir/*.sse" \
  -n 'peer: eventsource-stream + async-openai' "target/release/examples/peer_decode $dir/*.sse"
