#include "interrupt.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace rnnlab::cli {
namespace {

// The signal number that asked to stop; 0 until one does. Written only by the handler.
volatile std::sig_atomic_t g_signal = 0;

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void on_stop_signal(int sig) {
  if (g_signal) {
    static const char msg[] = "\nrnnlab: stopped again: exiting without saving\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);   // only async-signal-safe calls in here
    ::_exit(128 + sig);
  }
  g_signal = sig;
}

}  // namespace

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : kStopSignals) sigaddset(&sa.sa_mask, sig);   // one handler at a time: the first signal wins
  sa.sa_flags = SA_RESTART;   // a step in progress finishes; blocking writes are not cut short
  for (int sig : kStopSignals) {
    // `nohup rnnlab train ...` asks to outlive the terminal: its ignored SIGHUP stays ignored. (SIGINT is not
    // checked: a shell script's background jobs start with SIGINT ignored, and Ctrl-C should still save them.)
    struct sigaction old {};
    if (sig == SIGHUP && sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    sigaction(sig, &sa, nullptr);
  }
}

bool interrupt_requested() { return g_signal != 0; }

int interrupt_signal() { return g_signal; }

const char* interrupt_signal_name() {
  switch (g_signal) {
    case SIGINT: return "Ctrl-C (SIGINT)";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP (the terminal closed)";
  }
  return "a signal";
}

void exit_as_interrupted() {
  const int sig = g_signal ? static_cast<int>(g_signal) : SIGINT;
  std::fflush(nullptr);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
  std::_Exit(128 + sig);   // only reached if the signal is blocked
}

}  // namespace rnnlab::cli
