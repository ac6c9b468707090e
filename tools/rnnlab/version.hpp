// The CLI's version, shown by `rnnlab --version`. Bump with user-visible changes to commands or files.
#pragma once

namespace rnnlab::cli {

inline constexpr const char* kVersion = "0.1.0";

}  // namespace rnnlab::cli
