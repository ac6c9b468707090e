// A small declarative command-line parser: each subcommand lists its options once, and the same list
// drives parsing, the "unknown option" suggestions and the --help text, so help never drifts from behaviour.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rnnlab::cli {

struct OptionSpec {
  std::string name;    // "--hidden" or "-o"; empty: a section heading in --help (help holds its title)
  std::string value;   // what the value looks like in --help ("N", "rnn|lstm|gru"); empty: a flag without value
  std::string def;     // default shown in --help; empty: none shown
  std::string help;
};

struct CommandSpec {
  std::string name;                      // "train"
  std::string usage;                     // "rnnlab train TEXT_FILE -o MODEL_FILE [options]"
  std::string summary;                   // one paragraph, may hold newlines
  std::vector<std::string> positionals;  // required positional arguments, in order ("TEXT_FILE")
  std::vector<OptionSpec> options;
  std::vector<std::string> examples;
};

struct ParsedArgs {
  bool help = false;                                        // --help / -h was given: print help, do nothing else
  std::vector<std::string> positionals;
  std::vector<std::pair<std::string, std::string>> given;   // (option, value) in command-line order

  bool has(const std::string& option) const;
  // The last value given for the option (later ones override earlier ones), or `fallback`.
  std::string value(const std::string& option, const std::string& fallback = "") const;
};

// Throws UsageError for an unknown option, a missing value, or a wrong number of positional arguments.
ParsedArgs parse_args(const CommandSpec& spec, const std::vector<std::string>& args);

std::string render_help(const CommandSpec& spec);

// Strict number parsing for option values: the whole text must be a number within [lo, hi]; else UsageError
// naming the option, e.g. "--length expects a whole number from 0 to 1000000, got 'abc'".
int64_t parse_int_option(const std::string& option, const std::string& text, int64_t lo, int64_t hi);
double parse_double_option(const std::string& option, const std::string& text, double lo, double hi);

}  // namespace rnnlab::cli
