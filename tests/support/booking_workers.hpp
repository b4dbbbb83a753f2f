#pragma once
// The workload of the concurrent-booking tests (integration/concurrency_test.cpp for SQLite and
// memory_store, integration/postgres_concurrency_test.cpp for PostgreSQL): providers that work
// around the clock, workers booking random overlapping intervals, and the line protocol worker
// processes report their outcomes through a pipe with.
//
// The contention is deliberate: every provider works around the clock in UTC with 60-minute
// sessions that may start every 15 minutes, and all workers pick from the same 96 quarter-hour
// starts of one day and twelve clients, so most attempts collide with something.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "slotbook/booking_service.hpp"
#include "slotbook/clock.hpp"
#include "support/checks.hpp"

namespace slotbook::testing::workers {

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::booking_service;
using slotbook::instant;

inline const instant now_instant = at("2026-01-12T08:00:00Z");
inline const instant first_start = at("2026-01-13T00:00:00Z");
constexpr int providers = 4;  // ids 1..4; provider 1 charges (its bookings are holds)
constexpr int clients = 12;   // ids 1..12
constexpr int starts = 96;    // quarter-hours of one day

inline slotbook::provider_profile around_the_clock(std::uint64_t id) {
  slotbook::provider_profile p;
  p.id = slotbook::provider_id{id};
  p.name = "provider " + std::to_string(id);
  p.hours.zone = "UTC";
  for (unsigned d = 0; d < 7; ++d) p.hours.windows.push_back({date::weekday{d}, 0h, 24h});
  p.rules.step = 15min;
  p.rules.minimum_notice = 0min;
  p.price = id == 1 ? slotbook::money::kes(150000) : slotbook::money::kes(0);
  return p;
}

inline void set_up_providers(slotbook::store& db, slotbook::clock& clock) {
  booking_service service{db, clock};
  for (int p = 1; p <= providers; ++p) {
    service.put_provider(actor::admin(slotbook::admin_id{1}), around_the_clock(std::uint64_t(p)));
  }
}

// One booking a worker was told succeeded.
struct ack {
  std::uint64_t session = 0;
  std::string reference;
  std::uint64_t provider = 0;
  std::uint64_t client = 0;
  std::int64_t start = 0;  // unix seconds
};

// What a worker saw, as one line: "A <session> <reference> <provider> <client> <start>" for a
// booking, "R <errc>" for a refusal. Short enough for one atomic pipe write.
inline std::string line_of(const ack& a) {
  return "A " + std::to_string(a.session) + " " + a.reference + " " + std::to_string(a.provider) +
         " " + std::to_string(a.client) + " " + std::to_string(a.start) + "\n";
}

// `attempts` random bookings through `service`; every outcome goes to `report`.
inline void book_randomly(booking_service& service, unsigned seed, int attempts,
                          const std::function<void(const std::string&)>& report) {
  std::mt19937 random{seed};
  std::uniform_int_distribution<int> provider(1, providers);
  std::uniform_int_distribution<int> client(1, clients);
  std::uniform_int_distribution<int> start(0, starts - 1);
  for (int i = 0; i < attempts; ++i) {
    slotbook::booking_request r;
    r.provider = slotbook::provider_id{std::uint64_t(provider(random))};
    r.client = slotbook::client_id{std::uint64_t(client(random))};
    r.scheduled_at = first_start + start(random) * 15min;
    try {
      const auto b = service.book(actor::client(r.client), r);
      report(line_of({b.session.value, b.booking_reference, r.provider.value, r.client.value,
                      r.scheduled_at.time_since_epoch().count()}));
    } catch (const slotbook::error& e) {
      report("R " + std::string(slotbook::to_string(e.code())) + "\n");
    }
  }
}

struct tally {
  std::vector<ack> acks;
  std::map<std::string, int> refusals;  // by errc
};

inline void read_lines(std::istream& in, tally& t) {
  std::string kind;
  while (in >> kind) {
    if (kind == "A") {
      ack a;
      in >> a.session >> a.reference >> a.provider >> a.client >> a.start;
      t.acks.push_back(a);
    } else {
      std::string code;
      in >> code;
      ++t.refusals[code];
    }
  }
}

inline std::string read_all(int fd) {
  std::string out;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, std::size_t(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  return out;
}

// How many of each: forked processes, threads in each (and in the parent), bookings per thread.
struct workload {
  int children = 3;
  int threads_per_process = 2;
  int attempts = 40;
  unsigned base_seed = 0;

  int total() const { return (children + 1) * threads_per_process * attempts; }
};

// Runs `w`: `w.children` forked processes, each opening its own store with `open_store()` (a
// `std::unique_ptr` to a store) and booking from `w.threads_per_process` threads, report their
// outcomes through a pipe, while the parent books from as many threads through `parent`.
// Returns every outcome; checks that every child exited cleanly. The caller must not hold an
// open connection when calling (a child would inherit it).
template <class OpenStore>
tally run_workload(const workload& w, OpenStore&& open_store, booking_service& parent) {
  std::vector<std::pair<pid_t, int>> workers;  // pid, read end of its pipe
  for (int c = 0; c < w.children; ++c) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      int status = 0;
      try {
        const auto db = open_store();
        slotbook::settable_clock child_clock{now_instant};
        booking_service service{*db, child_clock};
        std::vector<std::thread> threads;
        for (int t = 0; t < w.threads_per_process; ++t) {
          threads.emplace_back([&, t] {
            book_randomly(service, w.base_seed + unsigned(c * 100 + t), w.attempts,
                          [&](const std::string& line) {
                            // One write per line: atomic for lines under PIPE_BUF.
                            if (::write(fds[1], line.data(), line.size()) < 0) status = 3;
                          });
          });
        }
        for (std::thread& t : threads) t.join();
      } catch (...) {
        status = 2;
      }
      ::close(fds[1]);
      ::_exit(status);  // never back into Catch: this is the parent's test
    }
    ::close(fds[1]);
    workers.emplace_back(pid, fds[0]);
  }

  std::mutex parent_mutex;
  std::string parent_lines;
  std::vector<std::thread> threads;
  for (int t = 0; t < w.threads_per_process; ++t) {
    threads.emplace_back([&, t] {
      book_randomly(parent, w.base_seed + 1000 + unsigned(t), w.attempts,
                    [&](const std::string& line) {
                      const std::lock_guard lock(parent_mutex);
                      parent_lines += line;
                    });
    });
  }
  tally all;
  for (auto& [pid, fd] : workers) {
    std::istringstream in{read_all(fd)};
    ::close(fd);
    read_lines(in, all);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  for (std::thread& t : threads) t.join();
  std::istringstream in{parent_lines};
  read_lines(in, all);
  return all;
}

// Every attempt was either acknowledged or refused because the time was taken (provider or
// client), and the workers did contend. Storage errors (timeouts, serialization failures) would
// mean writers did not take turns.
inline void require_only_conflicts(const tally& all, const workload& w) {
  std::size_t refused = 0;
  for (const auto& [code, n] : all.refusals) {
    INFO(code);
    CHECK(code == "conflict");
    refused += std::size_t(n);
  }
  CHECK(all.acks.size() + refused == std::size_t(w.total()));
  CHECK(all.acks.size() > 0);
  CHECK(refused > 0);  // otherwise the test did not contend
}

}  // namespace slotbook::testing::workers
