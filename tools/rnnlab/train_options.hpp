// The command line of `rnnlab train`: its option table (which also makes its --help) and the translation of
// parsed options into a configuration and loop settings, with every check that needs no file.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "args.hpp"
#include "rnnlab/config.hpp"
#include "train_loop.hpp"

namespace rnnlab::cli {

struct TrainRequest {
  std::string text_path;
  std::string out_path;
  std::string resume_path;      // empty: a new model
  Config config;                // a new model's configuration (validated)
  std::optional<float> lr;      // a resumed model's new learning rate, if given
  bool allow_outside_vocab = false;   // resume on a text mostly outside the model's vocabulary (model_io.hpp)
  LoopOptions loop;
  uint64_t print_every = 100;
  int threads = 1;              // threads computing a step's shards (the losses do not depend on it)
};

const CommandSpec& train_spec();

// Throws UsageError for anything wrong on the command line, including configuration values out of range.
TrainRequest parse_train_request(const ParsedArgs& args);

}  // namespace rnnlab::cli
