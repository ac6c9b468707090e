// rnnlab: the native command line for the rnnlab engine. Dispatches to a subcommand and turns every failure into
// one line on stderr and an exit status scripts can rely on: 0 success, 1 a file or its content, 2 the command
// line. No exception escapes, so a bad input can never end in a crash or a core dump.
#include <csignal>
#include <cstdio>
#include <new>
#include <string>
#include <vector>

#include "cli_error.hpp"
#include "commands.hpp"
#include "rnnlab/errors.hpp"
#include "version.hpp"

namespace rnnlab::cli {
namespace {

struct Command {
  const char* name;
  int (*run)(const Args&);
  const char* summary;
};

const Command kCommands[] = {
    {"train", cmd_train, "train a model on a text file (or continue one with --resume)"},
    {"sample", cmd_sample, "generate text from a model"},
    {"eval", cmd_eval, "score a text with a model: bits per character, perplexity"},
    {"export", cmd_export, "write a model's weights as .safetensors (torch.nn names)"},
    {"import", cmd_import, "make a model file from .safetensors weights"},
    {"info", cmd_info, "describe a model file"},
};

void print_help() {
  std::printf("rnnlab %s: character-level recurrent language models (RNN, LSTM, GRU) from the command line\n\n"
              "Usage: rnnlab COMMAND [arguments] [options]\n\nCommands:\n", kVersion);
  for (const Command& c : kCommands) std::printf("  %-8s%s\n", c.name, c.summary);
  std::printf(
      "\nRun 'rnnlab COMMAND --help' for a command's options and defaults.\n"
      "\nExamples:\n"
      "  rnnlab train input.txt -o input.model --minutes 5\n"
      "  rnnlab sample input.model --prime \"ROMEO:\" --temperature 0.8\n"
      "  rnnlab eval input.model held_out.txt\n"
      "\nExit status: 0 success, 1 a file is missing, unreadable or unusable, 2 a wrong command line.\n"
      "A file argument of - reads standard input.\n");
}

// Engine messages are written for one line; make sure of it, since scripts read the first line of stderr.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

int fail(int status, const std::string& message, const std::string& help_hint = "") {
  std::fflush(stdout);
  std::fprintf(stderr, "rnnlab: %s%s\n", one_line(message).c_str(), help_hint.c_str());
  return status;
}

int run(const Args& argv) {
  if (argv.empty()) throw UsageError("no command given");
  const std::string& name = argv[0];
  if (name == "--help" || name == "-h" || name == "help") {
    print_help();
    return kExitOk;
  }
  if (name == "--version" || name == "-V") {
    std::printf("rnnlab %s\n", kVersion);
    return kExitOk;
  }
  for (const Command& c : kCommands)
    if (name == c.name) {
      const Args rest(argv.begin() + 1, argv.end());
      try {
        return c.run(rest);
      } catch (const UsageError& e) {
        // Points at the command's own help, which lists exactly what it accepts.
        return fail(kExitUsage, e.what(), std::string(" (see rnnlab ") + c.name + " --help)");
      }
    }
  if (!name.empty() && name[0] == '-') throw UsageError("unknown option '" + name + "'");
  throw UsageError("unknown command '" + name + "'");
}

}  // namespace
}  // namespace rnnlab::cli

int main(int argc, char** argv) {
  using namespace rnnlab::cli;
  // A closed pipe (rnnlab sample ... | head) becomes a write error the commands handle, not a kill signal.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return run(Args(argv + 1, argv + argc));
  } catch (const UsageError& e) {
    return fail(kExitUsage, e.what(), " (see rnnlab --help)");
  } catch (const FileError& e) {
    return fail(kExitFile, e.what());
  } catch (const rnnlab::FormatError& e) {
    return fail(kExitFile, e.what());
  } catch (const rnnlab::ConfigError& e) {
    // Command-line values are checked where they are parsed, so what reaches here is about a file's content.
    return fail(kExitFile, e.what());
  } catch (const std::bad_alloc&) {
    return fail(kExitFile, "out of memory: the text or model is too large for this machine (try a smaller model, "
                           "batch, or a part of the text)");
  } catch (const std::exception& e) {
    return fail(kExitFile, std::string("unexpected error: ") + e.what());
  } catch (...) {
    return fail(kExitFile, "unexpected error");
  }
}
