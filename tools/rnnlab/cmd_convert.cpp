// rnnlab export / import: the safetensors bridge to PyTorch (torch.nn state_dict names), both directions.
#include <cstdio>

#include "args.hpp"
#include "cli_error.hpp"
#include "commands.hpp"
#include "describe.hpp"
#include "files.hpp"
#include "model_io.hpp"
#include "rnnlab/errors.hpp"

namespace rnnlab::cli {
namespace {

const CommandSpec& export_spec() {
  static const CommandSpec s = [] {
    CommandSpec c;
    c.name = "export";
    c.usage = "rnnlab export MODEL -o OUT.safetensors";
    c.summary =
        "Writes a model's weights as safetensors with torch.nn state_dict names (embed.weight,\n"
        "rnn.weight_ih_l0, ..., head.weight) and its vocabulary and configuration as metadata, for\n"
        "PyTorch or any safetensors reader. Optimizer state and the training position are not included.";
    c.positionals = {"MODEL"};
    c.options = {{"-o", "OUT.safetensors", "", "where to write the weights (required)"}};
    c.examples = {"rnnlab export input.model -o input.safetensors"};
    return c;
  }();
  return s;
}

const CommandSpec& import_spec() {
  static const CommandSpec s = [] {
    CommandSpec c;
    c.name = "import";
    c.usage = "rnnlab import IN.safetensors -o MODEL [--text TEXT_FILE] [--cell CELL]";
    c.summary =
        "Makes an rnnlab model file from safetensors weights (from rnnlab export or PyTorch), ready for\n"
        "sample, eval and info. With --text, ties the model to that text so `train --resume` can continue\n"
        "on it (the optimizer starts fresh); without it, any text may be given to `train --resume` later.";
    c.positionals = {"IN.safetensors"};
    c.options = {
        {"-o", "MODEL", "", "where to write the model file (required)"},
        {"--text", "TEXT_FILE", "", "the text to continue training on"},
        {"--allow-outside-vocab", "", "", "with --text: accept a text over 1% outside the model's vocabulary"},
        {"--cell", "CELL", "", "the cell type, when the file does not say and the shapes fit several (a GRU and "
                               "the 3-gate LSTM variants lstm_cifg, lstm_nfg look alike)"},
    };
    c.examples = {"rnnlab import torch_run.safetensors -o torch_run.model --text input.txt"};
    return c;
  }();
  return s;
}

std::string required_output(const ParsedArgs& a, const std::string& input, const char* what) {
  const std::string out = a.value("-o");
  if (out.empty()) throw UsageError(std::string("missing -o ") + what + ": where to write the result");
  if (same_file(out, input)) throw UsageError("-o " + out + " is the input file itself: choose another name");
  return out;
}

}  // namespace

int cmd_export(const Args& args) {
  const ParsedArgs a = parse_args(export_spec(), args);
  if (a.help) {
    std::fputs(render_help(export_spec()).c_str(), stdout);
    return kExitOk;
  }
  const std::string out = required_output(a, a.positionals[0], "OUT.safetensors");
  const LoadedModel m = load_model(a.positionals[0]);
  const std::string bytes = m.session->export_safetensors();
  write_file_atomic(out, bytes);
  std::printf("wrote %s (%s weights, %s bytes)\n", out.c_str(), with_commas(m.session->parameter_count()).c_str(),
              with_commas(bytes.size()).c_str());
  return kExitOk;
}

int cmd_import(const Args& args) {
  const ParsedArgs a = parse_args(import_spec(), args);
  if (a.help) {
    std::fputs(render_help(import_spec()).c_str(), stdout);
    return kExitOk;
  }
  const std::string out = required_output(a, a.positionals[0], "MODEL");
  if (a.has("--text") && same_file(out, a.value("--text")))
    throw UsageError("-o " + out + " is the text file itself: choose another name");
  std::optional<CellType> cell;
  if (a.has("--cell")) {
    try {
      cell = parse_cell(a.value("--cell"));
    } catch (const ConfigError& e) {
      throw UsageError(std::string("--cell: ") + e.what());
    }
  }
  LoadedModel m = load_model(a.positionals[0], cell);
  if (cell && m.kind == ModelKind::model_file && *cell != m.session->config().model.cell)
    throw UsageError("--cell " + to_string(*cell) + " does not match " + quoted(a.positionals[0]) +
                     ", an rnnlab model file of a " + to_string(m.session->config().model.cell) + " cell");
  if (a.has("--text")) {
    const std::string text_path = a.value("--text");
    const std::string text = read_file(text_path);
    try {
      m.session->attach_text(text);
    } catch (const ConfigError& e) {
      throw FileError(quoted(text_path) + ": " + e.what());
    }
    check_vocab_coverage(*m.session, text_path, a.has("--allow-outside-vocab"));
  }
  save_model(*m.session, out);
  std::printf("wrote %s (%s; %s parameters, %d symbols)\n", out.c_str(),
              describe_model(m.session->config().model).c_str(), with_commas(m.session->parameter_count()).c_str(),
              m.session->vocab().size());
  if (a.has("--text"))
    std::printf("continue training with: rnnlab train %s --resume %s\n", a.value("--text").c_str(), out.c_str());
  return kExitOk;
}

}  // namespace rnnlab::cli
