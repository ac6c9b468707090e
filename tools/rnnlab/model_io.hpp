// Opening a model given on the command line: an rnnlab model file or a .safetensors export, told apart by
// content (never by extension, which people rename freely).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "rnnlab/session.hpp"

namespace rnnlab::cli {

enum class ModelKind { model_file, safetensors };

struct LoadedModel {
  std::unique_ptr<Session> session;
  ModelKind kind = ModelKind::model_file;
  std::string bytes;   // the file as read (info looks at fields the Session does not expose)
};

// Reads and loads the file; FileError (with the path in the message) when it is missing, unreadable,
// corrupted, or neither kind of model. `cell` is for a safetensors file whose shapes fit several cells.
LoadedModel load_model(const std::string& path, std::optional<CellType> cell = std::nullopt);

// The model file's signature, "RNNLAB\x1a\n".
bool is_model_file(std::string_view bytes);

}  // namespace rnnlab::cli

namespace rnnlab::cli {

// Session::save (without the text: the text file stays the source of truth) written atomically.
void save_model(const Session& session, const std::string& path);

}  // namespace rnnlab::cli

namespace rnnlab::cli {

// A text attached to a loaded model may hold characters outside its vocabulary; those are left out of training.
// Up to kMaxOutsideVocab of the text that is worth a warning with the count; beyond it, a FileError unless `allow`
// (the text is then mostly not what the model knows, and training on the rest is rarely what was meant).
constexpr double kMaxOutsideVocab = 0.01;
void check_vocab_coverage(const Session& session, const std::string& text_path, bool allow);

}  // namespace rnnlab::cli
