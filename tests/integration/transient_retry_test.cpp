// booking_service runs an operation again when the store reports a transient failure (a
// transaction rolled back to settle a race, such as PostgreSQL's serialization failure), up to
// service_options::transient_attempts times.
// The store here is a real memory_store behind a forwarding store whose write commits fail on
// request (postgres_store_test.cpp provokes the real SQLSTATE 40001 on a server).
#include <catch2/catch.hpp>

#include "integration/intake_fixture.hpp"
#include "support/checks.hpp"
#include "support/forwarding_store.hpp"

using namespace intake_test;
using slotbook::session_status;

namespace {

// Fails the write commits numbered in `failing` (1 = the first write commit from now on) with a
// transient error; the inner transaction is rolled back first, as a server would have done.
class flaky_store final : public slotbook::testing::forwarding_store {
 public:
  using forwarding_store::forwarding_store;

  std::vector<int> failing;  ///< which write commits fail
  int write_commits = 0;     ///< write commits attempted so far

 protected:
  void begin(slotbook::access mode) override {
    mode_ = mode;
    forwarding_store::begin(mode);
  }
  void commit() override {
    if (mode_ == slotbook::access::write) {
      ++write_commits;
      if (std::find(failing.begin(), failing.end(), write_commits) != failing.end()) {
        forwarding_store::rollback();
        throw slotbook::error(errc::storage,
                              "commit: serialization failure (SQLSTATE 40001), rolled back",
                              slotbook::error::recovery::retry);
      }
    }
    forwarding_store::commit();
  }

 private:
  slotbook::access mode_ = slotbook::access::read;
};

struct flaky_backend {
  slotbook::memory_store inner;
  flaky_store db{inner};
};

using flaky_world = world<flaky_backend>;

std::vector<slotbook::session> sessions_of(flaky_world& w, std::uint64_t provider) {
  slotbook::transaction tx(w.backend.inner, slotbook::access::read);
  return w.backend.inner.provider_sessions(
      provider_id{provider}, {at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z")});
}

}  // namespace

TEST_CASE("a booking whose commit fails transiently runs again and is booked once",
          "[service][retry]") {
  flaky_world w;
  const std::size_t entries = w.audit().size();
  w.backend.db.write_commits = 0;
  w.backend.db.failing = {1, 2};  // the first two attempts fail, the third (of 3) commits

  const session_id id = w.book(client7, 44, 7, wed10);

  CHECK(w.backend.db.write_commits == 3);
  const auto booked = sessions_of(w, 44);
  REQUIRE(booked.size() == 1);
  CHECK(booked[0].id == id);
  CHECK(booked[0].status == session_status::scheduled);
  // One audit entry for the booking: the failed attempts left nothing, refusals included.
  const auto log = w.audit();
  REQUIRE(log.size() == entries + 1);
  CHECK(log.back().action == "book");
  CHECK(w.service.verify_audit().ok());
}

TEST_CASE("an operation still failing after transient_attempts throws the transient error",
          "[service][retry]") {
  flaky_world w;
  const std::size_t entries = w.audit().size();
  w.backend.db.write_commits = 0;
  w.backend.db.failing = {1, 2, 3};

  slotbook::booking_request r;
  r.provider = provider_id{44};
  r.client = client_id{7};
  r.scheduled_at = wed10;
  try {
    w.service.book(client7, r);
    FAIL("the booking was made although every attempt failed");
  } catch (const slotbook::error& e) {
    CHECK(e.code() == errc::storage);
    CHECK(e.transient());
    CHECK_THAT(e.what(), Catch::Matchers::Contains("40001"));
  }
  CHECK(w.backend.db.write_commits == 3);
  CHECK(sessions_of(w, 44).empty());
  CHECK(w.audit().size() == entries);  // a storage failure is not a refusal to record
}

TEST_CASE("transient_attempts of 1 never runs an operation again", "[service][retry]") {
  flaky_world w{[](slotbook::service_options& o) { o.transient_attempts = 1; }};
  w.backend.db.write_commits = 0;
  w.backend.db.failing = {1};
  CHECK_THROWS_AS(w.book(client7, 44, 7, wed10), slotbook::error);
  CHECK(w.backend.db.write_commits == 1);
  CHECK(sessions_of(w, 44).empty());
  // The next call is a new operation with attempts of its own.
  CHECK(w.book(client7, 44, 7, wed10) != session_id{});
}

TEST_CASE("a key rotation runs a batch that failed transiently again and finishes",
          "[service][retry]") {
  flaky_world w;
  for (int i = 0; i < 4; ++i) w.complete_form(7, "form" + std::to_string(i));
  w.ring.add(2, slotbook::key_material::generate());
  w.backend.db.write_commits = 0;
  w.backend.db.failing = {2};  // the second batch's first commit; the first batch committed

  // Each batch is an attempt of its own: the first is not repeated, the second runs twice.
  CHECK(w.service.rotate_intake_keys(2) == slotbook::rotation_report{2, 2, 4});
  CHECK(w.backend.db.write_commits == 3);
  CHECK(w.audit("rotate_intake_keys").size() == 2);
  for (const slotbook::stored_intake& f : [&] {
         slotbook::transaction tx(w.backend.inner, slotbook::access::read);
         return w.backend.inner.client_intakes(client_id{7});
       }()) {
    CHECK(slotbook::key_version(f.form) == 2u);
  }
}

TEST_CASE("transient_attempts outside 1 to 100 is refused naming the option", "[service][retry]") {
  for (const std::size_t bad : {std::size_t{0}, std::size_t{101}}) {
    slotbook::service_options o;
    o.transient_attempts = bad;
    slotbook::testing::expect_error([&] { slotbook::validate(o); }, errc::invalid_argument,
                                    {"service_options.transient_attempts: " + std::to_string(bad)});
  }
}
