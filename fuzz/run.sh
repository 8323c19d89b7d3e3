#!/usr/bin/env bash
# Runs every fuzz target for a bounded time on its committed seed corpus (fuzz/corpus/<target>),
# failing on the first crash. cargo-fuzz needs a nightly compiler for the sanitizer flags; with only
# the stable toolchain, RUSTC_BOOTSTRAP=1 lets stable accept them. cargo-fuzz is installed once per
# machine into a cached root.
#
#   fuzz/run.sh                 every target, FUZZ_SECONDS (default 60) each
#   fuzz/run.sh decode counts   only these targets
#
# New inputs found are written to a scratch copy of the corpus, not to the committed seeds; a crash
# leaves its reproducer in fuzz/artifacts/<target>/ (run it again with
# `RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/artifacts/<target>/crash-...`).
set -euo pipefail
cd "$(dirname "$0")"

SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
CARGO_FUZZ_VERSION=0.13.2
TOOLS="${TOCSIN_TOOLS_DIR:-$HOME/.cache/tocsin}"
FUZZ_ROOT="$TOOLS/cargo-fuzz-$CARGO_FUZZ_VERSION"
if [ ! -x "$FUZZ_ROOT/bin/cargo-fuzz" ]; then
  echo "installing cargo-fuzz $CARGO_FUZZ_VERSION into $FUZZ_ROOT (first run on this machine only)"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$FUZZ_ROOT"
fi
export PATH="$FUZZ_ROOT/bin:$PATH"
export RUSTC_BOOTSTRAP=1
# Keep the fuzz build apart from the workspace's (different flags: sanitizer, coverage).
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/target}"

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
  echo "== fuzz $t for ${SECONDS_PER_TARGET}s"
  mkdir -p "$scratch/$t"
  cp corpus/"$t"/* "$scratch/$t/"
  started=$(date +%s)
  cargo fuzz build -O "$t"
  log="$scratch/$t.log"
  set +e
  cargo fuzz run -O "$t" "$scratch/$t" -- \
    -max_total_time="$SECONDS_PER_TARGET" -max_len=8192 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 >"$log" 2>&1
  status=$?
  set -e
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
  if [ "$status" -ne 0 ]; then tail -n 60 "$log"; fi
  echo "   $t: exit $status after $(( $(date +%s) - started ))s, corpus $(ls "$scratch/$t" | wc -l) inputs"
  if [ "$status" -ne 0 ]; then
    echo "fuzz target $t failed; reproducer in fuzz/artifacts/$t/" >&2
    exit "$status"
  fi
done
