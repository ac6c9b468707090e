#include "args.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "cli_error.hpp"

namespace rnnlab::cli {
namespace {

const OptionSpec* find_option(const CommandSpec& spec, const std::string& name) {
  for (const OptionSpec& o : spec.options)
    if (!o.name.empty() && o.name == name) return &o;
  return nullptr;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// Typos are the usual cause of an unknown option, so name the closest real one.
std::string suggestion(const CommandSpec& spec, const std::string& name) {
  const OptionSpec* best = nullptr;
  size_t best_d = 3;   // farther than 2 edits is a different word, not a typo
  for (const OptionSpec& o : spec.options) {
    if (o.name.size() < 3) continue;
    const size_t d = edit_distance(name, o.name);
    if (d < best_d) best_d = d, best = &o;
  }
  return best ? " (did you mean " + best->name + "?)" : "";
}

std::string expected_positionals(const CommandSpec& spec) {
  std::string s;
  for (const std::string& p : spec.positionals) s += (s.empty() ? "" : " ") + p;
  return s;
}

constexpr size_t kHelpColumns = 100;

// Word-wraps text that starts at column `indent`, continuation lines indented to match.
std::string wrap(const std::string& text, size_t indent, size_t columns) {
  const size_t room = columns > indent + 20 ? columns - indent : 20;
  std::string out, line;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.size() + 1 + word.size() > room) {
      out += line + "\n" + std::string(indent, ' ');
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  return out + line;
}

// Looks like an option rather than a value: "--x" (but not "-1", "-", or "--" alone).
bool looks_like_option(const std::string& s) { return s.size() > 2 && s[0] == '-' && s[1] == '-'; }

}  // namespace

bool ParsedArgs::has(const std::string& option) const {
  for (const auto& g : given)
    if (g.first == option) return true;
  return false;
}

std::string ParsedArgs::value(const std::string& option, const std::string& fallback) const {
  for (auto it = given.rbegin(); it != given.rend(); ++it)
    if (it->first == option) return it->second;
  return fallback;
}

ParsedArgs parse_args(const CommandSpec& spec, const std::vector<std::string>& args) {
  ParsedArgs out;
  // The whole line is read before any error is raised, so "--help" anywhere wins over a typo elsewhere.
  std::optional<std::string> first_error;
  auto fail = [&](const std::string& msg) {
    if (!first_error) first_error = msg;
  };
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (options_done || a.empty() || a[0] != '-' || a == "-") {
      out.positionals.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      out.help = true;
      continue;
    }
    std::string name = a, inline_value;
    bool has_inline = false;
    const size_t eq = a.find('=');
    if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      inline_value = a.substr(eq + 1);
      has_inline = true;
    }
    const OptionSpec* o = find_option(spec, name);
    if (!o) {
      fail("unknown option '" + name + "' for rnnlab " + spec.name + suggestion(spec, name));
      continue;
    }
    if (o->value.empty()) {
      if (has_inline) fail(name + " does not take a value");
      out.given.emplace_back(name, "");
      continue;
    }
    if (has_inline) {
      out.given.emplace_back(name, inline_value);
    } else if (i + 1 < args.size() && !looks_like_option(args[i + 1])) {
      out.given.emplace_back(name, args[++i]);
    } else {
      fail(name + " needs a value (" + o->value + ")" +
           (i + 1 < args.size() ? "; for a value starting with --, write " + name + "=VALUE" : ""));
    }
  }
  if (out.help) return out;
  if (first_error) throw UsageError(*first_error);
  if (out.positionals.size() < spec.positionals.size())
    throw UsageError("missing " + spec.positionals[out.positionals.size()] + " (expected: rnnlab " + spec.name +
                     " " + expected_positionals(spec) + ")");
  if (out.positionals.size() > spec.positionals.size())
    throw UsageError("unexpected argument '" + out.positionals[spec.positionals.size()] + "' (expected: rnnlab " +
                     spec.name + " " + expected_positionals(spec) + ")");
  return out;
}

std::string render_help(const CommandSpec& spec) {
  std::string s = "Usage: " + spec.usage + "\n\n" + spec.summary + "\n";
  // Options are aligned in one column so the descriptions read as a table.
  size_t width = 0;
  for (const OptionSpec& o : spec.options)
    if (!o.name.empty()) width = std::max(width, o.name.size() + (o.value.empty() ? 0 : o.value.size() + 1));
  width = std::min<size_t>(width, 28);
  bool any_heading = false;
  for (const OptionSpec& o : spec.options) any_heading |= o.name.empty();
  if (!any_heading && !spec.options.empty()) s += "\nOptions:\n";
  for (const OptionSpec& o : spec.options) {
    if (o.name.empty()) {
      s += "\n" + o.help + ":\n";
      continue;
    }
    std::string left = o.name + (o.value.empty() ? "" : " " + o.value);
    std::string line = "  " + left;
    if (left.size() > width) line += "\n  " + std::string(width, ' ');
    else line += std::string(width - left.size(), ' ');
    std::string text = o.help;
    if (!o.def.empty()) text += " (default: " + o.def + ")";
    s += line + "  " + wrap(text, width + 4, kHelpColumns) + "\n";
  }
  s += "\n  -h, --help" + std::string(width > 10 ? width - 10 : 0, ' ') + "  show this help\n";
  if (!spec.examples.empty()) {
    s += "\nExample" + std::string(spec.examples.size() > 1 ? "s" : "") + ":\n";
    for (const std::string& e : spec.examples) s += "  " + e + "\n";
  }
  return s;
}

int64_t parse_int_option(const std::string& option, const std::string& text, int64_t lo, int64_t hi) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  const std::string range = "from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (text.empty() || *end != '\0' || errno == ERANGE)
    throw UsageError(option + " expects a whole number " + range + ", got '" + text + "'");
  if (v < lo || v > hi) throw UsageError(option + " must be " + range + " (got " + text + ")");
  return v;
}

double parse_double_option(const std::string& option, const std::string& text, double lo, double hi) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
    throw UsageError(option + " expects a number, got '" + text + "'");
  if (v < lo || v > hi) {
    char buf[96];
    std::snprintf(buf, sizeof buf, " must be between %g and %g (got ", lo, hi);
    throw UsageError(option + buf + text + ")");
  }
  return v;
}

}  // namespace rnnlab::cli
