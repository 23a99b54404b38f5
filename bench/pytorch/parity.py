"""Run the PyTorch reference on a folder exported by io.nativetok.bench.WeightExport.

Usage:
    /usr/bin/python3 bench/pytorch/parity.py FOLDER            # forward pass
    /usr/bin/python3 bench/pytorch/parity.py FOLDER --train    # training steps from training.json

The forward pass reads config.json, weights.* and inputs.* and writes reference.* with x_latent
(NativeTok encoder only), h, projected, ids, reconstruction and reconstruction_from_java_ids. The
last is the decoder applied to the ids in java-outputs.*, so that the decoder can be compared even
where a distance tie gave different ids. When java-outputs.* exists, the script also prints the
maximum relative error of each stage. The Java ParityTest makes its own comparison from the files.

With --train it reads training.json (learning rate per step, betas, weight decay, clip norm) and
runs that many steps of the Java trainer's loss and AdamW update on inputs.*, writing each step's
loss terms and gradient norm to reference-training.json.
"""

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nativetok_reference as ref  # noqa: E402


def forward(folder):
    model, _, _ = ref.load_export(folder)
    inputs, _ = ref.load_tensors(folder, "inputs")
    images = inputs["images"] * 2 - 1  # the model's [-1, 1] scale, as the Java side computes it
    trace = {}
    with torch.no_grad():
        h, quantized, reconstruction = model(images, trace)
        outputs = dict(trace)
        outputs.update({
            "h": h,
            "projected": quantized["projected"],
            "ids": quantized["ids"],
            "reconstruction": reconstruction,
        })
        java_path = os.path.join(folder, "java-outputs.json")
        java = ref.load_tensors(folder, "java-outputs")[0] if os.path.exists(java_path) else None
        if java is not None:
            outputs["reconstruction_from_java_ids"] = model.decode_ids(java["ids"])
    ref.save_tensors(folder, "reference", outputs)
    if java is not None:
        print_summary(java, outputs)


def print_summary(java, outputs):
    for key, value in outputs.items():
        other = java.get(key if key != "reconstruction_from_java_ids" else "reconstruction")
        if other is None:
            continue
        if key == "ids":
            print(f"{key}: {int((other != value).sum())} of {value.numel()} differ")
            continue
        error = (other - value).abs().max() / other.abs().max().clamp_min(1e-30)
        print(f"{key}: max relative error {float(error):.3e}")


def train(folder):
    with open(os.path.join(folder, "training.json"), encoding="utf-8") as f:
        settings = json.load(f)
    model, _, java_names = ref.load_export(folder)
    inputs, _ = ref.load_tensors(folder, "inputs")
    target = inputs["images"] * 2 - 1
    optimizer = ref.DjlAdamW(
        model.named_parameters(), java_names, settings["beta1"], settings["beta2"],
        settings["weight_decay"])
    steps = []
    for learning_rate in settings["learning_rates"]:
        values, norm = ref.training_step(model, optimizer, target, learning_rate, settings["clip_norm"])
        values["gradient_norm"] = norm
        steps.append(values)
        print(json.dumps(values))
    with open(os.path.join(folder, "reference-training.json"), "w", encoding="utf-8") as f:
        json.dump({"steps": steps}, f, indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="folder written by io.nativetok.bench.WeightExport")
    parser.add_argument("--train", action="store_true", help="run the training steps of training.json")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="PyTorch intra-op threads (default: the number of CPUs)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.train:
        train(args.folder)
    else:
        forward(args.folder)


if __name__ == "__main__":
    main()
