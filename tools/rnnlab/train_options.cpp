#include "train_options.hpp"

#include <cstdlib>
#include <map>
#include <vector>

#include "cli_error.hpp"
#include "describe.hpp"
#include "rnnlab/config_text.hpp"
#include "rnnlab/errors.hpp"
#include "rnnlab/shards.hpp"
#include "thread_pool.hpp"

namespace rnnlab::cli {
namespace {

// Options that set one configuration field, by its config_text key; --set reaches every other key.
struct ConfigOption {
  std::string option;
  std::string key;
  std::string value;
  std::string help;
};

// "rnn|lstm|gru|...": the names the engine itself writes, so --help lists every cell or optimizer it gains.
// (enum class has int underneath, so every int is a valid value; to_string answers "?" past the last one.)
template <typename Enum>
std::string names_of() {
  std::string s;
  for (int i = 0; i < 64; ++i) {
    const std::string name = to_string(static_cast<Enum>(i));
    if (name == "?") break;
    s += (s.empty() ? "" : "|") + name;
  }
  return s;
}

const std::vector<ConfigOption>& model_options() {
  static const std::vector<ConfigOption> t = {
      {"--cell", "cell", names_of<CellType>(), "recurrent cell"},
      {"--layers", "layers", "N", "stacked layers, 1-4"},
      {"--hidden", "hidden", "N", "hidden units per layer, 1-1024"},
      {"--embed", "embed", "N", "embedding size; 0 = one-hot input"},
      {"--dropout", "dropout", "P", "dropout between layers, 0-0.9"},
  };
  return t;
}
const std::vector<ConfigOption>& optim_options() {
  static const std::vector<ConfigOption> t = {
      {"--optimizer", "optimizer", names_of<OptimizerType>(), "update rule"},
      {"--lr", "lr", "RATE", "learning rate"},
      {"--schedule", "schedule", names_of<ScheduleType>(),
       "learning-rate schedule (tune with --set step_every=, step_gamma=, cosine_steps=, min_lr_fraction=)"},
      {"--clip-mode", "clip", names_of<ClipMode>(), "gradient clipping: global norm, each element, or none"},
      {"--clip", "clip_value", "X", "clipping threshold"},
  };
  return t;
}
const std::vector<ConfigOption>& data_options() {
  static const std::vector<ConfigOption> t = {
      {"--batch", "batch", "B", "parallel streams per step, 1-256"},
      {"--unroll", "unroll", "T", "characters per stream per step (backpropagation through time), 1-1024"},
      {"--val-fraction", "val_fraction", "F", "end of the text held out for validation, 0-0.5"},
      {"--vocab-max", "vocab_max", "N", "most distinct characters kept; rarer ones share one unknown symbol"},
      {"--seed", "seed", "N", "seed for the weights, batching and dropout"},
  };
  return t;
}

const ConfigOption* find_config_option(const std::string& option) {
  for (const auto* table : {&model_options(), &optim_options(), &data_options()})
    for (const ConfigOption& c : *table)
      if (option == c.option) return &c;
  return nullptr;
}

// Defaults come from the engine's own Config{}, so --help cannot drift from what training uses.
std::map<std::string, std::string> default_values() {
  std::map<std::string, std::string> out;
  const std::string text = config_to_text(Config{});
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    char* stop = nullptr;
    const double v = std::strtod(value.c_str(), &stop);
    if (!value.empty() && *stop == '\0') value = format_number(v);   // 0.00200000009 -> 0.002
    out[line.substr(0, eq)] = value;
  }
  return out;
}

CommandSpec make_spec() {
  const auto defaults = default_values();
  CommandSpec s;
  s.name = "train";
  s.usage = "rnnlab train TEXT_FILE -o MODEL_FILE [options]\n       rnnlab train TEXT_FILE --resume MODEL_FILE [-o NEW_FILE] [options]";
  s.summary =
      "Trains a character-level language model on a UTF-8 text file and saves it (at the end, every\n"
      "--save-minutes, every --save-every steps, and on Ctrl-C, SIGTERM or SIGHUP). With --resume, continues a\n"
      "saved model on the same text: its configuration is then fixed, except --lr.";
  s.positionals = {"TEXT_FILE"};
  auto add_table = [&](const char* heading, const auto& table) {
    s.options.push_back({"", "", "", heading});
    for (const ConfigOption& c : table) s.options.push_back({c.option, c.value, defaults.at(c.key), c.help});
  };
  add_table("Model", model_options());
  add_table("Optimisation", optim_options());
  add_table("Data", data_options());
  std::string keys;
  for (const std::string& k : config_keys()) keys += (keys.empty() ? "" : ", ") + k;
  s.options.push_back({"--set", "KEY=VALUE", "", "any configuration key, repeatable: " + keys});
  s.options.push_back({"", "", "", "Speed"});
  s.options.push_back({"--threads", "N", "all cores (" + std::to_string(default_thread_count()) + " here)",
                       "threads that share each step, 1-" + std::to_string(kMaxShards) +
                           "; the losses are the same bit for bit with any number (a step is split into fixed "
                           "shards of " + std::to_string(kStreamsPerShard) +
                           " streams, so more threads than shards do not help)"});
  s.options.push_back({"", "", "", "Stopping and reporting"});
  s.options.push_back({"--steps", "N", "1000 unless --minutes is given", "steps to run now (a resumed model continues its count)"});
  s.options.push_back({"--minutes", "M", "", "stop after M minutes (with --steps: whichever comes first)"});
  s.options.push_back({"--eval-every", "N", "200", "validation bits/char every N steps; 0 = only at the end"});
  s.options.push_back({"--eval-chars", "N", "20000", "validation characters per evaluation; 0 = all"});
  s.options.push_back({"--sample-every", "N", "0", "print a short sample every N steps; 0 = never"});
  s.options.push_back({"--print-every", "N", "100", "when output is not a terminal, a progress line every N steps"});
  s.options.push_back({"--on-diverge", "stop|rewind", "stop",
                       "after 5 bad steps in a row (loss not finite, or above twice a uniform guess's): stop and "
                       "save the last good weights (exit 1), or go back to them, halve --lr and train on"});
  s.options.push_back({"", "", "", "Files"});
  s.options.push_back({"-o", "MODEL_FILE", "", "where to save the model (with --resume: the resumed file)"});
  s.options.push_back({"--save-every", "N", "0", "also save every N steps; 0 = only at the end"});
  s.options.push_back({"--save-minutes", "M", "10", "also save after M minutes without a save; 0 = no timed saves"});
  s.options.push_back({"--resume", "MODEL_FILE", "", "continue this model (a model file, or one made by rnnlab import)"});
  s.options.push_back({"--allow-outside-vocab", "", "",
                       "with --resume: train even when over 1% of the text is outside the model's vocabulary "
                       "(those characters are left out)"});
  s.examples = {
      "rnnlab train input.txt -o input.model --hidden 256 --layers 2 --minutes 10",
      "rnnlab train input.txt --resume input.model --steps 2000 --lr 1e-3",
      "rnnlab train code.txt -o code.model --set vocab_min_count=3 --sample-every 500",
  };
  return s;
}

// On --resume only --lr (also as --set lr=...) may change: the weights were shaped by the rest.
std::optional<float> resumed_lr(const ParsedArgs& a) {
  std::optional<float> lr;
  for (const auto& [option, value] : a.given) {
    std::string key, v = value;
    if (option == "--set") {
      const size_t eq = value.find('=');
      key = value.substr(0, eq);
      v = eq == std::string::npos ? "" : value.substr(eq + 1);
    } else if (const ConfigOption* c = find_config_option(option)) {
      key = c->key;
    } else {
      continue;
    }
    if (key != "lr")
      throw UsageError(option + (option == "--set" ? " " + key : "") +
                       " cannot change when resuming: a resumed model keeps its configuration (only --lr may "
                       "change); start a new model with -o instead of --resume");
    lr = static_cast<float>(parse_double_option("--lr", v, 1e-8, 10.0));
  }
  return lr;
}

Config config_from_options(const ParsedArgs& a) {
  Config c;
  for (const auto& [option, value] : a.given) {
    try {
      if (option == "--set") {
        const size_t eq = value.find('=');
        if (eq == std::string::npos || eq == 0)
          throw UsageError("--set expects KEY=VALUE, got '" + value + "'");
        set_config_value(c, value.substr(0, eq), value.substr(eq + 1));
      } else if (const ConfigOption* o = find_config_option(option)) {
        set_config_value(c, o->key, value);
      }
    } catch (const ConfigError& e) {
      throw UsageError(option + ": " + e.what());
    }
  }
  try {
    validate(c);
  } catch (const ConfigError& e) {
    throw UsageError(e.what());
  }
  return c;
}

uint64_t count_option(const ParsedArgs& a, const std::string& option, uint64_t fallback) {
  if (!a.has(option)) return fallback;
  return static_cast<uint64_t>(parse_int_option(option, a.value(option), 0, 1000000000000LL));
}

}  // namespace

const CommandSpec& train_spec() {
  static const CommandSpec spec = make_spec();
  return spec;
}

TrainRequest parse_train_request(const ParsedArgs& a) {
  TrainRequest r;
  r.text_path = a.positionals.at(0);
  r.resume_path = a.value("--resume");
  if (a.has("--resume") && r.resume_path.empty()) throw UsageError("--resume needs a model file");
  if (r.resume_path.empty()) r.config = config_from_options(a);
  else r.lr = resumed_lr(a);

  r.allow_outside_vocab = a.has("--allow-outside-vocab");
  r.out_path = a.value("-o", r.resume_path);
  if (r.out_path.empty()) throw UsageError("missing -o MODEL_FILE: where to save the trained model");

  LoopOptions& l = r.loop;
  l.out_path = r.out_path;
  if (a.has("--steps")) l.steps = static_cast<uint64_t>(parse_int_option("--steps", a.value("--steps"), 1, 1000000000000LL));
  if (a.has("--minutes")) l.minutes = parse_double_option("--minutes", a.value("--minutes"), 1e-3, 1e7);
  if (!a.has("--steps") && !a.has("--minutes")) l.steps = 1000;
  l.eval_every = count_option(a, "--eval-every", 200);
  l.eval_chars = static_cast<size_t>(count_option(a, "--eval-chars", 20000));
  l.save_every = count_option(a, "--save-every", 0);
  if (a.has("--save-minutes")) l.save_minutes = parse_double_option("--save-minutes", a.value("--save-minutes"), 0, 1e7);
  l.sample_every = count_option(a, "--sample-every", 0);
  r.print_every = count_option(a, "--print-every", 100);
  const std::string policy = a.value("--on-diverge", "stop");
  if (policy == "rewind") l.on_diverge = DivergePolicy::rewind;
  else if (policy != "stop") throw UsageError("--on-diverge must be stop or rewind, got '" + policy + "'");
  if (r.print_every == 0) throw UsageError("--print-every must be at least 1");
  r.threads = a.has("--threads") ? static_cast<int>(parse_int_option("--threads", a.value("--threads"), 1, kMaxShards))
                                 : default_thread_count();
  return r;
}

}  // namespace rnnlab::cli
