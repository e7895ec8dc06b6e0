/**
 * The job's train.py (Python 3, PyTorch only; run by `python train.py` or `torchrun`).
 * It continues Tabtune's run with PyTorch's own DistributedDataParallel, reproducing the loop of
 * src/core/train exactly so that, with dropout off, the loss curves agree:
 *   - BERT with Hugging Face parameter names (model/model.safetensors, [out, in]), additive
 *     −10000 mask, GELU erf / tanh as the config says;
 *   - data order: loop-rng.ts's xoshiro128** seeded by splitmix32, Fisher–Yates per epoch;
 *     micro-batches of train_batch_size, the last of an epoch smaller, accumulation across epochs;
 *   - the global micro-batch split across ranks; each rank's loss is its sum over the global
 *     batch size times the world size, so DDP's gradient average is the global batch mean;
 *   - schedule.ts (google / linear), step.ts's clipping (bert-adam: tf.clip_by_global_norm,
 *     adamw: clip_grad_norm_), bert-adam as google-research/bert's optimization.py,
 *     torch.optim.AdamW; weight decay off for LayerNorm and bias.
 * Written to output/: the Hugging Face folder and metrics.json (tabtune train's format).
 * Kept free of template-literal syntax (no backquotes, no dollar-brace) so it is embedded as is.
 */
export const TRAIN_PY = String.raw`#!/usr/bin/env python3
"""Continue a Tabtune fine-tuning run with PyTorch DistributedDataParallel.

  python train.py                                   # one GPU (or CPU)
  torchrun --nproc_per_node=8 train.py              # one machine, 8 GPUs
  torchrun --nnodes=N --node_rank=R --nproc_per_node=8 \
           --rdzv_backend=c10d --rdzv_endpoint=HOST:29500 train.py   # several machines

Needs only PyTorch. Reads settings.json, model/ and features/ beside this file; writes output/.
"""
import json
import math
import os
import struct
import sys
import time

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- safetensors (no extra package)
DTYPES = {"F32": torch.float32, "I32": torch.int32, "I64": torch.int64, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[base + a:base + b]), dtype=DTYPES[info["dtype"]]) if b > a else torch.zeros(0, dtype=DTYPES[info["dtype"]])
        out[name] = t.reshape(info["shape"]).clone()
    return out


def write_safetensors(path, tensors):
    header = {}
    offset = 0
    blobs = []
    for name, t in tensors.items():
        t = t.detach().to("cpu", torch.float32).contiguous()
        b = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# ---------------------------------------------------------------- data order (src/core/train/loop-rng.ts)
M32 = 0xFFFFFFFF


def splitmix32(seed):
    s = seed & M32

    def nxt():
        nonlocal s
        s = (s + 0x9E3779B9) & M32
        z = s
        z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
        z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
        return (z ^ (z >> 16)) & M32

    return nxt


class LoopRng:
    """xoshiro128** seeded through splitmix32, as Tabtune's loop draws its data order."""

    def __init__(self, seed):
        init = splitmix32(seed)
        self.s = [init(), init(), init(), init()]
        if not any(self.s):
            self.s[0] = 1

    def next_uint32(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (32 - k))) & M32
        result = (rotl((s[1] * 5) & M32, 7) * 9) & M32
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        return result

    def permutation(self, n):
        out = list(range(n))
        for i in range(n - 1, 0, -1):
            j = math.floor((self.next_uint32() / 4294967296.0) * (i + 1))
            out[i], out[j] = out[j], out[i]
        return out


# ---------------------------------------------------------------- BERT, Hugging Face names
class Dense(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(o, i))
        self.bias = nn.Parameter(torch.zeros(o))

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


class LayerNorm(nn.Module):
    def __init__(self, h, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(h))
        self.bias = nn.Parameter(torch.zeros(h))
        self.eps = eps

    def forward(self, x):
        return F.layer_norm(x, x.shape[-1:], self.weight, self.bias, self.eps)


def activation(name):
    if name in ("gelu", "gelu_python"):
        return lambda x: x * 0.5 * (1.0 + torch.erf(x * 0.7071067811865476))
    if name in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        c = math.sqrt(2.0 / math.pi)
        return lambda x: x * 0.5 * (1.0 + torch.tanh((x + x * x * x * 0.044715) * c))
    if name == "relu":
        return F.relu
    raise SystemExit("unsupported hidden_act %r" % name)


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.word_embeddings = nn.Embedding(c["vocab_size"], h)
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], h)
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], h)
        self.LayerNorm = LayerNorm(h, c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, ids, types):
        s = ids.shape[1]
        x = self.word_embeddings(ids) + self.token_type_embeddings(types) + self.position_embeddings.weight[:s]
        return self.dropout(self.LayerNorm(x))


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.n = c["num_attention_heads"]
        self.d = h // self.n
        self.query, self.key, self.value = Dense(h, h), Dense(h, h), Dense(h, h)
        self.dropout = nn.Dropout(c["attention_probs_dropout_prob"])

    def forward(self, x, mask_add):
        b, s, h = x.shape
        split = lambda t: t.view(b, s, self.n, self.d).transpose(1, 2)  # [B, N, S, D]
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.d) + mask_add  # [B, N, S, S]
        probs = self.dropout(torch.softmax(scores, dim=-1))
        return torch.matmul(probs, v).transpose(1, 2).reshape(b, s, h)  # [B, S, H]


class AttentionOutput(nn.Module):
    def __init__(self, c, i):
        super().__init__()
        self.dense = Dense(i, c["hidden_size"])
        self.LayerNorm = LayerNorm(c["hidden_size"], c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = SelfAttention(c)
        self.output = AttentionOutput(c, c["hidden_size"])

    def forward(self, x, mask_add):
        return self.output(self.self(x, mask_add), x)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = Dense(c["hidden_size"], c["intermediate_size"])
        self.act = activation(c["hidden_act"])

    def forward(self, x):
        return self.act(self.dense(x))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = AttentionOutput(c, c["intermediate_size"])

    def forward(self, x, mask_add):
        a = self.attention(x, mask_add)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])

    def forward(self, x, mask_add):
        for layer in self.layer:
            x = layer(x, mask_add)
        return x


class Pooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = Dense(c["hidden_size"], c["hidden_size"])

    def forward(self, x):
        return torch.tanh(self.dense(x[:, 0]))


class Bert(nn.Module):
    def __init__(self, c, pooler):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)
        self.pooler = Pooler(c) if pooler else None

    def forward(self, ids, types, mask):
        mask_add = ((1.0 - mask.to(torch.float32)) * -10000.0)[:, None, None, :]  # [B, 1, 1, S]
        seq = self.encoder(self.embeddings(ids, types), mask_add)
        return seq, (self.pooler(seq) if self.pooler is not None else None)


class BertForTask(nn.Module):
    """BertForSequenceClassification (classifier) or BertForQuestionAnswering (qa_outputs)."""

    def __init__(self, c, head, num_outputs):
        super().__init__()
        self.head = head
        self.bert = Bert(c, pooler=head != "span")
        if head == "span":
            self.qa_outputs = Dense(c["hidden_size"], 2)
        else:
            self.dropout = nn.Dropout(c["hidden_dropout_prob"])
            self.classifier = Dense(c["hidden_size"], num_outputs)

    def forward(self, ids, types, mask):
        seq, pooled = self.bert(ids, types, mask)
        if self.head == "span":
            logits = self.qa_outputs(seq)
            return logits[..., 0], logits[..., 1]
        return self.classifier(self.dropout(pooled))



# ---------------------------------------------------------------- schedule and optimizers
def learning_rate_at(o, step):
    lr, total, warmup = o["learning_rate"], o["num_train_steps"], o["num_warmup_steps"]
    if o["schedule"] == "google":
        if step < warmup:
            return lr * step / warmup
        return lr * (1 - min(step, total) / total) if total > 0 else lr
    if step < warmup:
        return lr * step / max(1, warmup)
    return lr * max(0.0, (total - step) / max(1, total - warmup))


def decays(name):
    return not ("LayerNorm" in name or "layer_norm" in name or "bias" in name)


class BertAdam:
    """google-research/bert optimization.py AdamWeightDecayOptimizer: no bias correction,
    decay added to the update (not to the gradient)."""

    def __init__(self, named, o):
        self.params = [(n, p, decays(n)) for n, p in named]
        self.b1, self.b2, self.eps, self.wd = o["beta1"], o["beta2"], o["epsilon"], o["weight_decay"]
        self.m = {n: torch.zeros_like(p) for n, p, _ in self.params}
        self.v = {n: torch.zeros_like(p) for n, p, _ in self.params}

    @torch.no_grad()
    def step(self, lr):
        for n, p, d in self.params:
            g = p.grad
            self.m[n].mul_(self.b1).add_(g, alpha=1 - self.b1)
            self.v[n].mul_(self.b2).addcmul_(g, g, value=1 - self.b2)
            update = self.m[n] / (self.v[n].sqrt() + self.eps)
            if d and self.wd != 0:
                update = update + self.wd * p
            p.sub_(lr * update)


class TorchAdamW:
    def __init__(self, named, o):
        named = list(named)
        groups = [
            {"params": [p for n, p in named if decays(n)], "weight_decay": o["weight_decay"]},
            {"params": [p for n, p in named if not decays(n)], "weight_decay": 0.0},
        ]
        self.opt = torch.optim.AdamW([g for g in groups if g["params"]], lr=o["learning_rate"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"])

    def step(self, lr):
        for g in self.opt.param_groups:
            g["lr"] = lr
        self.opt.step()


# ---------------------------------------------------------------- the run
def main():
    with open(os.path.join(HERE, "settings.json")) as f:
        settings = json.load(f)
    run, o, data = settings["run"], settings["optimizer"], settings["data"]
    distributed = "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1
    if torch.cuda.is_available():
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        device = torch.device("cuda", local)
        backend = "nccl"
    else:
        device = torch.device("cpu")
        backend = "gloo"
    if distributed:
        dist.init_process_group(backend)
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    torch.manual_seed(run["seed"] + rank)
    if run.get("deterministic", True):
        torch.use_deterministic_algorithms(True, warn_only=True)

    with open(os.path.join(HERE, "model", "config.json")) as f:
        config = json.load(f)
    if not run["dropout"]:
        config = dict(config, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    head = settings["head"]["kind"]
    model = BertForTask(config, head, settings["head"]["num_outputs"])
    weights = read_safetensors(os.path.join(HERE, "model", "model.safetensors"))
    missing, unexpected = model.load_state_dict(weights, strict=False)
    if missing:
        raise SystemExit("model/model.safetensors lacks %s" % ", ".join(missing))
    model.to(device)

    feats = {}
    for shard in data["train_shards"]:
        for k, v in read_safetensors(os.path.join(HERE, shard)).items():
            feats.setdefault(k, []).append(v)
    feats = {k: torch.cat(v) for k, v in feats.items()}
    n = feats["input_ids"].shape[0]
    if n != data["num_train_features"]:
        raise SystemExit("features/: %d features, settings.json says %d" % (n, data["num_train_features"]))

    ddp = nn.parallel.DistributedDataParallel(model) if distributed else model
    named = [(name, p) for name, p in model.named_parameters()]
    opt = BertAdam(named, o) if o["name"] == "bert-adam" else TorchAdamW(named, o)
    params = [p for _, p in named]

    bs, accum = run["train_batch_size"], run["gradient_accumulation_steps"]
    per_epoch, total_steps = data["micro_batches_per_epoch"], o["num_train_steps"]
    rng = LoopRng(run["seed"])
    order = rng.permutation(n)
    batch_in_epoch, epoch = 0, 0
    history = []
    started = time.time()
    for step in range(total_steps):
        lr = learning_rate_at(o, step)
        loss_total = torch.zeros((), dtype=torch.float64, device=device)
        for micro in range(accum):
            begin = batch_in_epoch * bs
            indices = torch.tensor(order[begin:begin + bs], dtype=torch.long)
            b = len(indices)
            mine = torch.tensor_split(indices, world)[rank]
            # A rank left without examples (a last batch smaller than the world) still runs one
            # example through DDP, weighted 0, so every rank joins the gradient all-reduce.
            weight = 1.0 if len(mine) else 0.0
            batch = {k: v[mine if len(mine) else indices[:1]].to(device) for k, v in feats.items()}
            sync = micro == accum - 1
            ctx = ddp.no_sync() if distributed and not sync else _nullcontext()
            with ctx:
                local = loss_sum(ddp, head, batch) * weight
                # DDP averages gradients over ranks: scale so the result is the global batch mean / accum.
                (local * (world / b) / accum).backward()
            loss_total += local.detach().to(torch.float64) / b
            batch_in_epoch += 1
            if batch_in_epoch >= per_epoch:
                epoch += 1
                batch_in_epoch = 0
                order = rng.permutation(n)
        if distributed:
            dist.all_reduce(loss_total)
        loss = (loss_total / accum).item()
        with torch.no_grad():
            norm = torch.sqrt(sum((p.grad.to(torch.float64) ** 2).sum() for p in params))
            c = o["max_grad_norm"]
            if c > 0 and math.isfinite(c):
                scale = c / max(norm.item(), c) if o["name"] == "bert-adam" else min(1.0, c / (norm.item() + 1e-6))
                if scale != 1.0:
                    for p in params:
                        p.grad.mul_(scale)
        if not (math.isfinite(loss) and math.isfinite(norm.item())):
            if rank == 0:
                print("step %d: non-finite loss or gradient; stopping (lower the learning rate)" % (step + 1), file=sys.stderr)
            break
        opt.step(lr)
        for p in params:
            p.grad = None
        history.append({"step": step + 1, "loss": loss, "learning_rate": lr})
        if rank == 0 and ((step + 1) % run.get("log_every", 10) == 0 or step + 1 == total_steps):
            print("step %d/%d loss %.6f lr %.3g grad_norm %.4f (%.1fs)" % (step + 1, total_steps, loss, lr, norm.item(), time.time() - started), flush=True)

    if rank == 0:
        out = os.path.join(HERE, "output")
        os.makedirs(out, exist_ok=True)
        state = {k: v for k, v in model.state_dict().items()}
        write_safetensors(os.path.join(out, "model.safetensors"), state)
        for name in ("config.json", "vocab.txt", "tokenizer_config.json"):
            src = os.path.join(HERE, "model", name)
            if os.path.exists(src):
                with open(src, "rb") as f, open(os.path.join(out, name), "wb") as g:
                    g.write(f.read())
        metrics = {
            "train": history,
            "eval": [],
            "final": {
                "status": "completed" if len(history) == total_steps else "diverged",
                "global_step": len(history),
                "num_train_steps": total_steps,
                "epoch": epoch + batch_in_epoch / per_epoch,
                "train_loss": history[-1]["loss"] if history else None,
                "world_size": world,
            },
        }
        with open(os.path.join(out, "metrics.json"), "w") as f:
            json.dump(metrics, f, indent=2)
        print("wrote %s" % out, flush=True)
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


def loss_sum(ddp, head, batch):
    """The sum over the batch's examples of the per-example loss, through the DDP wrapper (so its
    hooks see the forward); the caller divides by the global batch size."""
    out = ddp(batch["input_ids"], batch["token_type_ids"], batch["attention_mask"])
    if head == "span":
        start, end = out
        return (F.cross_entropy(start, batch["start_positions"].long(), reduction="sum")
                + F.cross_entropy(end, batch["end_positions"].long(), reduction="sum")) / 2
    if head == "regression":
        return F.mse_loss(out[:, 0], batch["labels"].float(), reduction="sum")
    return F.cross_entropy(out, batch["labels"].long(), reduction="sum")


class _nullcontext:
    def __enter__(self):
        return None

    def __exit__(self, *a):
        return False


if __name__ == "__main__":
    main()
`;
