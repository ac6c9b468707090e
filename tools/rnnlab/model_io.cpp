#include "model_io.hpp"

#include <cstdint>
#include <cstdio>

#include "cli_error.hpp"
#include "describe.hpp"
#include "files.hpp"
#include "rnnlab/errors.hpp"

namespace rnnlab::cli {
namespace {

constexpr std::string_view kModelMagic("RNNLAB\x1a\n", 8);

// A safetensors file opens with a little-endian u64 header length and then a JSON object. Checking that much
// first lets a text file, an image or random bytes get a plain "not a model" instead of a message about
// safetensors header lengths, which would puzzle someone who never meant to give a safetensors file.
bool looks_like_safetensors(std::string_view bytes) {
  if (bytes.size() < 10) return false;
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
  return n >= 2 && n <= bytes.size() - 8 && bytes[8] == '{';
}

}  // namespace

bool is_model_file(std::string_view bytes) { return bytes.substr(0, kModelMagic.size()) == kModelMagic; }

LoadedModel load_model(const std::string& path, std::optional<CellType> cell) {
  LoadedModel m;
  m.bytes = read_file(path);
  const std::string name = path == "-" ? "standard input" : quoted(path);
  if (m.bytes.empty()) throw FileError(name + " is empty: not a model file");
  try {
    if (is_model_file(m.bytes)) {
      m.kind = ModelKind::model_file;
      m.session = Session::load(m.bytes);
    } else if (looks_like_safetensors(m.bytes)) {
      m.kind = ModelKind::safetensors;
      m.session = Session::import_safetensors(m.bytes, cell);
    } else {
      throw FileError(name + " is not an rnnlab model: it is neither a model file saved by rnnlab nor a "
                             ".safetensors export (did you swap the model and the text?)");
    }
  } catch (const FormatError& e) {
    throw FileError(name + ": " + e.what());
  } catch (const ConfigError& e) {   // a model file whose stored text does not fit its own configuration
    throw FileError(name + ": " + e.what());
  }
  return m;
}

}  // namespace rnnlab::cli

namespace rnnlab::cli {

void save_model(const Session& session, const std::string& path) { write_file_atomic(path, session.save(false)); }

}  // namespace rnnlab::cli

namespace rnnlab::cli {

void check_vocab_coverage(const Session& session, const std::string& text_path, bool allow) {
  const TextStats& t = session.text_stats();
  if (t.outside_vocab == 0) return;
  const std::string name = text_path == "-" ? "standard input" : quoted(text_path);
  char percent[32];
  std::snprintf(percent, sizeof percent, "%.1f%%", 100.0 * static_cast<double>(t.outside_vocab) / static_cast<double>(t.chars));
  const std::string what = with_commas(t.outside_vocab) + " of the " + with_commas(t.chars) + " characters of " +
                           name + " (" + percent + ") are not in the model's vocabulary";
  if (static_cast<double>(t.outside_vocab) > kMaxOutsideVocab * static_cast<double>(t.chars) && !allow)
    throw FileError(what + ", so training would leave them out: train a new model on this text (-o instead of "
                           "--resume), or add --allow-outside-vocab to train on the rest");
  std::fprintf(stderr, "rnnlab: warning: %s and are left out of training\n", what.c_str());
}

}  // namespace rnnlab::cli
