// Stopping training from outside: Ctrl-C (SIGINT), `kill` or `timeout` (SIGTERM) and a closed terminal (SIGHUP)
// all ask the loop to stop after the current step and save; a second signal exits at once (safe, because models
// are written atomically: the previous save stays intact).
#pragma once

namespace rnnlab::cli {

void install_interrupt_handler();
bool interrupt_requested();
// The signal that asked to stop (SIGINT, SIGTERM or SIGHUP), 0 if none did.
int interrupt_signal();
// "Ctrl-C (SIGINT)", "SIGTERM", "SIGHUP (the terminal closed)": for the message after the save.
const char* interrupt_signal_name();

// After the interrupted work is saved: die of the same signal, as the shell and supervisors expect (exit status
// 128 + signal), so `for ...; do rnnlab ...; done` stops too instead of running the next iteration.
[[noreturn]] void exit_as_interrupted();

}  // namespace rnnlab::cli
