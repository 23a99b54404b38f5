"""Benchmark worker: the PyTorch reference side of `nativetok bench --against-pytorch`.

Usage: /usr/bin/python3 bench/pytorch/bench_worker.py FOLDER [--threads N]

FOLDER is written by the Java benchmark (io.nativetok.bench.PyTorchComparison): config.json,
weights.*, inputs.* (one batch of images in [0, 1]) and training.json (AdamW settings). The worker
builds the reference model, then reads one JSON request per line on stdin and writes one JSON reply
per line on stdout, so that it stays alive while the Java side takes its turn:

    {"op": "step", "learning_rate": 0.001}  -> {"ok": true, "millis": ...}   one training step
    {"op": "encode"}                         -> {"ok": true, "millis": ...}   images to token ids
    {"op": "decode"}                         -> {"ok": true, "millis": ...}   token ids to images
    {"op": "matmul"}                         -> {"ok": true, "millis": ...}   2048 x 2048 float32
    {"op": "memory"}                         -> {"ok": true, "peak_resident_bytes": ...}
    {"op": "quit"}                           -> exits

The first line written is {"ok": true, "ready": true, ...} with the PyTorch version, the thread
count and the reference's forward FLOPs per image. A failed request gets the reply {"ok": false,
"error": "..."}, and the worker goes on reading requests.
"""

import argparse
import json
import os
import sys
import time
import traceback

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nativetok_reference as ref  # noqa: E402

MATMUL_SIZE = 2048


def peak_resident_bytes():
    """Return the process's peak resident set size (VmHWM in /proc/self/status), in bytes."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return -1


class Worker:
    """The reference model, its optimizer and one batch, with a timed method per request."""

    def __init__(self, folder):
        with open(os.path.join(folder, "training.json"), encoding="utf-8") as f:
            settings = json.load(f)
        self.model, self.flat_config, java_names = ref.load_export(folder)
        inputs, _ = ref.load_tensors(folder, "inputs")
        self.target = inputs["images"] * 2 - 1
        self.optimizer = ref.DjlAdamW(
            self.model.named_parameters(), java_names, settings["beta1"], settings["beta2"],
            settings["weight_decay"])
        self.clip_norm = settings["clip_norm"]
        with torch.no_grad():
            self.ids = self.model.quantizer(self.model.encode(self.target))["ids"]
        self.a = torch.randn(MATMUL_SIZE, MATMUL_SIZE)
        self.b = torch.randn(MATMUL_SIZE, MATMUL_SIZE)

    def step(self, request):
        ref.training_step(self.model, self.optimizer, self.target, request["learning_rate"], self.clip_norm)

    @torch.no_grad()
    def encode(self, _):
        self.model.eval()
        self.model.quantizer(self.model.encode(self.target))["ids"].tolist()

    @torch.no_grad()
    def decode(self, _):
        self.model.eval()
        images = self.model.decode_ids(self.ids).add(1).div(2).clamp(0, 1)
        float(images[0, 0, 0, 0])

    def matmul(self, _):
        c = self.a @ self.b
        float(c[0, 0])


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="folder written by io.nativetok.bench.PyTorchComparison")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="PyTorch intra-op threads (default: the number of CPUs)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    try:
        worker = Worker(args.folder)
    except Exception as error:  # reported to the Java side, which stops the benchmark
        reply({"ok": False, "error": f"{type(error).__name__}: {error}"})
        return 1
    reply({
        "ok": True,
        "ready": True,
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "forward_flops_per_image": ref.forward_flops(worker.flat_config),
    })
    operations = {"step": worker.step, "encode": worker.encode, "decode": worker.decode,
                  "matmul": worker.matmul}
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        op = request.get("op")
        if op == "quit":
            return 0
        if op == "memory":
            reply({"ok": True, "peak_resident_bytes": peak_resident_bytes()})
            continue
        if op not in operations:
            reply({"ok": False, "error": f"unknown op {op!r}"})
            continue
        try:
            start = time.perf_counter()
            operations[op](request)
            reply({"ok": True, "millis": (time.perf_counter() - start) * 1000})
        except (RuntimeError, MemoryError) as error:
            # An out-of-memory error from PyTorch's CPU allocator arrives as RuntimeError.
            traceback.print_exc(file=sys.stderr)
            reply({"ok": False, "error": f"{type(error).__name__}: {error}"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
