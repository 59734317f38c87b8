#!/usr/bin/env bash
# Set up rapidnn from nothing on Debian 12: install every Debian package the
# project uses (only when one is missing), then configure and build into build/.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  cmake ninja-build g++ pkg-config zlib1g-dev
  libfmt-dev libcli11-dev catch2 nlohmann-json3-dev libeigen3-dev
  libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx
  libtorch-dev libopenblas0-pthread
  verilator iverilog yosys opensta qflow-tech-osu018
  qflow graywolf qrouter magic netgen-lvs klayout
  parallel
  dataset-fashion-mnist
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

# libtorch calls the system BLAS (libblas.so.3); the reference BLAS is ~7x slower than OpenBLAS.
if ! update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep -q '^Value: .*openblas'; then
  echo "setup: note: libblas.so.3 is not OpenBLAS; training will be slow" >&2
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
