// Short human descriptions of models, shared by `train` (its opening lines) and `info`.
#pragma once
#include <cstdint>
#include <string>

#include "rnnlab/config.hpp"
#include "rnnlab/vocab.hpp"

namespace rnnlab::cli {

std::string with_commas(uint64_t n);                 // 1234567 -> "1,234,567"
std::string format_number(double v);                 // %g: 0.002, 5, 1e-05
// A float as written by config_to_text ("0.00999999978", exact) in its shortest form that reads back as the same
// float ("0.01"); anything else unchanged. Still valid for --set.
std::string shortest_float_text(const std::string& value);
std::string describe_model(const ModelConfig& m);    // "lstm, 2 layers x 128 hidden, embedding 64"
std::string describe_optimizer(const OptimConfig& o);// "adam, lr 0.002, constant schedule, clip norm 5"
// The vocabulary as one printable line: control characters escaped (\n, \t, \x1b), the unknown symbol shown
// as U+FFFD, at most `max_symbols` shown, then "... (+N more)".
std::string preview_symbols(const Vocab& vocab, int max_symbols);

}  // namespace rnnlab::cli
