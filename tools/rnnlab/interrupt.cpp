#include "interrupt.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace rnnlab::cli {
namespace {

volatile std::sig_atomic_t g_requested = 0;

extern "C" void on_sigint(int) {
  if (g_requested) {
    static const char msg[] = "\nrnnlab: interrupted again: exiting without saving\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);   // only async-signal-safe calls in here
    ::_exit(130);
  }
  g_requested = 1;
}

}  // namespace

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;   // a step in progress finishes; blocking writes are not cut short
  sigaction(SIGINT, &sa, nullptr);
}

bool interrupt_requested() { return g_requested != 0; }

void exit_as_interrupted() {
  std::fflush(nullptr);
  std::signal(SIGINT, SIG_DFL);
  std::raise(SIGINT);
  std::_Exit(130);   // only reached if SIGINT is blocked
}

}  // namespace rnnlab::cli
