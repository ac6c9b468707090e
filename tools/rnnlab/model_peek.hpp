// Fields of a model file that Session does not expose but `info` reports: which text the model is tied to and
// where its training cursor stands. Read by walking the documented layout (engine/rnnlab/checkpoint.cpp,
// format version 1) after Session::load has already validated the file; any other version reads as unknown.
// (Engine wish: Session accessors for the text fingerprint and the saved cursor would make this file go away.)
#pragma once
#include <cstdint>
#include <string_view>

namespace rnnlab::cli {

struct ModelFileFacts {
  bool known = false;              // false: a format this code does not know; the fields below are unset
  uint64_t text_fingerprint = 0;   // 0: not tied to a text (imported weights)
  uint64_t text_bytes = 0;         // size of the training text
  bool text_included = false;
  uint64_t cursor = 0;             // position in each training stream
  uint64_t epoch = 0;              // completed passes over the training text
};

ModelFileFacts peek_model_file(std::string_view bytes);

}  // namespace rnnlab::cli
