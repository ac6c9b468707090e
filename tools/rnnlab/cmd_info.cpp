// rnnlab info: what a model file holds, without running it.
#include <cinttypes>
#include <cstdio>

#include "args.hpp"
#include "cli_error.hpp"
#include "commands.hpp"
#include "describe.hpp"
#include "model_io.hpp"
#include "rnnlab/config_text.hpp"

namespace rnnlab::cli {
namespace {

const CommandSpec& spec() {
  static const CommandSpec s = [] {
    CommandSpec c;
    c.name = "info";
    c.usage = "rnnlab info MODEL";
    c.summary =
        "Describes a model file or a .safetensors export: architecture, parameter count, vocabulary,\n"
        "training progress, which text it is tied to, and its full configuration (the keys of --set).";
    c.positionals = {"MODEL"};
    c.examples = {"rnnlab info input.model"};
    return c;
  }();
  return s;
}

void row(const char* label, const std::string& value) { std::printf("%-12s%s\n", label, value.c_str()); }

std::string text_line(const LoadedModel& m) {
  const Session& s = *m.session;
  if (m.kind == ModelKind::safetensors) return "none (weights only): rnnlab import it to train further";
  if (s.has_text()) return "stored in the file (" + with_commas(s.text_stats().chars) + " characters)";
  if (!s.text_identity_known()) return "not stored, not tied to a text: train --resume accepts any text";
  char fp[24];
  std::snprintf(fp, sizeof fp, "%016" PRIx64, s.text_fingerprint_value());
  return "not stored: train --resume needs the same text file (" + with_commas(s.text_bytes()) +
         " bytes, fingerprint " + fp + ")";
}

std::string progress_line(const LoadedModel& m) {
  const Session& s = *m.session;
  std::string line = "step " + with_commas(s.step());
  if (s.rejected_steps()) line += " (" + with_commas(s.rejected_steps()) + " rejected)";
  if (m.kind == ModelKind::safetensors) return line;
  if (s.has_text()) return line + ", epoch " + format_number(s.epoch());
  if (const std::optional<uint64_t> cursor = s.saved_cursor_position())
    return line + ", epoch " + format_number(s.epoch()) + " (complete passes; next chunk at character " +
           with_commas(*cursor) + " of each stream)";
  return line;
}

// key=value pairs packed into lines of about 100 columns: complete, yet a screen rather than a scroll.
void print_configuration(const Config& c) {
  std::printf("configuration (keys of --set):\n");
  const std::string text = config_to_text(c);
  std::string line;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(pos, end - pos);
    const size_t eq = item.find('=');
    if (eq != std::string::npos) item = item.substr(0, eq + 1) + shortest_float_text(item.substr(eq + 1));
    pos = end + 1;
    if (!line.empty() && line.size() + 1 + item.size() > 100) {
      std::printf("  %s\n", line.c_str());
      line.clear();
    }
    line += (line.empty() ? "" : " ") + item;
  }
  if (!line.empty()) std::printf("  %s\n", line.c_str());
}

}  // namespace

int cmd_info(const Args& args) {
  const ParsedArgs a = parse_args(spec(), args);
  if (a.help) {
    std::fputs(render_help(spec()).c_str(), stdout);
    return kExitOk;
  }
  const LoadedModel m = load_model(a.positionals[0]);
  const Session& s = *m.session;
  const Config& c = s.config();

  row("file", a.positionals[0] + " (" +
                  (m.kind == ModelKind::model_file ? "rnnlab model file" : "safetensors export") + ", " +
                  with_commas(m.bytes.size()) + " bytes)");
  row("model", describe_model(c.model));
  row("parameters", with_commas(s.parameter_count()));
  row("vocabulary", std::to_string(s.vocab().size()) + " symbols" +
                        (s.vocab().has_unknown() ? " (U+FFFD stands for rare characters)" : "") + ": " +
                        preview_symbols(s.vocab(), 96));
  row("training", progress_line(m));
  row("optimizer", describe_optimizer(c.optim));
  row("data", "batch " + std::to_string(c.train.batch) + " x unroll " + std::to_string(c.train.unroll) +
                  ", validation fraction " + format_number(c.train.val_fraction) + ", seed " +
                  std::to_string(c.train.seed));
  row("text", text_line(m));
  print_configuration(c);
  return kExitOk;
}

}  // namespace rnnlab::cli
