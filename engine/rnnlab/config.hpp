// Everything a person can choose about a model and its training, with the limits the engine accepts.
//
// Dimension letters used across the engine:
//   V vocabulary size   E embedding size (E = V with one-hot input)   H hidden size
//   L layers            T unroll length (BPTT)                         B batch (parallel streams)
//   G gates per cell: 1 rnn_tanh, 4 lstm (i,f,g,o), 3 gru (r,z,n), as in torch.nn;
//     the "LSTM: A Search Space Odyssey" variants: 4 lstm_peephole (i,f,g,o), 3 lstm_cifg and lstm_nfg (i,g,o)
#pragma once
#include <cstdint>
#include <string>

namespace rnnlab {

enum class CellType {
  rnn_tanh,
  lstm,
  gru,
  lstm_peephole,   // LSTM whose i and f gates also see c_{t-1} and o sees c_t (one weight per unit and gate)
  lstm_cifg,       // coupled input and forget gate: f = 1 - i
  lstm_nfg,        // no forget gate: f = 1, c_t = c_{t-1} + i*g
};
enum class OptimizerType { sgd, adagrad, rmsprop, adam };
enum class ScheduleType { constant, step, cosine };
enum class ClipMode { none, global_norm, elementwise };

struct ModelConfig {
  CellType cell = CellType::lstm;
  int layers = 2;          // L, 1..4
  int hidden = 128;        // H, 1..1024
  int embed = 64;          // E, 0 = one-hot input
  float dropout = 0.0f;    // between stacked layers (as torch.nn.LSTM's dropout), 0..0.9
};

struct VocabConfig {
  int max_size = 256;      // distinct symbols kept (the unknown symbol included), 2..8192
  int min_count = 1;       // rarer characters map to the unknown symbol
};

struct OptimConfig {
  OptimizerType type = OptimizerType::adam;
  float lr = 2e-3f;
  float momentum = 0.9f;   // sgd
  float beta1 = 0.9f;      // adam
  float beta2 = 0.999f;    // adam
  float rms_decay = 0.95f; // rmsprop (char-rnn's default)
  float eps = 1e-8f;       // adam, adagrad, rmsprop
  ScheduleType schedule = ScheduleType::constant;
  int step_every = 1000;   // step: multiply lr by step_gamma every step_every steps
  float step_gamma = 0.5f;
  int cosine_steps = 10000;   // cosine: lr decays from lr to lr*min_lr_fraction over this many steps
  float min_lr_fraction = 0.1f;
  ClipMode clip = ClipMode::global_norm;
  float clip_value = 5.0f;
};

struct TrainConfig {
  int batch = 32;          // B, 1..256
  int unroll = 64;         // T, 1..1024
  float val_fraction = 0.1f;   // last fraction of the text held out, 0..0.5
  uint64_t seed = 1;
};

struct Config {
  ModelConfig model;
  VocabConfig vocab;
  OptimConfig optim;
  TrainConfig train;
};

// Throws ConfigError naming the first field out of range and its allowed range.
void validate(const Config& config);

int gates_per_cell(CellType cell);
// The LSTM family carries a cell state c besides h.
bool has_cell_state(CellType cell);
// Cells with a torch.nn twin (rnn, lstm, gru): only these map 1:1 to torch.nn.RNN/LSTM/GRU weights.
bool has_torch_twin(CellType cell);

// Names as written on the command line, in files and in share links ("lstm", "adam", ...).
std::string to_string(CellType v);
std::string to_string(OptimizerType v);
std::string to_string(ScheduleType v);
std::string to_string(ClipMode v);
// Throw ConfigError listing the accepted names.
CellType parse_cell(const std::string& s);
OptimizerType parse_optimizer(const std::string& s);
ScheduleType parse_schedule(const std::string& s);
ClipMode parse_clip(const std::string& s);

}  // namespace rnnlab
