"""PyTorch reference of the NativeTok tokenizer that the Java kit implements.

The model is written the straightforward way the authors' prototype does it: each causal expert
runs all its layers over its whole input sequence, one expert after another, and keeps the output
at the query slot. The Java model computes only the query row in an expert's last layer. Both give
the same values, so this file checks that saving as well as the rest of the Java model.

Every choice below copies the Java model (package io.nativetok.nn):

- pre-LayerNorm transformer layers, x + Attention(LN(x)) then x + MLP(LN(x)), with exact (erf)
  GELU and LayerNorm eps 1e-5 over the last axis (DJL 0.36's LayerNorm default);
- attention with separate query and key-value linears, where the key-value output contains all
  keys, then all values, each split into heads in order; queries are scaled by 1 / sqrt(head
  width);
- patches in row-major order, each patch vector holding its pixels row by row with the three
  channels of a pixel adjacent;
- an l2-normalised codebook, nearest entry by cosine similarity, the straight-through estimator
  and the loss mean((q - sg(e))^2) + beta * mean((sg(q) - e)^2).

Runs on Debian's PyTorch 1.13 (python3-torch) and needs nothing else. Weights and inputs come from
the Java kit as tensor files (see load_tensors) and a flat configuration map (config.json).
"""

import json
import math
import os
import re

import numpy
import torch
import torch.nn.functional as F
from torch import nn

# DJL 0.36 LayerNorm.Builder's default epsilon.
LAYER_NORM_EPS = 1e-5
# Epsilon of the l2 normalisation of codes and codebook, as in the Java VectorQuantizer.
NORMALIZE_EPS = 1e-12
# Additive attention mask value for blocked pairs, as in the Java SingleStreamEncoder.
BLOCKED = -1e9

TENSOR_FORMAT = "nativetok-tensors"
_DTYPES = {"float32": torch.float32, "int64": torch.int64}
_ITEM_BYTES = {"float32": 4, "int64": 8}


# ---------------------------------------------------------------------------------------------
# Patches


def patchify(images, patch):
    """Split (B, C, H, W) images into (B, N, p*p*C) patch vectors, patches in row-major order."""
    batch, channels, height, width = images.shape
    rows, cols = height // patch, width // patch
    x = images.reshape(batch, channels, rows, patch, cols, patch)
    x = x.permute(0, 2, 4, 3, 5, 1)  # (B, rows, cols, p, p, C)
    return x.reshape(batch, rows * cols, patch * patch * channels)


def unpatchify(patches, patch, height, width):
    """Reassemble (B, N, p*p*C) patch vectors into (B, C, H, W) images."""
    batch = patches.shape[0]
    channels = patches.shape[2] // (patch * patch)
    rows, cols = height // patch, width // patch
    x = patches.reshape(batch, rows, cols, patch, patch, channels)
    x = x.permute(0, 5, 1, 3, 2, 4)  # (B, C, rows, p, cols, p)
    return x.reshape(batch, channels, height, width)


# ---------------------------------------------------------------------------------------------
# Transformer


class MultiHeadAttention(nn.Module):
    """Multi-head self-attention over all rows of (B, T, D) with an optional additive mask."""

    def __init__(self, width, heads):
        super().__init__()
        if heads <= 0 or width % heads != 0:
            raise ValueError(f"width {width} is not divisible by {heads} heads")
        self.width = width
        self.heads = heads
        self.query = nn.Linear(width, width)
        self.key_value = nn.Linear(width, 2 * width)
        self.output = nn.Linear(width, width)

    def forward(self, x, mask=None):
        batch, length, width = x.shape
        head_width = width // self.heads
        q = self.query(x) * (1.0 / math.sqrt(head_width))
        q = q.reshape(batch, length, self.heads, head_width).transpose(1, 2)  # (B, H, T, E)
        kv = self.key_value(x).reshape(batch, length, 2, self.heads, head_width)
        kv = kv.permute(2, 0, 3, 1, 4)  # (2, B, H, T, E)
        k, v = kv[0], kv[1]
        logits = q @ k.transpose(-2, -1)  # (B, H, T, T)
        if mask is not None:
            logits = logits + mask
        weights = logits.softmax(dim=-1)
        mixed = (weights @ v).transpose(1, 2).reshape(batch, length, width)
        return self.output(mixed)


class TransformerLayer(nn.Module):
    """Pre-LayerNorm layer: x + Attention(LN(x)), then x + MLP(LN(x)) with a GELU MLP."""

    def __init__(self, width, heads, mlp_ratio):
        super().__init__()
        self.attention_norm = nn.LayerNorm(width, eps=LAYER_NORM_EPS)
        self.attention = MultiHeadAttention(width, heads)
        self.mlp_norm = nn.LayerNorm(width, eps=LAYER_NORM_EPS)
        self.mlp_in = nn.Linear(width, mlp_ratio * width)
        self.mlp_out = nn.Linear(mlp_ratio * width, width)

    def forward(self, x, mask=None):
        x = x + self.attention(self.attention_norm(x), mask)
        return x + self.mlp_out(F.gelu(self.mlp_in(self.mlp_norm(x))))


class TransformerStack(nn.Module):
    """Layers of one width, each over the whole sequence."""

    def __init__(self, width, depth, heads, mlp_ratio):
        super().__init__()
        self.layers = nn.ModuleList(
            TransformerLayer(width, heads, mlp_ratio) for _ in range(depth))

    def forward(self, x, mask=None):
        for layer in self.layers:
            x = layer(x, mask)
        return x


# ---------------------------------------------------------------------------------------------
# Encoders


class MetaImageTransformer(nn.Module):
    """The MIT (a pre-LN ViT with a class token) and the dimension switcher to the expert width."""

    def __init__(self, image_size, patch, width, depth, heads, mlp_ratio, output_width):
        super().__init__()
        self.patch = patch
        patches = (image_size // patch) ** 2
        self.patch_embedding = nn.Linear(3 * patch * patch, width)
        self.class_token = nn.Parameter(torch.zeros(1, 1, width))
        self.positions = nn.Parameter(torch.zeros(1, patches + 1, width))
        self.transformer = TransformerStack(width, depth, heads, mlp_ratio)
        self.output_norm = nn.LayerNorm(width, eps=LAYER_NORM_EPS)
        self.switcher = nn.Linear(width, output_width)

    def forward(self, images):
        x = self.patch_embedding(patchify(images, self.patch))  # (B, N, D)
        cls = self.class_token.expand(x.shape[0], 1, x.shape[2])
        x = torch.cat([cls, x], dim=1) + self.positions  # (B, N + 1, D)
        x = self.output_norm(self.transformer(x))
        return self.switcher(x)  # X_latent (B, N + 1, De)


class Expert(nn.Module):
    """One causal expert: a learned query vector q_i and a transformer stack."""

    def __init__(self, width, depth, heads, mlp_ratio):
        super().__init__()
        self.query = nn.Parameter(torch.zeros(1, 1, width))
        self.transformer = TransformerStack(width, depth, heads, mlp_ratio)

    def forward(self, sequence):
        """Return h_i (B, 1, De) from [X_latent, h_0, .., h_{i-1}], every layer covering every row."""
        batch = sequence[0].shape[0]
        q = self.query.expand(batch, 1, self.query.shape[2])
        x = torch.cat(list(sequence) + [q], dim=1)  # (B, N + 1 + i + 1, De)
        return self.transformer(x)[:, -1:]


class CausalExperts(nn.Module):
    """The MoCET: expert i reads [X_latent ; h_0 .. h_{i-1} ; q_i] and produces h_i."""

    def __init__(self, tokens, width, depth, heads, mlp_ratio):
        super().__init__()
        self.experts = nn.ModuleList(
            Expert(width, depth, heads, mlp_ratio) for _ in range(tokens))

    def forward(self, latent, feedback=None):
        """Return h (B, L, De); feedback maps h_i to what later experts read (default: h_i)."""
        sequence = [latent]
        outputs = []
        for expert in self.experts:
            h = expert(sequence)
            outputs.append(h)
            sequence.append(h if feedback is None else feedback(h))
        return torch.cat(outputs, dim=1)


class NativeTokEncoder(nn.Module):
    """MIT with dimension switcher, then the causal experts."""

    def __init__(self, config):
        super().__init__()
        mit, experts = config["mit"], config["mocet"]
        self.mit = MetaImageTransformer(
            config["image-size"], config["patch-size"], mit["width"], mit["depth"], mit["heads"],
            mit["mlp-ratio"], experts["width"])
        self.experts = CausalExperts(
            config["tokens"], experts["width"], experts["depth"], experts["heads"],
            experts["mlp-ratio"])
        self.output_width = experts["width"]

    def forward(self, images, feedback=None, trace=None):
        latent = self.mit(images)
        if trace is not None:
            trace["x_latent"] = latent
        return self.experts(latent, feedback)


class SingleStreamEncoder(nn.Module):
    """One ViT over [class ; N patches ; L latents]: TiTok, or with causal=True the causal mask."""

    def __init__(self, config, causal):
        super().__init__()
        base = config["baseline"]
        width = base["width"]
        self.patch = config["patch-size"]
        self.patch_count = (config["image-size"] // self.patch) ** 2
        self.tokens = config["tokens"]
        self.causal = causal
        self.output_width = width
        self.patch_embedding = nn.Linear(3 * self.patch * self.patch, width)
        self.class_token = nn.Parameter(torch.zeros(1, 1, width))
        self.positions = nn.Parameter(torch.zeros(1, self.patch_count + 1 + self.tokens, width))
        self.latents = nn.ParameterList(
            nn.Parameter(torch.zeros(1, 1, width)) for _ in range(self.tokens))
        self.transformer = TransformerStack(width, base["depth"], base["heads"], base["mlp-ratio"])
        self.output_norm = nn.LayerNorm(width, eps=LAYER_NORM_EPS)

    def causal_mask(self, device):
        """Return the (1, 1, T, T) additive mask of the causal-mask baseline.

        Patch rows attend to patch columns only, and latent row i to the patches and latents 0..i.
        """
        prefix = self.patch_count + 1
        length = prefix + self.tokens
        rows = torch.arange(length, device=device).unsqueeze(1)
        cols = torch.arange(length, device=device).unsqueeze(0)
        allowed = (cols < prefix) | ((rows >= prefix) & (cols <= rows))
        mask = torch.zeros(length, length, device=device)
        mask[~allowed] = BLOCKED
        return mask.reshape(1, 1, length, length)

    def forward(self, images, feedback=None, trace=None):
        x = self.patch_embedding(patchify(images, self.patch))
        batch, _, width = x.shape
        parts = [self.class_token.expand(batch, 1, width), x]
        parts += [latent.expand(batch, 1, width) for latent in self.latents]
        x = torch.cat(parts, dim=1) + self.positions
        mask = self.causal_mask(x.device) if self.causal else None
        x = self.transformer(x, mask)
        start = self.patch_count + 1
        return self.output_norm(x[:, start:start + self.tokens])


# ---------------------------------------------------------------------------------------------
# Quantizer and decoder


class VectorQuantizer(nn.Module):
    """LayerNorm, projection to the code dimension, l2 normalisation, nearest codebook entry."""

    def __init__(self, input_width, codebook_size, code_dim, commitment_weight):
        super().__init__()
        self.norm = nn.LayerNorm(input_width, eps=LAYER_NORM_EPS)
        self.projection = nn.Linear(input_width, code_dim)
        self.codebook = nn.Parameter(torch.zeros(codebook_size, code_dim))
        self.commitment_weight = commitment_weight

    def project(self, h):
        """Return the unit-length projections e (B, L, C) of encoder outputs h (B, L, De)."""
        return F.normalize(self.projection(self.norm(h)), p=2.0, dim=2, eps=NORMALIZE_EPS)

    def entries(self):
        """Return the l2-normalised codebook (K, C)."""
        return F.normalize(self.codebook, p=2.0, dim=1, eps=NORMALIZE_EPS)

    def similarities(self, e):
        """Return the cosine similarity of each e to each entry, (B, L, K), outside autograd."""
        return e.detach() @ self.entries().detach().t()

    def forward(self, h):
        e = self.project(h)
        entries = self.entries()
        ids = self.similarities(e).argmax(dim=-1)  # (B, L)
        q = entries[ids]  # (B, L, C)
        codebook_loss = (q - e.detach()).square().mean()
        commitment_loss = (q.detach() - e).square().mean()
        return {
            "codes": e + (q - e).detach(),  # straight-through: value q, gradient to e
            "ids": ids,
            "projected": e,
            "codebook_loss": codebook_loss,
            "commitment_loss": commitment_loss,
            "loss": codebook_loss + self.commitment_weight * commitment_loss,
        }

    def embed(self, ids):
        """Return the normalised entries of token ids (B, L) as (B, L, C)."""
        return self.entries()[ids]


class PixelDecoder(nn.Module):
    """A ViT over [N mask tokens + positions ; projected codes + latent positions], then pixels."""

    def __init__(self, config):
        super().__init__()
        dec = config["decoder"]
        width = dec["width"]
        self.image_size = config["image-size"]
        self.patch = config["patch-size"]
        self.patch_count = (self.image_size // self.patch) ** 2
        self.tokens = config["tokens"]
        self.token_embedding = nn.Linear(config["quantizer"]["code-dim"], width)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, width))
        self.positions = nn.Parameter(torch.zeros(1, self.patch_count, width))
        self.latent_positions = nn.Parameter(torch.zeros(1, self.tokens, width))
        self.absent_token = nn.Parameter(torch.zeros(1, 1, width))
        self.transformer = TransformerStack(width, dec["depth"], dec["heads"], dec["mlp-ratio"])
        self.output_norm = nn.LayerNorm(width, eps=LAYER_NORM_EPS)
        self.to_pixels = nn.Linear(width, 3 * self.patch * self.patch)

    def forward(self, codes):
        """Decode codes (B, L', C), L' <= L, into images (B, 3, H, W) in [-1, 1] (unclipped)."""
        batch, present, _ = codes.shape
        latents = self.token_embedding(codes)
        width = latents.shape[2]
        if present < self.tokens:
            absent = self.absent_token.expand(batch, self.tokens - present, width)
            latents = torch.cat([latents, absent], dim=1)
        latents = latents + self.latent_positions
        masks = (self.positions + self.mask_token).expand(batch, self.patch_count, width)
        x = self.transformer(torch.cat([masks, latents], dim=1))
        x = self.to_pixels(self.output_norm(x[:, :self.patch_count]))
        return unpatchify(x, self.patch, self.image_size, self.image_size)


# ---------------------------------------------------------------------------------------------
# The whole tokenizer


class NativeTokReference(nn.Module):
    """Encoder, quantizer and decoder built from the Java kit's flat configuration map."""

    def __init__(self, flat_config):
        super().__init__()
        config = parse_config(flat_config)
        self.config = config
        kind = config["encoder"]
        if kind == "nativetok":
            self.encoder = NativeTokEncoder(config)
        elif kind in ("titok", "causal-mask"):
            self.encoder = SingleStreamEncoder(config, causal=kind == "causal-mask")
        else:
            raise ValueError(f"unknown encoder kind {kind!r}: expected nativetok, titok or causal-mask")
        q = config["quantizer"]
        self.quantizer = VectorQuantizer(
            self.encoder.output_width, q["codebook-size"], q["code-dim"], q["commitment"])
        self.decoder = PixelDecoder(config)
        self.quantized_feedback = kind == "nativetok" and config["mocet"]["feedback"] == "quantized"
        if self.quantized_feedback:
            self.feedback_projection = nn.Linear(q["code-dim"], self.encoder.output_width)

    def _feedback(self):
        if not self.quantized_feedback:
            return None
        return lambda h: self.feedback_projection(self.quantizer(h)["codes"])

    def encode(self, images, trace=None):
        """Return the encoder outputs h (B, L, De) of images (B, 3, H, W) in [-1, 1]."""
        return self.encoder(images, feedback=self._feedback(), trace=trace)

    def forward(self, images, trace=None):
        h = self.encode(images, trace)
        quantized = self.quantizer(h)
        return h, quantized, self.decoder(quantized["codes"])

    def decode_ids(self, ids):
        """Decode token ids (B, L') into images in [-1, 1]."""
        return self.decoder(self.quantizer.embed(ids))


def parse_config(flat):
    """Turn the flat map of NativeTokConfig.toMap() (string values) into nested typed values."""
    def integer(key):
        return int(flat[key])

    def transformer(prefix):
        return {name: integer(f"{prefix}.{name}") for name in ("width", "depth", "heads", "mlp-ratio")}

    return {
        "encoder": flat["encoder"],
        "image-size": integer("image-size"),
        "patch-size": integer("patch-size"),
        "tokens": integer("tokens"),
        "mit": transformer("mit"),
        "mocet": dict(transformer("mocet"), feedback=flat["mocet.feedback"]),
        "baseline": transformer("baseline"),
        "quantizer": {
            "codebook-size": integer("quantizer.codebook-size"),
            "code-dim": integer("quantizer.code-dim"),
            "commitment": float(flat["quantizer.commitment"]),
        },
        "decoder": transformer("decoder"),
    }


# ---------------------------------------------------------------------------------------------
# FLOP count of this reference


def _layer_flops(width, mlp_ratio, length):
    """FLOPs of one pre-LN layer over `length` rows: matrix products only, 2 per multiply-add."""
    d = float(width)
    projections = 2 * d * d * length + 2 * 2 * d * d * length + 2 * d * d * length
    products = 2 * 2 * float(length) * length * d
    mlp = 2 * 2 * d * (mlp_ratio * d) * length
    return projections + products + mlp


def forward_flops(flat_config):
    """Return the forward FLOPs per image of this reference.

    Counted like io.nativetok.tokenizer.ModelFlops (matrix products only), except that every
    expert layer covers its whole sequence, so the count is higher than the Java model's.
    """
    c = parse_config(flat_config)
    patches = (c["image-size"] // c["patch-size"]) ** 2
    patch_input = 3.0 * c["patch-size"] ** 2
    tokens = c["tokens"]
    if c["encoder"] == "nativetok":
        m, e = c["mit"], c["mocet"]
        encoder = 2 * patch_input * m["width"] * patches
        encoder += m["depth"] * _layer_flops(m["width"], m["mlp-ratio"], patches + 1)
        encoder += 2.0 * m["width"] * e["width"] * (patches + 1)
        for i in range(tokens):
            encoder += e["depth"] * _layer_flops(e["width"], e["mlp-ratio"], patches + 1 + i + 1)
        encoder_width = e["width"]
    else:
        b = c["baseline"]
        encoder = 2 * patch_input * b["width"] * patches
        encoder += b["depth"] * _layer_flops(b["width"], b["mlp-ratio"], patches + 1 + tokens)
        encoder_width = b["width"]
    q = c["quantizer"]
    quantizer = 2 * tokens * encoder_width * q["code-dim"]
    quantizer += 2 * 2 * tokens * q["codebook-size"] * q["code-dim"]
    d = c["decoder"]
    decoder = 2.0 * q["code-dim"] * d["width"] * tokens
    decoder += d["depth"] * _layer_flops(d["width"], d["mlp-ratio"], patches + tokens)
    decoder += 2.0 * d["width"] * 3 * c["patch-size"] ** 2 * patches
    return encoder + quantizer + decoder


# ---------------------------------------------------------------------------------------------
# Tensor files and Java parameter names


def load_tensors(folder, name):
    """Read NAME.json (index) and NAME.bin (little-endian data) from folder.

    The index is {"format": "nativetok-tensors", "version": 1, "tensors": {key: {"dtype":
    "float32" | "int64", "shape": [...], "offset": byte offset in NAME.bin}}}. Returns
    (tensors by key, the index's entries by key).
    """
    with open(os.path.join(folder, name + ".json"), encoding="utf-8") as f:
        index = json.load(f)
    if index.get("format") != TENSOR_FORMAT:
        raise ValueError(f"{name}.json is not a {TENSOR_FORMAT} index")
    with open(os.path.join(folder, name + ".bin"), "rb") as f:
        data = f.read()
    tensors = {}
    for key, entry in index["tensors"].items():
        dtype = entry["dtype"]
        count = math.prod(entry["shape"])
        start = entry["offset"]
        end = start + count * _ITEM_BYTES[dtype]
        if end > len(data):
            raise ValueError(f"{name}.bin is too short for tensor {key}")
        flat = torch.frombuffer(bytearray(data[start:end]), dtype=_DTYPES[dtype])
        tensors[key] = flat.reshape(entry["shape"]).clone()
    return tensors, index["tensors"]


def save_tensors(folder, name, tensors):
    """Write tensors (key -> float32 or int64 tensor) as NAME.json and NAME.bin in folder."""
    entries = {}
    offset = 0
    chunks = []
    for key, tensor in tensors.items():
        tensor = tensor.detach().cpu().contiguous()
        dtype = {torch.float32: "float32", torch.int64: "int64"}[tensor.dtype]
        array = tensor.numpy()
        raw = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        entries[key] = {"dtype": dtype, "shape": list(tensor.shape), "offset": offset}
        chunks.append(raw)
        offset += len(raw)
    with open(os.path.join(folder, name + ".bin"), "wb") as f:
        for chunk in chunks:
            f.write(chunk)
    with open(os.path.join(folder, name + ".json"), "w", encoding="utf-8") as f:
        json.dump({"format": TENSOR_FORMAT, "version": 1, "tensors": entries}, f, indent=1)


_INDEXED = re.compile(r"^(layer|expert|latent)(\d+)$")
_PLURAL = {"layer": "layers", "expert": "experts", "latent": "latents"}
_LAYER_NORM_NAMES = {"gamma": "weight", "beta": "bias"}


def torch_name(java_name):
    """Map a DJL parameter name of the Java model to this module's state_dict key.

    Rules: split at "_"; drop DJL's two-digit child index ("02attention" -> "attention"); turn
    "layerN", "expertN" and "latentN" into "layers.N", "experts.N" and "latents.N"; turn camelCase
    into snake_case; rename LayerNorm's "gamma" and "beta" to "weight" and "bias". For example
    01encoder_02experts_03expert2_01transformer_02layer1_02attention_02keyValue_weight becomes
    encoder.experts.experts.2.transformer.layers.1.attention.key_value.weight.
    """
    parts = []
    segments = java_name.split("_")
    for position, segment in enumerate(segments):
        segment = re.sub(r"^\d+", "", segment)
        indexed = _INDEXED.match(segment)
        if indexed:
            parts += [_PLURAL[indexed.group(1)], indexed.group(2)]
            continue
        if position == len(segments) - 1 and segment in _LAYER_NORM_NAMES:
            segment = _LAYER_NORM_NAMES[segment]
        parts.append(re.sub(r"(?<!^)(?=[A-Z])", "_", segment).lower())
    return ".".join(parts)


def load_export(folder):
    """Build the reference from a WeightExport folder: config.json, weights.json, weights.bin.

    Returns (model in eval mode, flat config, {torch name: java name}). Every parameter of the
    reference must be present with the same shape, and no exported parameter may be left over.
    """
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        flat = json.load(f)
    model = NativeTokReference(flat)
    weights, _ = load_tensors(folder, "weights")
    java_names = {}
    by_torch = {}
    for java_name, tensor in weights.items():
        key = torch_name(java_name)
        if key in by_torch:
            raise ValueError(f"two Java parameters map to {key}: {java_names[key]} and {java_name}")
        by_torch[key] = tensor
        java_names[key] = java_name
    state = model.state_dict()
    missing = sorted(set(state) - set(by_torch))
    extra = sorted(set(by_torch) - set(state))
    if missing or extra:
        raise ValueError(f"parameter names do not match: missing {missing[:5]}, unexpected {extra[:5]}"
                         f" ({len(missing)} missing, {len(extra)} unexpected)")
    for key, tensor in by_torch.items():
        if tuple(state[key].shape) != tuple(tensor.shape):
            raise ValueError(f"shape of {key} ({java_names[key]}): reference {tuple(state[key].shape)},"
                             f" export {tuple(tensor.shape)}")
    model.load_state_dict(by_torch, strict=True)
    model.eval()
    return model, flat, java_names


# ---------------------------------------------------------------------------------------------
# Training step


def _f32(value):
    """Round a Python float to the nearest float32 value, as a Java float cast does."""
    return float(numpy.float32(value))


class DjlAdamW:
    """AdamW exactly as the Java kit applies it through DJL 0.36's fused PyTorch Adam kernel.

    Per parameter, with t counted per parameter: g = scale * g; w -= lr * wd * w (2-D weights
    except the codebook); m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= lr_t * m / (sqrt(v)
    + eps) with lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t). Eps is added outside the bias correction,
    unlike torch.optim.AdamW. A parameter that got no gradient is updated with a zero gradient, as
    DJL's zero-filled gradient arrays are.
    """

    def __init__(self, named_parameters, java_names, beta1, beta2, weight_decay, eps=1e-8):
        self.parameters = list(named_parameters)
        self.java_names = java_names
        # The Java side stores these as float32, and the kernel computes 1 - beta in float32.
        self.beta1, self.beta2 = _f32(beta1), _f32(beta2)
        self.one_minus_beta1 = _f32(numpy.float32(1) - numpy.float32(beta1))
        self.one_minus_beta2 = _f32(numpy.float32(1) - numpy.float32(beta2))
        self.weight_decay, self.eps = _f32(weight_decay), _f32(eps)
        self.means = {}
        self.variances = {}
        self.counts = {}

    def decays(self, name, weight):
        java_name = self.java_names.get(name, name)
        return weight.dim() == 2 and not java_name.endswith("codebook")

    @torch.no_grad()
    def step(self, learning_rate, gradient_scale):
        learning_rate = _f32(learning_rate)
        for name, weight in self.parameters:
            gradient = weight.grad if weight.grad is not None else torch.zeros_like(weight)
            t = self.counts.get(name, 0) + 1
            self.counts[name] = t
            corrected = _f32(learning_rate * math.sqrt(1 - self.beta2 ** t) / (1 - self.beta1 ** t))
            decay = self.weight_decay if self.decays(name, weight) else 0.0
            mean = self.means.setdefault(name, torch.zeros_like(weight))
            variance = self.variances.setdefault(name, torch.zeros_like(weight))
            g = gradient.clone()
            if gradient_scale != 1.0:
                g.mul_(gradient_scale)
            weight.sub_(weight.mul(learning_rate).mul(decay))
            mean.mul_(self.beta1).add_(g, alpha=self.one_minus_beta1)
            variance.mul_(self.beta2).addcmul_(g, g, value=self.one_minus_beta2)
            weight.sub_(mean.mul(corrected).div(variance.sqrt().add(self.eps)))

    @staticmethod
    def zero_grad(model):
        for parameter in model.parameters():
            parameter.grad = None


def training_losses(model, target):
    """Return (total, terms) of the Java TokenizerTrainer loss for images target in [-1, 1]."""
    _, quantized, reconstruction = model(target)
    reconstruction_loss = (reconstruction - target).square().mean()
    total = reconstruction_loss + quantized["loss"]
    terms = {
        "reconstruction": reconstruction_loss,
        "codebook": quantized["codebook_loss"],
        "commitment": quantized["commitment_loss"],
    }
    return total, terms


def training_step(model, optimizer, target, learning_rate, clip_norm):
    """Run one step like io.nativetok.train.Optimization: loss, backward, clip, AdamW.

    Returns the loss values and the global gradient norm before clipping.
    """
    model.train()
    optimizer.zero_grad(model)
    total, terms = training_losses(model, target)
    total.backward()
    squares = None
    for _, parameter in model.named_parameters():
        if parameter.grad is not None:
            s = parameter.grad.square().sum()
            squares = s if squares is None else squares + s
    norm = 0.0 if squares is None else math.sqrt(float(squares))
    scale = _f32(clip_norm / norm) if clip_norm > 0 and norm > clip_norm else 1.0
    optimizer.step(learning_rate, scale)
    values = {"loss": float(total)}
    values.update({name: float(term) for name, term in terms.items()})
    return values, norm
