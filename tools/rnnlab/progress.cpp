#include "progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace rnnlab::cli {
namespace {

int terminal_columns() {
  struct winsize ws {};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string step_text(const ProgressSnapshot& s) {
  return "step " + std::to_string(s.step) + (s.target ? "/" + std::to_string(s.target) : "");
}

std::string bpc_text(double v) { return v < 0 ? "-" : fmt("%.3f", v); }

std::string rate_text(double chars_per_sec, bool compact) {
  if (!compact || chars_per_sec < 10000) return fmt("%.0f", chars_per_sec);
  if (chars_per_sec < 1e6) return fmt("%.1fk", chars_per_sec / 1e3);
  return fmt("%.2fM", chars_per_sec / 1e6);
}

}  // namespace

std::string format_duration(double seconds) {
  if (!(seconds >= 0)) return "-";
  const long long t = std::llround(std::min(seconds, 359999.0 * 24));
  char buf[32];
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", t / 3600, t / 60 % 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%lld:%02lld", t / 60, t % 60);
  return buf;
}

Progress::Progress(bool terminal, uint64_t print_every)
    : terminal_(terminal), print_every_(std::max<uint64_t>(print_every, 1)) {}

Progress::~Progress() {
  if (drawn_) {
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }
}

void Progress::clear_bar() {
  if (drawn_) {
    std::fputs("\r\033[K", stdout);
    drawn_ = false;
  }
}

void Progress::update(const ProgressSnapshot& s, bool force) {
  if (!terminal_) {
    if (s.step == last_printed_step_ || (!force && s.step % print_every_ != 0)) return;
    last_printed_step_ = s.step;
    std::printf("%s loss %s val %s bpc %s chars/s eta %s\n", step_text(s).c_str(), bpc_text(s.loss_bpc).c_str(),
                bpc_text(s.val_bpc).c_str(), rate_text(s.chars_per_sec, false).c_str(),
                format_duration(s.eta_sec).c_str());
    std::fflush(stdout);
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!force && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const std::string text = step_text(s) + " loss " + bpc_text(s.loss_bpc) + " val " + bpc_text(s.val_bpc) + " bpc " +
                           rate_text(s.chars_per_sec, true) + " chars/s eta " + format_duration(s.eta_sec);
  // The line must never wrap: a wrapped line cannot be redrawn with \r and would scroll the terminal.
  const int cols = terminal_columns() - 1;
  std::string out;
  // The numbers matter more than the bar: it is shown only where they leave room, at a width that does not
  // jitter as the numbers change length.
  const int bar_width = cols >= 110 ? 24 : 10;
  const bool show_bar = cols - static_cast<int>(text.size()) - 9 >= bar_width;   // 9: "[", "] ", " 42%", "  "
  if (show_bar && s.fraction >= 0) {
    const int filled = static_cast<int>(std::lround(std::clamp(s.fraction, 0.0, 1.0) * bar_width));
    out = "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(bar_width - filled), '.') +
          "] " + fmt("%3.0f%%", std::clamp(s.fraction, 0.0, 1.0) * 100) + "  ";
  }
  out += text;
  if (static_cast<int>(out.size()) > cols) out.resize(static_cast<size_t>(std::max(cols, 0)));
  std::fputs(("\r" + out + "\033[K").c_str(), stdout);
  std::fflush(stdout);
  drawn_ = true;
}

void Progress::line(const std::string& text) {
  clear_bar();
  std::fputs(text.c_str(), stdout);
  if (text.empty() || text.back() != '\n') std::fputc('\n', stdout);
  std::fflush(stdout);
}

void Progress::warn(const std::string& text) {
  clear_bar();
  std::fflush(stdout);
  std::fprintf(stderr, "rnnlab: warning: %s\n", text.c_str());
  std::fflush(stderr);
}

}  // namespace rnnlab::cli
