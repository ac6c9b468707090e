// Errors the engine reports to people. Every message says what is wrong and, where it can, what to do.
#pragma once
#include <stdexcept>
#include <string>

namespace rnnlab {

// A request that cannot be honoured as given (bad hyper-parameter, text too short, ...).
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A file or byte string that is not what it claims to be (truncated, corrupted, foreign, too large).
struct FormatError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace rnnlab
