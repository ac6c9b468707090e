// Opening a model given on the command line: an rnnlab model file or a .safetensors export, told apart by
// content (never by extension, which people rename freely).
#pragma once
#include <memory>
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
// corrupted, or neither kind of model.
LoadedModel load_model(const std::string& path);

// The model file's signature, "RNNLAB\x1a\n".
bool is_model_file(std::string_view bytes);

}  // namespace rnnlab::cli

namespace rnnlab::cli {

// Session::save (without the text: the text file stays the source of truth) written atomically.
void save_model(const Session& session, const std::string& path);

}  // namespace rnnlab::cli
