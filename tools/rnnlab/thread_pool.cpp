#include "thread_pool.hpp"

#include <algorithm>

namespace rnnlab::cli {

int default_thread_count() { return std::max(1u, std::thread::hardware_concurrency()); }

ThreadPool::ThreadPool(int threads) {
  for (int lane = 1; lane < threads; ++lane) workers_.emplace_back([this, lane] { work(lane); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::drain(int lane) {
  for (;;) {
    int item;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (next_item_ >= items_ || error_) return;
      item = next_item_++;
    }
    try {
      (*body_)(item, lane);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }
}

void ThreadPool::work(int lane) {
  unsigned seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      ++busy_;
    }
    drain(lane);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --busy_;
    }
    done_.notify_one();
  }
}

void ThreadPool::run(int n, const std::function<void(int item, int lane)>& body) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    body_ = &body;
    items_ = n;
    next_item_ = 0;
    error_ = nullptr;
    ++generation_;
  }
  wake_.notify_all();
  drain(0);
  std::exception_ptr error;
  {
    // Every item has been taken; wait until the workers that took one have finished it. A worker that wakes only
    // now finds no item left and leaves at once, so nothing can still be using body once this returns.
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return busy_ == 0; });
    body_ = nullptr;
    error = error_;
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace rnnlab::cli
