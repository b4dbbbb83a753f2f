// memory_store's locking model (the behaviour shared with sqlite_store is in
// tests/integration/store_conformance_test.cpp): readers share the store, a writer has it alone,
// and a transaction that cannot get the lock in time fails instead of hanging.

#include "slotbook/memory_store.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using slotbook::access;
using slotbook::errc;
using slotbook::memory_store;
using slotbook::transaction;

namespace {

// Lets a test hold a transaction on one thread while the main thread tries to open another.
class steps {
 public:
  void post(int step) {
    {
      const std::lock_guard lock(mutex_);
      reached_ = std::max(reached_, step);
    }
    changed_.notify_all();
  }
  void wait(int step) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return reached_ >= step; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int reached_ = 0;
};

memory_store impatient_store() {
  slotbook::memory_store_options options;
  options.lock_timeout = 50ms;
  return memory_store{options};
}

void expect_timeout(memory_store& store, slotbook::access mode) {
  try {
    transaction tx(store, mode);
    FAIL("the transaction began although another one holds the lock");
  } catch (const slotbook::error& e) {
    CHECK(e.code() == errc::storage);
    CHECK_THAT(e.what(), Catch::Contains("50 ms"));
  }
}

// Runs `mode` on another thread and keeps it open while `body` runs on this one.
template <class F>
void while_held(memory_store& store, slotbook::access mode, F&& body) {
  steps s;
  std::thread holder([&] {
    transaction tx(store, mode);
    s.post(1);
    s.wait(2);
    tx.commit();
  });
  s.wait(1);
  body();
  s.post(2);
  holder.join();
}

}  // namespace

TEST_CASE("read transactions on different threads hold the store at the same time") {
  memory_store store = impatient_store();
  while_held(store, access::read, [&] {
    transaction tx(store, access::read);
    CHECK(store.provider_ids().empty());
  });
}

TEST_CASE("a write transaction keeps readers and writers out until it ends") {
  memory_store store = impatient_store();
  while_held(store, access::write, [&] {
    expect_timeout(store, access::read);
    expect_timeout(store, access::write);
  });
  transaction tx(store, access::write);  // free again
}

TEST_CASE("a writer waits for readers to finish and gives up after lock_timeout") {
  memory_store store = impatient_store();
  while_held(store, access::read, [&] { expect_timeout(store, access::write); });
  transaction tx(store, access::write);
}

TEST_CASE("a writer that gave up does not keep readers out") {
  memory_store store = impatient_store();
  while_held(store, access::read, [&] {
    expect_timeout(store, access::write);
    transaction tx(store, access::read);  // would time out if the writer still counted as waiting
  });
}

TEST_CASE("a store is always reachable, even with no transaction open") {
  memory_store store;
  CHECK(store.reachable());
}
