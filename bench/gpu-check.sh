#!/usr/bin/env bash
# GPU check: the Java benchmark and a short IMAGENET256 training run on a CUDA GPU. Once DJL's
# CUDA libtorch is in its cache, the two timed parts are capped at 100 s and 200 s, so together
# they take at most five minutes. By estimate (about 15.5 TFLOP per IMAGENET256 step of 16 images) a
# current data-centre GPU needs well under those caps.
#
# NOTE: this script has not been run. The machines this kit was written on have no GPU and no
# access to publish.djl.ai, where DJL downloads its CUDA builds of libtorch. The steps follow
# docs/gpu.md, which lists what was checked and what was not.
#
# Needs: Linux x86_64 with an NVIDIA driver for CUDA 12.8 (nvidia-smi), Java 17, Maven, internet
# on the first run (DJL downloads libtorch 2.7.1 for PYTORCH_FLAVOR into ~/.djl.ai), CIFAR-10
# (NATIVETOK_DATA or datasets/cifar10; `bin/nativetok data download cifar10` fetches it) and a
# folder of at least 16 PNG or JPEG images for IMAGENET256 (GPU_CHECK_IMAGES, default
# datasets/imagenet-sample-1000/images).
#
#   bench/gpu-check.sh            # PYTORCH_FLAVOR=cu128 unless set
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PYTORCH_FLAVOR="${PYTORCH_FLAVOR:-cu128}"
export TORCH_CPP_LOG_LEVEL="${TORCH_CPP_LOG_LEVEL:-ERROR}"
images="${GPU_CHECK_IMAGES:-$root/datasets/imagenet-sample-1000/images}"

if ! nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; then
  echo "error: nvidia-smi failed, so no usable NVIDIA GPU or driver was found." >&2
  exit 1
fi
if [[ ! -d "$images" ]]; then
  echo "error: image folder not found: $images. Set GPU_CHECK_IMAGES to a folder of PNG or JPEG files." >&2
  exit 1
fi

echo "== Building (tests skipped)"
mvn -q -B -DskipTests package

# The CPU libtorch jar must not be on the class path: DJL would load it and find no GPU.
classpath="$root/target/nativetok-0.1.0-SNAPSHOT.jar"
for library in "$root"/target/lib/*.jar; do
  [[ "$(basename "$library")" == pytorch-native-cpu-* ]] || classpath="$classpath:$library"
done
java_command=(java -Xmx8g -Djava.awt.headless=true -cp "$classpath")

echo "== Loading libtorch ($PYTORCH_FLAVOR; downloads on the first run) with a TINY model on the GPU"
"${java_command[@]}" io.nativetok.bench.GpuCheck --preset tiny --device gpu --images "$images" --steps 2 --batch-size 4

start=$(date +%s)
echo "== Benchmark: CIFAR10 preset, batch 64, on the GPU"
timeout 100 "${java_command[@]}" io.nativetok.cli.Main bench --preset cifar10 --device gpu --repetitions 10

echo "== IMAGENET256 training: 20 steps of batch 16 on the GPU"
timeout 200 "${java_command[@]}" io.nativetok.bench.GpuCheck --preset imagenet256 --device gpu --images "$images" --steps 20 --batch-size 16
echo "== Done in $(( $(date +%s) - start )) s after libtorch was loaded"
