"""rnnlab's character model as a torch.nn.Module, with exactly the engine's state_dict names.

  embed.weight          (V, E)        nn.Embedding; absent when embed = 0 (one-hot input)
  rnn.weight_ih_l{k}    (G*H, In_k)   nn.RNN(tanh) / nn.LSTM / nn.GRU, In_0 = E (or V), In_k = H
  rnn.weight_hh_l{k}    (G*H, H)      gate order as torch: LSTM i,f,g,o; GRU r,z,n
  rnn.bias_ih_l{k}      (G*H)
  rnn.bias_hh_l{k}      (G*H)
  head.weight           (V, H)        nn.Linear on the top layer's output
  head.bias             (V)

Dropout acts between stacked layers only (torch's `dropout` argument), as in the engine. The default
initialisation is torch's, which is the engine's distribution too: U(-1/sqrt(H), 1/sqrt(H)) for the cells
and the head (nn.Linear's bound is 1/sqrt(fan_in) = 1/sqrt(H)), N(0, 1) for the embedding.

Also here: the safetensors export/import that rnnlab reads and writes (engine/rnnlab/weights_io.cpp).
"""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

import rnnlab_config
import safetensors_io
from rnnlab_data import Vocab

GATES = {"rnn": 1, "lstm": 4, "gru": 3}


class CharRNN(nn.Module):
    def __init__(self, vocab_size, cell="lstm", layers=2, hidden=128, embed=64, dropout=0.0):
        super().__init__()
        if cell not in GATES:
            raise ValueError("cell must be one of rnn, lstm, gru (got %r)" % cell)
        self.vocab_size, self.cell, self.layers, self.hidden, self.embed_size = vocab_size, cell, layers, hidden, embed
        if embed > 0:
            self.embed = nn.Embedding(vocab_size, embed)
        else:
            self.embed = None   # one-hot input: rnn.weight_ih_l0 is (G*H, V)
        kwargs = dict(input_size=embed if embed > 0 else vocab_size, hidden_size=hidden, num_layers=layers,
                      dropout=dropout if layers > 1 else 0.0)
        if cell == "rnn":
            self.rnn = nn.RNN(nonlinearity="tanh", **kwargs)
        elif cell == "lstm":
            self.rnn = nn.LSTM(**kwargs)
        else:
            self.rnn = nn.GRU(**kwargs)
        self.head = nn.Linear(hidden, vocab_size)

    def zero_state(self, batch, device=None, dtype=torch.float32):
        h = torch.zeros(self.layers, batch, self.hidden, device=device, dtype=dtype)
        return (h, torch.zeros_like(h)) if self.cell == "lstm" else h

    def forward(self, x, state=None):
        """x (T, B) int64 ids -> logits (T, B, V), final state ((L,B,H) or LSTM's (h, c) pair)."""
        if self.embed is not None:
            inp = self.embed(x)
        else:
            inp = F.one_hot(x, self.vocab_size).to(self.head.weight.dtype)
        out, state = self.rnn(inp, state)
        return self.head(out), state


def detach_state(state):
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def architecture_from_tensors(tensors):
    """cell, layers, hidden, embed from the tensor shapes (weights_io.cpp's architecture_from_shapes)."""
    hh0 = tensors.get("rnn.weight_hh_l0")
    if hh0 is None or hh0.dim() != 2:
        raise ValueError("no 'rnn.weight_hh_l0' matrix: not an rnnlab/torch.nn character model "
                         "(expected names: embed.weight, rnn.weight_ih_l0, ..., head.weight)")
    gh, hidden = hh0.shape
    cells = {hidden: "rnn", 3 * hidden: "gru", 4 * hidden: "lstm"}
    if gh not in cells:
        raise ValueError("rnn.weight_hh_l0 has shape %s, which is no RNN, GRU or LSTM" % list(hh0.shape))
    layers = 0
    while "rnn.weight_hh_l%d" % layers in tensors:
        layers += 1
    emb = tensors.get("embed.weight")
    return dict(cell=cells[gh], layers=layers, hidden=int(hidden), embed=int(emb.shape[1]) if emb is not None else 0)


def export_metadata(vocab, cfg):
    return {
        "format": "pt",
        "rnnlab.format": "1",
        "rnnlab.vocab": json.dumps(vocab.symbols, separators=(",", ":")),
        "rnnlab.config": rnnlab_config.to_text(cfg),
    }


def save_safetensors(path, model, vocab, cfg):
    """The weights as F32 under the state_dict names, with the vocabulary and config rnnlab needs."""
    tensors = {name: t.detach().to("cpu", torch.float32) for name, t in model.state_dict().items()}
    safetensors_io.save(path, tensors, export_metadata(vocab, cfg))


def load_safetensors(path, dropout=None):
    """An rnnlab export (or this tool's) -> (model, vocab, cfg). Architecture comes from the tensor shapes,
    which are authoritative; the vocabulary is required; the rest of the config from the metadata."""
    tensors, meta = safetensors_io.load(path)
    if "rnnlab.vocab" not in meta:
        raise ValueError("%s has no vocabulary (metadata 'rnnlab.vocab'): export it with rnnlab or tools/pytorch"
                         % path)
    vocab = Vocab(json.loads(meta["rnnlab.vocab"]))
    cfg = rnnlab_config.defaults()
    if "rnnlab.config" in meta:
        cfg = rnnlab_config.from_text(meta["rnnlab.config"], cfg)
    arch = architecture_from_tensors(tensors)
    # The shapes cannot tell a GRU from rnnlab's 3-gate LSTM variants (lstm_cifg, lstm_nfg; from_text refuses those
    # by name): the file's own configuration must agree with the shapes, and a 3-gate file must have one.
    if "rnnlab.config" in meta and cfg["cell"] != arch["cell"]:
        raise ValueError("%s: its rnnlab.config says %s but the weights' shapes fit %s" % (path, cfg["cell"], arch["cell"]))
    if "rnnlab.config" not in meta and arch["cell"] == "gru":
        raise ValueError("%s has no rnnlab.config and its weights fit a GRU and rnnlab's lstm_cifg and lstm_nfg alike: "
                         "export it with rnnlab (rnnlab import --cell ..., then rnnlab export), which names the cell"
                         % path)
    cfg.update(arch)
    if dropout is not None:
        cfg["dropout"] = dropout
    cfg["vocab_max"] = max(cfg["vocab_max"], min(len(vocab), 8192))
    model = CharRNN(len(vocab), cfg["cell"], cfg["layers"], cfg["hidden"], cfg["embed"], cfg["dropout"])
    expected = model.state_dict()
    for name in tensors:
        if name not in expected:
            raise ValueError("unexpected tensor '%s' in %s: it does not belong to a %s with %d layer(s)"
                             % (name, path, cfg["cell"], cfg["layers"]))
    for name, ref in expected.items():
        if name not in tensors:
            raise ValueError("%s lacks tensor '%s'" % (path, name))
        if tuple(tensors[name].shape) != tuple(ref.shape):
            raise ValueError("tensor '%s' has shape %s but the model needs %s (is the vocabulary the one it was "
                             "trained with?)" % (name, list(tensors[name].shape), list(ref.shape)))
    model.load_state_dict({k: v.to(torch.float32) for k, v in tensors.items()})
    return model, vocab, cfg
