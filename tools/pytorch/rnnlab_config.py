"""rnnlab's configuration as "key=value" text (engine/rnnlab/config_text.cpp, config.hpp).

The same keys, order, defaults and limits as the engine, so the "rnnlab.config" metadata this tool writes
reads back in rnnlab exactly as rnnlab's own exports do. Floats are float32 in the engine and written with
9 significant digits ("%.9g" of the float value), which round-trips a float bit-exactly.
"""
import struct

CELLS = ("rnn", "lstm", "gru")
OPTIMIZERS = ("sgd", "adagrad", "rmsprop", "adam")
SCHEDULES = ("constant", "step", "cosine")
CLIP_MODES = ("none", "norm", "value")

# (key, kind, default) in config_text.cpp's order. kind: enum name list, "int", "float" or "u64".
FIELDS = (
    ("cell", CELLS, "lstm"),
    ("layers", "int", 2),
    ("hidden", "int", 128),
    ("embed", "int", 64),
    ("dropout", "float", 0.0),
    ("vocab_max", "int", 256),
    ("vocab_min_count", "int", 1),
    ("optimizer", OPTIMIZERS, "adam"),
    ("lr", "float", 2e-3),
    ("momentum", "float", 0.9),
    ("beta1", "float", 0.9),
    ("beta2", "float", 0.999),
    ("rms_decay", "float", 0.95),
    ("eps", "float", 1e-8),
    ("schedule", SCHEDULES, "constant"),
    ("step_every", "int", 1000),
    ("step_gamma", "float", 0.5),
    ("cosine_steps", "int", 10000),
    ("min_lr_fraction", "float", 0.1),
    ("clip", CLIP_MODES, "norm"),
    ("clip_value", "float", 5.0),
    ("batch", "int", 32),
    ("unroll", "int", 64),
    ("val_fraction", "float", 0.1),
    ("seed", "u64", 1),
)
KINDS = {key: kind for key, kind, _ in FIELDS}

# config.cpp validate(): (low, high) inclusive.
LIMITS = {
    "layers": (1, 4), "hidden": (1, 1024), "embed": (0, 1024), "dropout": (0.0, 0.9),
    "vocab_max": (2, 8192), "vocab_min_count": (1, 1000000000), "lr": (1e-8, 10.0),
    "momentum": (0.0, 0.999), "beta1": (0.0, 0.9999), "beta2": (0.0, 0.99999), "rms_decay": (0.0, 0.9999),
    "eps": (1e-12, 1.0), "step_every": (1, 100000000), "step_gamma": (1e-6, 1.0),
    "cosine_steps": (1, 100000000), "min_lr_fraction": (0.0, 1.0), "clip_value": (1e-6, 1e6),
    "batch": (1, 256), "unroll": (1, 1024), "val_fraction": (0.0, 0.5),
}


class ConfigError(ValueError):
    pass


def f32(x):
    """The float32 nearest to x, as a Python float (what the engine stores)."""
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


def defaults():
    """rnnlab's Config{}: floats as the float32 values the engine holds (so 0.1 given on a command line
    compares equal to the default 0.1)."""
    return {key: f32(default) if kind == "float" else default for key, kind, default in FIELDS}


def parse_value(key, text):
    if key not in KINDS:
        raise ConfigError("unknown setting '%s': known settings are %s" % (key, ", ".join(KINDS)))
    kind = KINDS[key]
    if isinstance(kind, tuple):
        if key == "cell" and text == "rnn_tanh":
            return "rnn"
        if text not in kind:
            raise ConfigError("unknown %s '%s': use one of %s" % (key, text, ", ".join(kind)))
        return text
    try:
        if kind == "float":
            return f32(float(text))
        value = int(text, 10)
    except ValueError:
        raise ConfigError("'%s' is not a valid value for %s" % (text, key)) from None
    if kind == "u64" and not 0 <= value < 2 ** 64:
        raise ConfigError("'%s' is not a valid value for %s: expected a whole number >= 0" % (text, key))
    return value


def validate(cfg):
    for key, (lo, hi) in LIMITS.items():
        value = cfg[key]
        if not lo <= value <= hi:   # NaN fails too
            raise ConfigError("%s must be between %s and %s (got %s)" % (key, lo, hi, value))
    for key, kind, _ in FIELDS:
        if isinstance(kind, tuple) and cfg[key] not in kind:
            raise ConfigError("unknown %s '%s': use one of %s" % (key, cfg[key], ", ".join(kind)))


def format_value(key, value):
    kind = KINDS[key]
    if kind == "float":
        return "%.9g" % f32(value)
    return str(value)


def to_text(cfg):
    """config_to_text(): every field, one key=value line each, in the engine's order."""
    return "".join("%s=%s\n" % (key, format_value(key, cfg[key])) for key, _, _ in FIELDS)


def from_text(text, base=None):
    """config_from_text(): missing keys keep their defaults (or base's values); unknown keys are an error."""
    cfg = dict(base) if base is not None else defaults()
    for line in text.split("\n"):
        if not line:
            continue
        if "=" not in line:
            raise ConfigError("configuration line without '=': " + line[:40])
        key, value = line.split("=", 1)
        cfg[key] = parse_value(key, value)
    return cfg
