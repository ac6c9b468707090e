#include "rnnlab/config.hpp"

#include <cmath>
#include <sstream>

#include "rnnlab/errors.hpp"

namespace rnnlab {
namespace {

template <typename T>
void check_range(const char* name, T value, T lo, T hi) {
  if (!(value >= lo && value <= hi)) {   // written so NaN fails too
    std::ostringstream msg;
    msg << name << " must be between " << lo << " and " << hi << " (got " << value << ")";
    throw ConfigError(msg.str());
  }
}

[[noreturn]] void unknown_name(const char* what, const std::string& got, const char* accepted) {
  throw ConfigError(std::string("unknown ") + what + " '" + got + "': use one of " + accepted);
}

}  // namespace

void validate(const Config& c) {
  check_range("layers", c.model.layers, 1, 4);
  check_range("hidden", c.model.hidden, 1, 1024);
  check_range("embed", c.model.embed, 0, 1024);
  check_range("dropout", c.model.dropout, 0.0f, 0.9f);
  check_range("vocab max_size", c.vocab.max_size, 2, 8192);   // Vocab::kMaxSymbols
  check_range("vocab min_count", c.vocab.min_count, 1, 1000000000);
  check_range("learning rate", c.optim.lr, 1e-8f, 10.0f);
  check_range("momentum", c.optim.momentum, 0.0f, 0.999f);
  check_range("beta1", c.optim.beta1, 0.0f, 0.9999f);
  check_range("beta2", c.optim.beta2, 0.0f, 0.99999f);
  check_range("rms_decay", c.optim.rms_decay, 0.0f, 0.9999f);
  check_range("eps", c.optim.eps, 1e-12f, 1.0f);
  check_range("step_every", c.optim.step_every, 1, 100000000);
  check_range("step_gamma", c.optim.step_gamma, 1e-6f, 1.0f);
  check_range("cosine_steps", c.optim.cosine_steps, 1, 100000000);
  check_range("min_lr_fraction", c.optim.min_lr_fraction, 0.0f, 1.0f);
  check_range("clip value", c.optim.clip_value, 1e-6f, 1e6f);
  check_range("batch", c.train.batch, 1, 256);
  check_range("unroll", c.train.unroll, 1, 1024);
  check_range("val_fraction", c.train.val_fraction, 0.0f, 0.5f);
}

int gates_per_cell(CellType cell) {
  switch (cell) {
    case CellType::rnn_tanh: return 1;
    case CellType::lstm: return 4;
    case CellType::gru: return 3;
    case CellType::lstm_peephole: return 4;
    case CellType::lstm_cifg: return 3;
    case CellType::lstm_nfg: return 3;
  }
  return 1;
}

bool has_cell_state(CellType cell) {
  return cell == CellType::lstm || cell == CellType::lstm_peephole || cell == CellType::lstm_cifg ||
         cell == CellType::lstm_nfg;
}

bool has_torch_twin(CellType cell) {
  return cell == CellType::rnn_tanh || cell == CellType::lstm || cell == CellType::gru;
}

std::string to_string(CellType v) {
  switch (v) {
    case CellType::rnn_tanh: return "rnn";
    case CellType::lstm: return "lstm";
    case CellType::gru: return "gru";
    case CellType::lstm_peephole: return "lstm_peephole";
    case CellType::lstm_cifg: return "lstm_cifg";
    case CellType::lstm_nfg: return "lstm_nfg";
  }
  return "?";
}
std::string to_string(OptimizerType v) {
  switch (v) {
    case OptimizerType::sgd: return "sgd";
    case OptimizerType::adagrad: return "adagrad";
    case OptimizerType::rmsprop: return "rmsprop";
    case OptimizerType::adam: return "adam";
  }
  return "?";
}
std::string to_string(ScheduleType v) {
  switch (v) {
    case ScheduleType::constant: return "constant";
    case ScheduleType::step: return "step";
    case ScheduleType::cosine: return "cosine";
  }
  return "?";
}
std::string to_string(ClipMode v) {
  switch (v) {
    case ClipMode::none: return "none";
    case ClipMode::global_norm: return "norm";
    case ClipMode::elementwise: return "value";
  }
  return "?";
}

CellType parse_cell(const std::string& s) {
  if (s == "rnn" || s == "rnn_tanh") return CellType::rnn_tanh;
  if (s == "lstm") return CellType::lstm;
  if (s == "gru") return CellType::gru;
  if (s == "lstm_peephole") return CellType::lstm_peephole;
  if (s == "lstm_cifg") return CellType::lstm_cifg;
  if (s == "lstm_nfg") return CellType::lstm_nfg;
  unknown_name("cell", s, "rnn, lstm, gru, lstm_peephole, lstm_cifg, lstm_nfg");
}
OptimizerType parse_optimizer(const std::string& s) {
  if (s == "sgd") return OptimizerType::sgd;
  if (s == "adagrad") return OptimizerType::adagrad;
  if (s == "rmsprop") return OptimizerType::rmsprop;
  if (s == "adam") return OptimizerType::adam;
  unknown_name("optimizer", s, "sgd, adagrad, rmsprop, adam");
}
ScheduleType parse_schedule(const std::string& s) {
  if (s == "constant") return ScheduleType::constant;
  if (s == "step") return ScheduleType::step;
  if (s == "cosine") return ScheduleType::cosine;
  unknown_name("schedule", s, "constant, step, cosine");
}
ClipMode parse_clip(const std::string& s) {
  if (s == "none") return ClipMode::none;
  if (s == "norm") return ClipMode::global_norm;
  if (s == "value") return ClipMode::elementwise;
  unknown_name("clip mode", s, "norm (global norm), value (element-wise), none");
}

}  // namespace rnnlab
