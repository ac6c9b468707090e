// rnnlab train: set up a session (new, or resumed from a model file), run the loop, save atomically.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "cli_error.hpp"
#include "commands.hpp"
#include "describe.hpp"
#include "files.hpp"
#include "interrupt.hpp"
#include "model_io.hpp"
#include "progress.hpp"
#include "rnnlab/errors.hpp"
#include "thread_pool.hpp"
#include "train_loop.hpp"
#include "train_options.hpp"

namespace rnnlab::cli {
namespace {

// The text's problems (empty, one distinct character, too short for batch x unroll, not the model's text) are
// the file's, not the command line's: exit 1, with the file named.
template <typename F>
void with_text_errors(const std::string& text_path, F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    throw FileError((text_path == "-" ? std::string("standard input") : quoted(text_path)) + ": " + e.what());
  }
}

std::unique_ptr<Session> new_session(const TrainRequest& r) {
  const std::string text = read_file(r.text_path);
  if (text.empty())   // said here, in the CLI's words: the engine's message speaks of pasting text
    throw FileError((r.text_path == "-" ? std::string("standard input") : quoted(r.text_path)) +
                    " is empty: there is nothing to train on");
  std::unique_ptr<Session> s;
  with_text_errors(r.text_path, [&] { s = std::make_unique<Session>(text, r.config); });
  return s;
}

std::unique_ptr<Session> resumed_session(const TrainRequest& r) {
  LoadedModel m = load_model(r.resume_path);
  const std::string text = read_file(r.text_path);
  with_text_errors(r.text_path, [&] { m.session->attach_text(text); });
  check_vocab_coverage(*m.session, r.text_path, r.allow_outside_vocab);
  if (r.lr) m.session->set_learning_rate(*r.lr);   // in range: checked when parsed
  return std::move(m.session);
}

void print_opening(const Session& s, const TrainRequest& r) {
  const TextStats& t = s.text_stats();
  const Config& c = s.config();
  const std::string name = r.text_path == "-" ? "standard input" : r.text_path;
  std::printf("text     %s: %s characters, %d symbols (training %s, validation %s)\n", name.c_str(),
              with_commas(t.chars).c_str(), t.vocab_size, with_commas(t.train_chars).c_str(),
              with_commas(t.val_chars).c_str());
  std::printf("model    %s; %s parameters\n", describe_model(c.model).c_str(),
              with_commas(s.parameter_count()).c_str());
  std::printf("training %s; batch %d x unroll %d = %s characters a step\n", describe_optimizer(c.optim).c_str(),
              c.train.batch, c.train.unroll,
              with_commas(static_cast<uint64_t>(c.train.batch) * static_cast<uint64_t>(c.train.unroll)).c_str());
  const int shards = s.shard_plan().count, busy = std::min(r.threads, shards);
  const std::string idle =
      busy < r.threads ? " (" + std::to_string(r.threads) + " asked; more than the shards would only wait)" : "";
  std::printf("threads  %d computing %d shard%s a step%s\n", busy, shards, shards == 1 ? "" : "s", idle.c_str());
  std::string stop;
  if (r.loop.steps) stop = with_commas(r.loop.steps) + " steps";
  if (r.loop.minutes > 0)
    stop += (stop.empty() ? "" : " or ") + format_number(r.loop.minutes) + (r.loop.minutes == 1 ? " minute" : " minutes");
  if (!r.resume_path.empty())
    std::printf("resuming %s at step %s (epoch %.2f); running %s\n", r.resume_path.c_str(),
                with_commas(s.step()).c_str(), s.epoch(), stop.c_str());
  else
    std::printf("running  %s, saving to %s (Ctrl-C stops and saves)\n", stop.c_str(), r.out_path.c_str());
  if (t.collapsed_distinct > 0)
    std::printf("note     %d rare characters (%s occurrences) share the unknown symbol (--vocab-max keeps more)\n",
                t.collapsed_distinct, with_commas(t.collapsed_occurrences).c_str());
  std::fflush(stdout);
  if (t.invalid_replaced > 0)
    std::fprintf(stderr, "rnnlab: warning: %s invalid UTF-8 sequences in %s were replaced by U+FFFD (is it UTF-8?)\n",
                 with_commas(t.invalid_replaced).c_str(), name.c_str());
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// What happened, what was kept, what to try: the one line a diverged run ends with.
std::string divergence_message(const Divergence& d, const Session& s, const TrainRequest& r) {
  std::string what = "training diverged at step " + with_commas(d.at_step) + ": " + std::to_string(kBadStreak) +
                     " steps in a row ";
  if (d.non_finite) what += "had a loss or gradient that was not finite";
  else
    what += "had a training loss far above a uniform guess's (last " + fixed(d.loss_bpc, 1) + " bits/char; limit " +
            fixed(d.limit_bpc, 2) + ")";
  std::string kept;
  if (d.restored_step >= 0)
    kept = "; saved " + r.out_path + " with the last good weights, from step " + with_commas(static_cast<uint64_t>(d.restored_step));
  else if (!r.resume_path.empty())
    kept = "; no step of this run was good, so " + r.out_path + " was left as it was";
  else
    kept = "; no step was good, so nothing was saved";
  return what + kept + "; " + divergence_advice(s.config()) +
         (r.resume_path.empty() ? "" : " and continue with --resume") +
         ", or add --on-diverge rewind to go back and halve the rate automatically";
}

}  // namespace

int cmd_train(const Args& args) {
  const ParsedArgs a = parse_args(train_spec(), args);
  if (a.help) {
    std::fputs(render_help(train_spec()).c_str(), stdout);
    return kExitOk;
  }
  const TrainRequest r = parse_train_request(a);
  if (same_file(r.out_path, r.text_path))
    throw UsageError("-o " + r.out_path + " is the text file itself: saving the model would overwrite the text");
  check_writable(r.out_path);

  std::unique_ptr<Session> session = r.resume_path.empty() ? new_session(r) : resumed_session(r);
  print_opening(*session, r);

  install_interrupt_handler();
  // No more threads than shards: the extra ones would only wait.
  ThreadPool pool(std::min(r.threads, session->shard_plan().count));
  TrainRequest req = r;
  req.loop.runner = &pool;
  LoopResult result;
  {
    Progress progress(::isatty(STDOUT_FILENO) == 1, r.print_every);
    result = run_training(*session, req.loop, progress);
  }
  // Whatever stopped the loop, the weights are sound (rejected steps never touch them, and a divergence went back
  // to the last good state): keep the work. Only a run that diverged before any good step has nothing to keep.
  const bool keep = result.reason != StopReason::diverged || result.divergence.restored_step >= 0;
  if (keep) save_model(*session, r.out_path);

  if (keep) {
    const std::string val = result.val_bpc >= 0 ? ", validation " + format_number(result.val_bpc) + " bits/char" : "";
    std::printf("saved    %s at step %s%s (%s steps in %s)\n", r.out_path.c_str(), with_commas(session->step()).c_str(),
                val.c_str(), with_commas(result.steps_run).c_str(), format_duration(result.seconds).c_str());
  }
  std::fflush(stdout);
  // A signal that came during the final save still means "interrupted" to whoever sent it.
  if (result.reason == StopReason::finished && interrupt_requested()) result.reason = StopReason::interrupted;
  switch (result.reason) {
    case StopReason::finished:
      return kExitOk;
    case StopReason::interrupted:
      std::fprintf(stderr, "rnnlab: interrupted by %s; continue with: rnnlab train %s --resume %s\n",
                   interrupt_signal_name(), r.text_path.c_str(), r.out_path.c_str());
      exit_as_interrupted();
    case StopReason::diverged:
      throw FileError(divergence_message(result.divergence, *session, r));
  }
  return kExitOk;
}

}  // namespace rnnlab::cli
