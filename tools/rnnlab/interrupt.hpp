// Ctrl-C during training: the first SIGINT asks the loop to stop after the current step and save; a second one
// exits at once (safe, because models are written atomically: the previous save stays intact).
#pragma once

namespace rnnlab::cli {

void install_interrupt_handler();
bool interrupt_requested();

// After the interrupted work is saved: die of SIGINT, as the shell expects, so `for ...; do rnnlab ...; done`
// stops too instead of running the next iteration.
[[noreturn]] void exit_as_interrupted();

}  // namespace rnnlab::cli
