// No acknowledged booking is lost on a crash: a child process books in a loop and reports every
// booking the service acknowledged (book() returned) through a pipe; the parent kills it with
// SIGKILL at a random moment, many times over, and after every kill checks the file: SQLite's
// integrity check passes, every acknowledged booking is there as acknowledged, and the audit
// chain is intact (a transaction cut off half-way left no trace).
#include <SQLiteCpp/SQLiteCpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "slotbook/booking_service.hpp"
#include "slotbook/sqlite_store.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::booking_service;
using slotbook::instant;

using slotbook::testing::temp_dir;
namespace {

const instant now_instant = slotbook::parse_instant("2026-01-12T08:00:00Z");
constexpr int providers = 8;

// Open around the clock for a year ahead, so random hours rarely collide.
slotbook::provider_profile provider(std::uint64_t id) {
  slotbook::provider_profile p;
  p.id = slotbook::provider_id{id};
  p.name = "provider " + std::to_string(id);
  p.hours.zone = "UTC";
  for (unsigned d = 0; d < 7; ++d) p.hours.windows.push_back({date::weekday{d}, 0h, 24h});
  p.rules.minimum_notice = 0min;
  p.rules.maximum_advance = date::days{365};
  p.price = id % 2 == 0 ? slotbook::money::kes(0) : slotbook::money::kes(150000);
  return p;
}

// The child: books random hours until it is killed, writing "<session id> <reference>\n" after
// each booking the service acknowledged. Never returns.
[[noreturn]] void book_until_killed(const std::string& path, int out, unsigned seed) {
  try {
    slotbook::sqlite_store db{path, {.busy_timeout = 10s}};
    slotbook::settable_clock clock{now_instant};
    booking_service service{db, clock};
    std::mt19937 random{seed};
    std::uniform_int_distribution<int> pick_provider(1, providers);
    std::uniform_int_distribution<int> pick_hour(24, 24 * 360);
    for (std::uint64_t client = std::uint64_t(seed) * 100000 + 1;; ++client) {
      slotbook::booking_request r;
      r.provider = slotbook::provider_id{std::uint64_t(pick_provider(random))};
      r.client = slotbook::client_id{client};
      r.scheduled_at = now_instant + 16h + pick_hour(random) * 1h;  // on the hour
      try {
        const auto b = service.book(actor::client(r.client), r);
        const std::string line = std::to_string(b.session.value) + " " + b.booking_reference + "\n";
        // One write per line: a pipe write under PIPE_BUF is all or nothing, even under SIGKILL.
        if (::write(out, line.data(), line.size()) < 0) ::_exit(3);
      } catch (const slotbook::error& e) {
        if (e.code() != slotbook::errc::conflict) {
          std::fprintf(stderr, "child: %s\n", e.what());
          ::_exit(4);
        }
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "child: %s\n", e.what());
    ::_exit(2);
  } catch (...) {
    ::_exit(2);
  }
}

std::string read_all(int fd) {
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

}  // namespace

TEST_CASE("every acknowledged booking survives SIGKILL at random moments", "[crash][sqlite]") {
  const temp_dir dir;
  const std::string db_path = dir.file("crash.db");
  slotbook::settable_clock clock{now_instant};
  {
    slotbook::sqlite_store db{db_path};
    booking_service service{db, clock};
    for (int p = 1; p <= providers; ++p) {
      service.put_provider(actor::admin(slotbook::admin_id{1}), provider(std::uint64_t(p)));
    }
  }  // closed before forking

  const unsigned seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 random{seed};
  std::uniform_int_distribution<int> delay_ms(5, 250);
  constexpr int rounds = 30;
  std::vector<std::pair<std::uint64_t, std::string>> acknowledged;
  int killed_while_running = 0;

  for (int round = 0; round < rounds; ++round) {
    INFO("round " << round);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      book_until_killed(db_path, fds[1], seed + unsigned(round) + 1);
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    REQUIRE(::kill(pid, SIGKILL) == 0);
    const std::string lines = read_all(fds[0]);
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    // Killed, not exited on its own (an exit code would mean the child failed).
    INFO("exit status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1));
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    ++killed_while_running;

    std::istringstream in{lines};
    std::uint64_t id = 0;
    std::string reference;
    while (in >> id >> reference) acknowledged.emplace_back(id, reference);

    // The file as the next process finds it.
    {
      SQLite::Database raw{db_path, SQLite::OPEN_READWRITE};
      SQLite::Statement check{raw, "PRAGMA integrity_check"};
      REQUIRE(check.executeStep());
      CHECK(check.getColumn(0).getString() == "ok");
      SQLite::Statement find{raw, "SELECT booking_reference FROM sessions WHERE id = ?"};
      for (const auto& [session, ref] : acknowledged) {
        find.reset();
        find.bind(1, std::int64_t(session));
        INFO("session " << session << " " << ref);
        REQUIRE(find.executeStep());
        CHECK(find.getColumn(0).getString() == ref);
      }
    }
    {
      slotbook::sqlite_store db{db_path};
      CHECK(db.integrity_check() == "ok");
      booking_service service{db, clock};
      const auto v = service.verify_audit();
      INFO(v.message);
      CHECK(v.ok());
    }
  }
  CHECK(killed_while_running == rounds);
  // The loop did book: otherwise nothing was tested.
  CHECK(acknowledged.size() > std::size_t(rounds));
}
