// Whole-file reads with a size cap, and atomic writes, so an interrupted or failed save never leaves a
// half-written model where a good one (or nothing) was before. "-" reads standard input.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace rnnlab::cli {

// Texts and models are read fully into memory; past this a clear message beats running out of memory later.
constexpr size_t kMaxFileBytes = size_t{1} << 30;

// The whole file, or FileError: "cannot read 'x': No such file or directory", "'x' is a directory",
// "'x' is 2.3 GB; rnnlab reads files up to 1 GB".
std::string read_file(const std::string& path);

// Writes to a temporary file beside `path`, flushes it to disk, then renames it over `path`; FileError on failure
// (the temporary is removed). An existing file keeps its permissions.
void write_file_atomic(const std::string& path, std::string_view bytes);

// Fails early (FileError) when `path` could not be written later, e.g. its directory is missing or read-only:
// better before an hour of training than after.
void check_writable(const std::string& path);

// True when both paths name the same existing file (so an output would overwrite an input).
bool same_file(const std::string& a, const std::string& b);

}  // namespace rnnlab::cli
