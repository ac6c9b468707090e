// The CLI's two kinds of failure, which decide the exit status a script sees:
//   UsageError  the command line itself is wrong (unknown option, bad number, out of range)  -> exit 2
//   FileError   a file is missing, unreadable, unwritable or holds something unusable        -> exit 1
// The engine's ConfigError / FormatError are mapped onto these where the CLI knows which one applies.
#pragma once
#include <stdexcept>
#include <string>

namespace rnnlab::cli {

constexpr int kExitOk = 0;
constexpr int kExitFile = 1;
constexpr int kExitUsage = 2;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct FileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// 'path' as it appears in messages.
inline std::string quoted(const std::string& path) { return "'" + path + "'"; }

}  // namespace rnnlab::cli
