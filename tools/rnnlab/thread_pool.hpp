// A small persistent pool of worker threads that runs a training step's shards (rnnlab/shards.hpp): the threads
// start once and wait between steps, so a step costs two wake-ups, not thread creations. Which thread computes
// which shard varies from step to step; the result does not (each shard is computed the same way anywhere, and the
// shards are summed in a fixed order afterwards), so --threads changes speed, never the losses.
#pragma once
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "rnnlab/session.hpp"

namespace rnnlab::cli {

class ThreadPool final : public ShardRunner {
 public:
  // threads >= 1; the calling thread is one of them (threads - 1 are started).
  explicit ThreadPool(int threads);
  ~ThreadPool() override;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int lanes() const override { return static_cast<int>(workers_.size()) + 1; }
  // Items are handed out one at a time from a shared counter, so a thread that finishes early takes the next.
  // An exception thrown by body is rethrown here after every thread has stopped working on this run.
  void run(int n, const std::function<void(int item, int lane)>& body) override;

 private:
  void work(int lane);           // the loop of worker thread `lane` (1-based; the caller is lane 0)
  void drain(int lane);          // takes items until none are left

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int, int)>* body_ = nullptr;
  int items_ = 0, next_item_ = 0, busy_ = 0;
  unsigned generation_ = 0;      // bumped per run, so a worker runs each run once
  bool stopping_ = false;
  std::exception_ptr error_;
};

// The default for --threads: every core the system reports (1 if it reports none).
int default_thread_count();

}  // namespace rnnlab::cli
