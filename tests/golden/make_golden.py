#!/usr/bin/python3
"""Write rnnlab's golden files: PyTorch reference values for the C++ engine.

Run from the repo root with Debian's python3-torch:

    /usr/bin/python3 tests/golden/make_golden.py

Each case builds the rnnlab network (embedding or one-hot input -> torch RNN/LSTM/GRU
-> linear head -> mean cross-entropy) in float64, runs one forward/backward pass on a
random batch from a random initial state, and writes a text file next to this script
with the parameters, inputs, initial state, logits, final state, loss and the gradients
of the loss w.r.t. every parameter and the initial state. Deterministic: every random
draw comes from a torch.Generator seeded with SEED, fresh for each case.

File format (one record per line, numbers printed with '%.17g' so they read back exactly):

    # rnnlab golden v1 | made by tests/golden/make_golden.py | torch X | python Y | seed S
    config cell=<rnn|lstm|gru> layers=L hidden=H embed=E vocab=V unroll=T batch=B
    ints x <T*B> <values>                 (time-major: index t*B + b)
    ints y <T*B> <values>
    tensor <name> <ndims> <dim0> ... <values, row-major>
    scalar loss <value>
"""

import os
import platform

import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 1234
OUT_DIR = os.path.dirname(os.path.abspath(__file__))

# name, cell, layers, hidden, embed (0 = one-hot), vocab, unroll, batch
CASES = [
    ("rnn_l2", "rnn", 2, 4, 3, 5, 3, 2),
    ("lstm_l2", "lstm", 2, 4, 3, 5, 3, 2),
    ("gru_l2", "gru", 2, 4, 3, 5, 3, 2),
    ("lstm_l2_onehot", "lstm", 2, 4, 0, 5, 3, 2),
    ("gru_l1_long", "gru", 1, 5, 4, 6, 7, 3),
]

# Deliberately non-default scales so gates are spread out and bugs cannot hide.
WEIGHT_STD = 0.5  # rnn.* weights and biases, head.*
EMBED_STD = 1.0   # embed.weight
STATE_STD = 0.5   # h0, c0


class Net(nn.Module):
    def __init__(self, cell, layers, hidden, embed, vocab):
        super().__init__()
        self.vocab = vocab
        self.embed = nn.Embedding(vocab, embed) if embed > 0 else None
        in_size = embed if embed > 0 else vocab
        if cell == "rnn":
            self.rnn = nn.RNN(in_size, hidden, num_layers=layers, nonlinearity="tanh",
                              dropout=0.0, batch_first=False)
        elif cell == "lstm":
            self.rnn = nn.LSTM(in_size, hidden, num_layers=layers, dropout=0.0,
                               batch_first=False)
        elif cell == "gru":
            self.rnn = nn.GRU(in_size, hidden, num_layers=layers, dropout=0.0,
                              batch_first=False)
        else:
            raise ValueError(cell)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state):
        if self.embed is not None:
            inp = self.embed(x)
        else:
            inp = F.one_hot(x, self.vocab).to(torch.float64)
        out, state_n = self.rnn(inp, state)
        return self.head(out), state_n


def fmt(v):
    return "%.17g" % v


def ints_line(name, t):
    vals = [int(v) for v in t.reshape(-1).tolist()]
    return "ints %s %d %s" % (name, len(vals), " ".join(str(v) for v in vals))


def tensor_line(name, t):
    t = t.detach().contiguous()
    dims = list(t.shape)
    vals = t.reshape(-1).tolist()
    return "tensor %s %d %s %s" % (name, len(dims), " ".join(str(d) for d in dims),
                                   " ".join(fmt(v) for v in vals))


def header():
    return "# rnnlab golden v1 | made by tests/golden/make_golden.py | torch %s | python %s | seed %d" % (
        torch.__version__, platform.python_version(), SEED)


def make_case(name, cell, L, H, E, V, T, B):
    g = torch.Generator().manual_seed(SEED)
    net = Net(cell, L, H, E, V).double()
    with torch.no_grad():
        for pname, p in net.named_parameters():
            std = EMBED_STD if pname.startswith("embed.") else WEIGHT_STD
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64) * std)

    x = torch.randint(0, V, (T, B), generator=g)
    y = torch.randint(0, V, (T, B), generator=g)
    h0 = (torch.randn((L, B, H), generator=g, dtype=torch.float64) * STATE_STD).requires_grad_()
    c0 = None
    if cell == "lstm":
        c0 = (torch.randn((L, B, H), generator=g, dtype=torch.float64) * STATE_STD).requires_grad_()
        state = (h0, c0)
    else:
        state = h0

    logits, state_n = net(x, state)
    loss = F.cross_entropy(logits.reshape(T * B, V), y.reshape(T * B))
    loss.backward()
    if cell == "lstm":
        h_n, c_n = state_n
    else:
        h_n, c_n = state_n, None

    lines = [header(),
             "config cell=%s layers=%d hidden=%d embed=%d vocab=%d unroll=%d batch=%d"
             % (cell, L, H, E, V, T, B),
             ints_line("x", x),
             ints_line("y", y)]
    params = list(net.named_parameters())
    for pname, p in params:
        lines.append(tensor_line(pname, p))
    lines.append(tensor_line("h0", h0))
    if c0 is not None:
        lines.append(tensor_line("c0", c0))
    lines.append(tensor_line("logits", logits))
    lines.append(tensor_line("h_n", h_n))
    if c_n is not None:
        lines.append(tensor_line("c_n", c_n))
    for pname, p in params:
        lines.append(tensor_line("grad." + pname, p.grad))
    lines.append(tensor_line("grad.h0", h0.grad))
    if c0 is not None:
        lines.append(tensor_line("grad.c0", c0.grad))
    lines.append("scalar loss %s" % fmt(loss.item()))

    path = os.path.join(OUT_DIR, name + ".txt")
    with open(path, "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    return path


def main():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    for case in CASES:
        print("wrote", os.path.relpath(make_case(*case)))


if __name__ == "__main__":
    main()
