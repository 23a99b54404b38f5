#!/usr/bin/env bash
# A/B benchmark of the Java model against the PyTorch reference. It alternates Java and PyTorch
# runs of the training step, encode, decode and a 2048 x 2048 matmul on the same weights and
# CIFAR-10 batch. Then it prints both medians, their ratio, FLOP rates and peak resident memory.
#
#   bench/compare.sh [--preset cifar10] [--batch-size 64] [--repetitions 10] [--python PATH]
#
# Needs CIFAR-10 (NATIVETOK_DATA or datasets/cifar10) and PyTorch for /usr/bin/python3
# (Debian: apt-get install python3-torch python3-numpy libopenblas0-pthread; without OpenBLAS the
# reference runs on the slow reference BLAS) or for the Python in NATIVETOK_PYTHON.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
exec bin/nativetok bench --against-pytorch --pytorch-worker "$root/bench/pytorch/bench_worker.py" "$@"
