#!/usr/bin/env python3
"""Trains an rnnlab character model in PyTorch, on one process or many (torchrun + DistributedDataParallel),
and writes a .safetensors file that rnnlab (CLI and page) opens as it opens its own exports.

The data protocol is rnnlab's (see rnnlab_data.py): the same vocabulary, train/validation split and B
contiguous BPTT streams with carried hidden state. Under torchrun the B streams of the global batch are
divided among the processes (contiguous shares), each process's loss is scaled so that DDP's gradient
average equals the gradient of the mean cross-entropy over all T*B positions: N processes with --batch B
make the same updates as one process with --batch B (up to float summation order).

  /usr/bin/python3 tools/pytorch/train.py input.txt --out model.safetensors --steps 2000
  torchrun --standalone --nproc_per_node 4 tools/pytorch/train.py input.txt --out model.safetensors \\
      --checkpoint run.pt --batch 64
"""
import argparse
import hashlib
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import rnnlab_config  # noqa: E402
import rnnlab_data  # noqa: E402
from eval import evaluate_tokens  # noqa: E402
from rnnlab_config import ConfigError  # noqa: E402
from rnnlab_model import CharRNN, detach_state, load_safetensors, save_safetensors  # noqa: E402

CHECKPOINT_KIND = "rnnlab-pytorch-checkpoint"

# command-line option -> rnnlab config key (options left unset take the value from --init's file, else
# rnnlab's default)
OPTION_KEYS = {
    "cell": "cell", "layers": "layers", "hidden": "hidden", "embed": "embed", "dropout": "dropout",
    "batch": "batch", "unroll": "unroll", "lr": "lr", "optimizer": "optimizer", "seed": "seed",
    "val_fraction": "val_fraction", "vocab_max": "vocab_max", "vocab_min_count": "vocab_min_count",
    "schedule": "schedule", "clip_mode": "clip", "clip": "clip_value",
}
ARCHITECTURE = ("cell", "layers", "hidden", "embed")


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="Settings without an option: --set key=value with rnnlab's config keys "
                                        "(" + ", ".join(k for k, _, _ in rnnlab_config.FIELDS) + ").")
    ap.add_argument("text", help="training text (UTF-8); validation is its last --val-fraction")
    m = ap.add_argument_group("model (default: rnnlab's, or the --init file's)")
    m.add_argument("--cell", choices=rnnlab_config.CELLS)
    m.add_argument("--layers", type=int)
    m.add_argument("--hidden", type=int)
    m.add_argument("--embed", type=int, help="embedding size; 0 = one-hot input")
    m.add_argument("--dropout", type=float, help="between stacked layers")
    m.add_argument("--vocab-max", type=int, help="symbols kept, the unknown symbol included")
    m.add_argument("--vocab-min-count", type=int)
    t = ap.add_argument_group("training")
    t.add_argument("--batch", type=int, help="B, parallel streams in the GLOBAL batch (divided among processes)")
    t.add_argument("--unroll", type=int, help="T, BPTT length")
    t.add_argument("--optimizer", choices=rnnlab_config.OPTIMIZERS)
    t.add_argument("--lr", type=float)
    t.add_argument("--schedule", choices=rnnlab_config.SCHEDULES)
    t.add_argument("--clip-mode", choices=rnnlab_config.CLIP_MODES,
                   help="gradient clipping: global norm, each element, or none")
    t.add_argument("--clip", type=float, help="clipping threshold")
    t.add_argument("--steps", type=int, default=1000,
                   help="TOTAL steps, counting those of a resumed checkpoint, so a restarted command ends where "
                        "the first would have (default %(default)s)")
    t.add_argument("--minutes", type=float, help="also stop after M minutes (checked at each progress line)")
    t.add_argument("--seed", type=int)
    t.add_argument("--val-fraction", type=float)
    t.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="any rnnlab config key")
    io = ap.add_argument_group("files")
    io.add_argument("--out", default="model.safetensors", help="weights for rnnlab (default %(default)s)")
    io.add_argument("--checkpoint", help="resumable checkpoint (torch.save); resumed from when it exists")
    io.add_argument("--checkpoint-every", type=int, default=500, help="steps between checkpoints")
    io.add_argument("--init", help="start from these weights (an rnnlab or train.py .safetensors export): "
                                   "its architecture, vocabulary and settings; the optimizer starts fresh")
    r = ap.add_argument_group("run")
    r.add_argument("--print-every", type=int, default=100, help="a progress line every N steps")
    r.add_argument("--eval-every", type=int, default=200, help="validation every N steps; 0 = only at the end")
    r.add_argument("--eval-chars", type=int, default=20000, help="validation characters per evaluation; 0 = all")
    r.add_argument("--device", default="auto", help="auto (cuda when available), cpu, cuda")
    r.add_argument("--threads", type=int, default=0, help="torch threads per process (0 = torch's default)")
    return ap.parse_args(argv)


class Run:
    """The process group (or its absence) and how this process's share of the batch is chosen."""

    def __init__(self, device_opt):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        if device_opt == "auto":
            device_opt = "cuda" if torch.cuda.is_available() else "cpu"
        if device_opt == "cuda":
            self.device = torch.device("cuda", self.local_rank)
            torch.cuda.set_device(self.device)
        else:
            self.device = torch.device(device_opt)
        self.distributed = self.world > 1
        if self.distributed:
            dist.init_process_group("nccl" if self.device.type == "cuda" else "gloo")

    @property
    def main(self):
        return self.rank == 0

    def log(self, *args):
        if self.main:
            print(*args, flush=True)

    def all_sum(self, t):
        if self.distributed:
            dist.all_reduce(t, op=dist.ReduceOp.SUM)
        return t

    def close(self, ok=True):
        # After an error, no barrier: a process that failed alone must not wait for the others (torchrun
        # stops them when it sees the failure).
        if self.distributed and ok:
            dist.barrier()
            dist.destroy_process_group()


def scheduled_lr(cfg, step):
    """optimizer.cpp scheduled_lr: the rate after `step` accepted steps."""
    if cfg["schedule"] == "step":
        return cfg["lr"] * cfg["step_gamma"] ** (step // cfg["step_every"])
    if cfg["schedule"] == "cosine":
        progress = min(1.0, step / cfg["cosine_steps"])
        return cfg["lr"] * (cfg["min_lr_fraction"] + (1 - cfg["min_lr_fraction"]) * 0.5 * (1 + math.cos(math.pi * progress)))
    return cfg["lr"]


class RnnlabAdagrad(torch.optim.Optimizer):
    """min-char-rnn's Adagrad as rnnlab applies it: mem += g^2; p -= lr * g / sqrt(mem + eps).
    (torch.optim.Adagrad divides by sqrt(mem) + eps instead.)"""

    def __init__(self, params, lr, eps):
        super().__init__(params, dict(lr=lr, eps=eps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "sum" not in state:
                    state["sum"] = torch.zeros_like(p)
                mem = state["sum"]
                mem.addcmul_(p.grad, p.grad)
                p.addcdiv_(p.grad, (mem + group["eps"]).sqrt_(), value=-group["lr"])


def make_optimizer(cfg, params):
    """The torch optimizer that does what rnnlab's does (optimizer.cpp)."""
    kind = cfg["optimizer"]
    if kind == "adam":
        return torch.optim.Adam(params, lr=cfg["lr"], betas=(cfg["beta1"], cfg["beta2"]), eps=cfg["eps"])
    if kind == "sgd":
        return torch.optim.SGD(params, lr=cfg["lr"], momentum=cfg["momentum"])
    if kind == "rmsprop":   # char-rnn's rmsprop: m = a*m + (1-a)*g^2; p -= lr*g/(sqrt(m)+eps)
        return torch.optim.RMSprop(params, lr=cfg["lr"], alpha=cfg["rms_decay"], eps=cfg["eps"])
    return RnnlabAdagrad(params, lr=cfg["lr"], eps=cfg["eps"])


def build_config(args, init_cfg, source="the --init model"):
    cfg = dict(init_cfg) if init_cfg is not None else rnnlab_config.defaults()
    explicit = {}
    for item in args.set:
        if "=" not in item:
            raise ConfigError("--set takes key=value (got %r)" % item)
        key, value = item.split("=", 1)
        explicit[key] = rnnlab_config.parse_value(key, value)
    for opt, key in OPTION_KEYS.items():   # explicit options win over --set
        value = getattr(args, opt)
        if value is not None:
            explicit[key] = rnnlab_config.parse_value(key, str(value))
    if init_cfg is not None:
        for key in ARCHITECTURE:
            if key in explicit and explicit[key] != init_cfg[key]:
                raise ConfigError("--%s %s differs from %s's %s=%s (the architecture comes from its weights): "
                                  "drop the option" % (key, explicit[key], source, key, init_cfg[key]))
    cfg.update(explicit)
    rnnlab_config.validate(cfg)
    return cfg, explicit


def gather_state(run, model, state, streams, batch):
    """The carried hidden state of the whole global batch (every rank contributes its streams)."""
    parts = state if isinstance(state, tuple) else (state,)
    full = []
    for s in parts:
        t = torch.zeros(model.layers, batch, model.hidden, device=s.device, dtype=s.dtype)
        t[:, streams.start:streams.stop] = s
        full.append(run.all_sum(t).cpu())
    return tuple(full) if isinstance(state, tuple) else full[0]


def local_state(full, streams, device):
    if isinstance(full, (tuple, list)):
        return tuple(s[:, streams.start:streams.stop].contiguous().to(device) for s in full)
    return full[:, streams.start:streams.stop].contiguous().to(device)


def gather_rng(run):
    states = {"cpu": torch.get_rng_state()}
    if run.device.type == "cuda":
        states["cuda"] = torch.cuda.get_rng_state(run.device)
    if not run.distributed:
        return [states]
    out = [None] * run.world
    dist.all_gather_object(out, states)
    return out


def save_checkpoint(path, ckpt):
    tmp = path + ".tmp"
    torch.save(ckpt, tmp)
    os.replace(tmp, path)   # a crash while writing never leaves a half checkpoint behind


def main(argv=None):
    args = parse_args(argv)
    run = Run(args.device)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    try:
        code = train(args, run)
    except (ConfigError, ValueError, OSError) as e:
        print("train.py: error: %s" % e, file=sys.stderr, flush=True)
        code = 2
    run.close(code == 0)
    return code


def train(args, run):
    raw = rnnlab_data.read_text(args.text)
    text_sha = hashlib.sha256(raw).hexdigest()
    cps = rnnlab_data.code_points(rnnlab_data.decode_text(raw))
    del raw

    if run.distributed:   # every node must read the same text from its own copy
        shas = [None] * run.world
        dist.all_gather_object(shas, text_sha)
        if len(set(shas)) != 1:
            raise ConfigError("the processes read different texts from %s (ranks with another file: %s): give every "
                              "node the same file" % (args.text, [r for r, s in enumerate(shas) if s != shas[0]]))

    # Only rank 0 writes checkpoints (on its node), so rank 0 reads it and sends it to the others: no shared
    # filesystem is needed to resume a run over several machines.
    ckpt = None
    if args.checkpoint and run.main and os.path.exists(args.checkpoint):
        ckpt = torch.load(args.checkpoint, map_location="cpu")
    if run.distributed and args.checkpoint:
        box = [ckpt]
        dist.broadcast_object_list(box, src=0)
        ckpt = box[0]
    if ckpt is not None:
        if not isinstance(ckpt, dict) or ckpt.get("kind") != CHECKPOINT_KIND:
            raise ConfigError("%s is not a train.py checkpoint" % args.checkpoint)
        if ckpt["text_sha256"] != text_sha:
            raise ConfigError("%s was trained on another text (its fingerprint differs): give the same text to "
                              "resume, or another --checkpoint path to start anew" % args.checkpoint)

    init_model = init_vocab = init_cfg = None
    if ckpt is not None:
        init_cfg = ckpt["config"]
    elif args.init:
        init_model, init_vocab, init_cfg = load_safetensors(args.init)
    cfg, explicit = build_config(args, init_cfg, "the checkpoint %s" % args.checkpoint if ckpt else "the --init model")
    if ckpt is not None:
        changed = [k for k in explicit if explicit[k] != ckpt["config"][k] and k != "lr"]
        if changed:
            raise ConfigError("%s was made with %s: drop those options to resume, or use another --checkpoint path"
                              % (args.checkpoint, ", ".join("%s=%s" % (k, ckpt["config"][k]) for k in changed)))

    # Data: the vocabulary of the checkpoint / --init model, else built from this text as rnnlab would.
    if ckpt is not None:
        vocab = rnnlab_data.Vocab(ckpt["vocab"])
    elif init_vocab is not None:
        vocab = init_vocab
    else:
        vocab = rnnlab_data.Vocab.build(cps, cfg["vocab_max"], cfg["vocab_min_count"])
    tokens, skipped = vocab.encode(cps)
    train_tokens, val_tokens = rnnlab_data.split_tokens(tokens.to(torch.int32), cfg["val_fraction"])
    B, T = cfg["batch"], cfg["unroll"]
    cursor = rnnlab_data.StreamCursor(train_tokens.numel(), B, T)
    streams = rnnlab_data.rank_streams(B, run.rank, run.world)
    S = cursor.stream_length

    # Model: the same initial weights on every rank (DDP also broadcasts rank 0's).
    torch.manual_seed(cfg["seed"])
    model = CharRNN(len(vocab), cfg["cell"], cfg["layers"], cfg["hidden"], cfg["embed"], cfg["dropout"])
    if init_model is not None:
        model.load_state_dict(init_model.state_dict())
    model.to(run.device)
    optimizer = make_optimizer(cfg, model.parameters())
    step = accepted = rejected = 0
    state = model.zero_state(len(streams), device=run.device)
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        step, accepted, rejected = ckpt["step"], ckpt["accepted"], ckpt["rejected"]
        cursor.restore(ckpt["cursor"]["position"], ckpt["cursor"]["epoch"])
        state = local_state(ckpt["state"], streams, run.device)
    # Dropout masks: a stream of random numbers per rank (exact only for the same number of processes).
    seed = (cfg["seed"] ^ 0xD50D5EED) + run.rank
    torch.manual_seed(seed % 2 ** 63)
    if ckpt is not None and len(ckpt.get("rng", [])) == run.world:
        torch.set_rng_state(ckpt["rng"][run.rank]["cpu"])
        if run.device.type == "cuda" and "cuda" in ckpt["rng"][run.rank]:
            torch.cuda.set_rng_state(ckpt["rng"][run.rank]["cuda"], run.device)
    elif ckpt is not None and cfg["dropout"] > 0:
        run.log("note: the checkpoint was written by %d process(es): dropout masks will differ from an "
                "uninterrupted run" % len(ckpt.get("rng", [])))

    net = model
    if run.distributed:
        from torch.nn.parallel import DistributedDataParallel as DDP
        net = DDP(model, device_ids=[run.device.index] if run.device.type == "cuda" else None)

    n_params = sum(p.numel() for p in model.parameters())
    run.log("text: %d characters (%d skipped), vocabulary %d%s, train %d, validation %d"
            % (cps.numel(), skipped, len(vocab), " (with unknown)" if vocab.has_unknown else "",
               train_tokens.numel(), val_tokens.numel()))
    run.log("model: %s, %d layer(s), hidden %d, embed %d, %d parameters; batch %d x unroll %d, %d process(es) "
            "on %s, %d stream(s) here" % (cfg["cell"], cfg["layers"], cfg["hidden"], cfg["embed"], n_params, B, T,
                                         run.world, run.device, len(streams)))
    if ckpt is not None:
        run.log("resumed from %s at step %d (epoch %.3f)" % (args.checkpoint, step, cursor.epoch_progress()))
    elif args.init:
        run.log("initial weights: %s" % args.init)

    def checkpoint():
        full_state = gather_state(run, model, state, streams, B)
        rng = gather_rng(run)
        if run.main and args.checkpoint:
            save_checkpoint(args.checkpoint, {
                "kind": CHECKPOINT_KIND, "version": 1, "config": cfg, "vocab": vocab.symbols,
                "text_sha256": text_sha, "model": {k: v.cpu() for k, v in model.state_dict().items()},
                "optimizer": optimizer.state_dict(), "step": step, "accepted": accepted, "rejected": rejected,
                "cursor": {"position": cursor.position, "epoch": cursor.epoch}, "state": full_state,
                "world_size": run.world, "rng": rng})

    def validate():
        if val_tokens.numel() < 2:
            return
        r = evaluate_tokens(model, val_tokens, T, B, 0, args.eval_chars)
        run.log("step %d: validation %.4f nats/char, %.4f bits/char, perplexity %.3f (%d chars)"
                % (step, r["nats_per_char"], r["bits_per_char"], r["perplexity"], r["chars"]))

    scale = run.world / float(T * B)   # DDP averages over ranks: this makes the average the global mean
    V = len(vocab)
    # summed nats, steps since the last progress line, and the processes out of time (--minutes)
    window = torch.zeros(3, dtype=torch.float64)
    t0 = time.time()
    first_step = step
    while step < args.steps:
        position, reset = cursor.next()
        if reset:
            state = model.zero_state(len(streams), device=run.device)
        x, y = rnnlab_data.stream_chunk(train_tokens, S, position, T, streams)
        x, y = x.to(run.device, torch.int64), y.to(run.device, torch.int64)
        lr = scheduled_lr(cfg, accepted)
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.zero_grad(set_to_none=True)
        logits, new_state = net(x, state)
        loss_sum = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1), reduction="sum")
        (loss_sum * scale).backward()
        if cfg["clip"] == "norm":
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip_value"])
        else:
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), math.inf)
            if cfg["clip"] == "value":
                torch.nn.utils.clip_grad_value_(model.parameters(), cfg["clip_value"])
        step += 1
        # The divergence guard: the norm is of the all-reduced gradient, so every rank decides alike.
        if math.isfinite(float(norm)):
            optimizer.step()
            accepted += 1
            state = detach_state(new_state)
        else:
            rejected += 1
        window[0] += float(loss_sum)
        window[1] += 1
        out_of_time = False
        if step % args.print_every == 0 or step == args.steps:
            elapsed = time.time() - t0
            window[2] = 1.0 if args.minutes and elapsed > 60 * args.minutes else 0.0
            total = run.all_sum(window.clone())
            out_of_time = float(total[2]) > 0   # decided alike on every rank
            nats = float(total[0]) / (float(total[1]) / run.world) / (T * B)
            run.log("step %d: loss %.4f nats/char (%.4f bits), grad norm %.3f, lr %.3g, epoch %.3f, "
                    "%.0f chars/s%s" % (step, nats, nats / math.log(2), float(norm), lr, cursor.epoch_progress(),
                                        (step - first_step) * T * B / max(elapsed, 1e-9),
                                        ", %d rejected" % rejected if rejected else ""))
            window.zero_()
        if out_of_time:
            run.log("stopping at step %d: --minutes %g reached" % (step, args.minutes))
            break
        if args.checkpoint and step % args.checkpoint_every == 0 and step < args.steps:
            checkpoint()
        if run.main and args.eval_every and step % args.eval_every == 0 and step < args.steps:
            validate()

    if args.checkpoint:
        checkpoint()
    if run.main:
        validate()
        if args.out:
            save_safetensors(args.out, model, vocab, cfg)
            run.log("wrote %s (open it with `rnnlab import %s -o model.rnnlab` or load it in the page)"
                    % (args.out, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
