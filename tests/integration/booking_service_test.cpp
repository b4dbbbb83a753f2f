// The booking service's conformance suite: every operation's happy path and its refusals, run
// against both stores (each TEMPLATE_TEST_CASE runs once with memory_store, once with
// sqlite_store on a temporary file).
//
// The world every test starts from (see `world`):
// - now is Monday 2026-01-12T08:00:00Z (11:00 in Nairobi, UTC+3 all year);
// - providers work Monday to Friday 09:00-17:00 Nairobi time = 06:00-14:00Z, 60-minute slots on
//   the hour, at least 24 h and at most 30 days ahead (the default slot rules);
// - provider 42 (Dr. Wanjiru) charges KES 1,500.00; provider 43 (Dr. Otieno) is free; provider 44
//   (Dr. Kamau) is free and offers a 60-minute session every 30 minutes;
// - the two providers were created by admin 1: audit entries 1 to 3.
// Wednesday 2026-01-14T07:00:00Z (10:00 in Nairobi) is 47 h ahead: bookable for everyone.
#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "slotbook/booking_service.hpp"
#include "slotbook/memory_store.hpp"
#include "slotbook/sqlite_store.hpp"
#include "support/checks.hpp"
#include "support/forwarding_store.hpp"

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using slotbook::actor;
using slotbook::audit_entry;
using slotbook::audit_problem;
using slotbook::booking_request;
using slotbook::booking_service;
using slotbook::change_event;
using slotbook::change_kind;
using slotbook::client_id;
using slotbook::errc;
using slotbook::instant;
using slotbook::interval;
using slotbook::money;
using slotbook::payment_status;
using slotbook::provider_id;
using slotbook::provider_profile;
using slotbook::queued_reminder;
using slotbook::refund_state;
using slotbook::reminder_channel;
using slotbook::reminder_state;
using slotbook::service_options;
using slotbook::session;
using slotbook::session_id;
using slotbook::session_status;
using slotbook::store;
using slotbook::transaction;

namespace {

instant at(std::string_view text) { return slotbook::parse_instant(text); }

const actor admin = actor::admin(slotbook::admin_id{1});
const actor client7 = actor::client(client_id{7});
const actor client8 = actor::client(client_id{8});
const actor provider42 = actor::provider(provider_id{42});
const actor provider43 = actor::provider(provider_id{43});
const actor system_actor = actor::system();

const instant start_of_world = at("2026-01-12T08:00:00Z");
const instant wed10 = at("2026-01-14T07:00:00Z");  // Wednesday 10:00 in Nairobi
const money fee = money::kes(150000);              // KES 1,500.00

// --- backends --------------------------------------------------------------------------------

std::string temp_db_path() {
  static std::atomic<int> counter{0};
  return (std::filesystem::temp_directory_path() /
          ("slotbook-service-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
           ".db"))
      .string();
}

// Deletes the database file and its WAL companions when the test ends (declared before the store
// that uses it, so it goes after it).
struct temp_file {
  std::string path = temp_db_path();
  temp_file() = default;
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  ~temp_file() {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::remove(path + suffix, ignored);
    }
  }
};

// Reads and alters a store's audit log the way an attacker with access to its memory would: a
// store that forwards everything to the real memory_store, except that `audit_entries` passes
// through `tamper`. The service verifying through it sees the altered log.
class tampered_store final : public slotbook::testing::forwarding_store {
 public:
  tampered_store(store& inner, std::function<void(std::vector<audit_entry>&)> tamper)
      : forwarding_store(inner), tamper_(std::move(tamper)) {}

  std::vector<audit_entry> audit_entries(std::int64_t after, std::size_t limit) override {
    // Tamper with the whole log, then page through the result as the store would.
    std::vector<audit_entry> all = inner().audit_entries(0, 1'000'000);
    tamper_(all);
    std::vector<audit_entry> out;
    bool past = false;
    for (const audit_entry& e : all) {
      past = past || e.sequence > after;
      if (past && out.size() < limit) out.push_back(e);
    }
    return out;
  }
  bool reachable() noexcept override { return !unreachable && forwarding_store::reachable(); }

  bool unreachable = false;  ///< pretend the storage stopped answering

 private:
  std::function<void(std::vector<audit_entry>&)> tamper_;
};

// The three attacks, on a log given as the vector of its entries.
void edit_entry(std::vector<audit_entry>& log, std::int64_t sequence) {
  for (audit_entry& e : log) {
    if (e.sequence == sequence) e.detail += " (edited)";
  }
}
void delete_entry(std::vector<audit_entry>& log, std::int64_t sequence) {
  std::erase_if(log, [&](const audit_entry& e) { return e.sequence == sequence; });
}
// Entries `sequence` and `sequence + 1` trade places; the sequence column stays in order.
void swap_entries(std::vector<audit_entry>& log, std::int64_t sequence) {
  const auto i = static_cast<std::size_t>(sequence - 1);
  std::swap(log[i], log[i + 1]);
  std::swap(log[i].sequence, log[i + 1].sequence);
}

struct memory_backend {
  slotbook::memory_store db;

  // Verifies the log as altered by `attack` through a second service over a tampered view.
  slotbook::audit_verification verify_tampered(
      std::function<void(std::vector<audit_entry>&, std::int64_t)> attack, std::int64_t sequence,
      slotbook::clock& clock) {
    tampered_store view{db, [&](std::vector<audit_entry>& log) { attack(log, sequence); }};
    booking_service auditor{view, clock};
    return auditor.verify_audit();
  }
};

struct sqlite_backend {
  temp_file file;
  slotbook::sqlite_store db{file.path};

  // The same attacks, done to the file with SQL by someone who owns it: they drop the triggers
  // that make the table append-only first.
  slotbook::audit_verification verify_tampered(
      std::function<void(std::vector<audit_entry>&, std::int64_t)> attack, std::int64_t sequence,
      slotbook::clock& clock) {
    SQLite::Database raw{file.path, SQLite::OPEN_READWRITE};
    raw.exec(
        "DROP TRIGGER IF EXISTS audit_log_no_update; "
        "DROP TRIGGER IF EXISTS audit_log_no_delete;");
    std::vector<audit_entry> probe(static_cast<std::size_t>(sequence) + 1);
    for (std::size_t i = 0; i < probe.size(); ++i) probe[i].sequence = std::int64_t(i) + 1;
    const std::string s = std::to_string(sequence);
    const std::string next = std::to_string(sequence + 1);
    // Tell which attack this is from what it does to a probe log.
    std::vector<audit_entry> edited = probe;
    attack(edited, sequence);
    if (edited.size() < probe.size()) {
      raw.exec("DELETE FROM audit_log WHERE sequence = " + s);
    } else if (edited[std::size_t(sequence - 1)].detail !=
               probe[std::size_t(sequence - 1)].detail) {
      raw.exec("UPDATE audit_log SET detail = detail || ' (edited)' WHERE sequence = " + s);
    } else {
      raw.exec("UPDATE audit_log SET sequence = -1 WHERE sequence = " + s + "; " +
               "UPDATE audit_log SET sequence = " + s + " WHERE sequence = " + next + "; " +
               "UPDATE audit_log SET sequence = " + next + " WHERE sequence = -1;");
    }
    booking_service auditor{db, clock};
    return auditor.verify_audit();
  }
};

// --- host doubles ----------------------------------------------------------------------------

// Records every refund request and, while the gateway is being called, what the store holds
// (read in a transaction of its own: it would fail if the service still held one).
struct recording_gateway final : slotbook::payment_gateway {
  store* db = nullptr;
  std::vector<slotbook::refund_request> requests;
  std::vector<std::optional<session_status>> status_seen;
  std::function<slotbook::refund_result(const slotbook::refund_request&)> answer;

  slotbook::refund_result refund(const slotbook::refund_request& r) override {
    requests.push_back(r);
    if (db != nullptr) {
      transaction tx(*db, slotbook::access::read);
      const auto s = db->find_session(r.session);
      status_seen.push_back(s ? std::optional{s->status} : std::nullopt);
    }
    if (answer) return answer(r);
    return slotbook::refund_result::ok("RF-" + std::to_string(requests.size()));
  }
};

struct recording_notifier final : slotbook::notifier {
  std::vector<slotbook::reminder_message> sent;
  std::function<slotbook::delivery(const slotbook::reminder_message&)> answer;

  slotbook::delivery send(const slotbook::reminder_message& m) override {
    sent.push_back(m);
    return answer ? answer(m) : slotbook::delivery::ok();
  }
};

// --- the world -------------------------------------------------------------------------------

slotbook::schedule weekday_hours() {
  slotbook::schedule s;
  s.zone = "Africa/Nairobi";
  for (unsigned d = 1; d <= 5; ++d) s.windows.push_back({date::weekday{d}, 9h, 17h});
  return s;
}

provider_profile make_provider(std::uint64_t id, std::string name, money price) {
  provider_profile p;
  p.id = provider_id{id};
  p.name = std::move(name);
  p.hours = weekday_hours();
  p.price = price;
  return p;
}

template <class Backend>
struct world {
  Backend backend;
  slotbook::settable_clock clock{start_of_world};
  recording_gateway gateway;
  recording_notifier notifier;
  booking_service service;

  explicit world(const std::function<void(service_options&)>& tweak = {},
                 const std::function<void(provider_profile&)>& tweak_42 = {})
      : service(backend.db, clock, options(tweak)) {
    gateway.db = &backend.db;
    provider_profile p42 = make_provider(42, "Dr. Wanjiru", fee);
    if (tweak_42) tweak_42(p42);
    service.put_provider(admin, p42);
    service.put_provider(admin, make_provider(43, "Dr. Otieno", money::kes(0)));
    provider_profile p44 = make_provider(44, "Dr. Kamau", money::kes(0));
    p44.rules.step = 30min;
    service.put_provider(admin, p44);
  }

  service_options options(const std::function<void(service_options&)>& tweak) {
    service_options o;
    o.payments = &gateway;
    o.notifications = &notifier;
    if (tweak) tweak(o);
    return o;
  }

  slotbook::booking_confirmation book(const actor& who, std::uint64_t provider,
                                      std::uint64_t client, instant start) {
    booking_request r;
    r.provider = provider_id{provider};
    r.client = client_id{client};
    r.scheduled_at = start;
    return service.book(who, r);
  }

  session stored(session_id id) {
    transaction tx(backend.db, slotbook::access::read);
    auto s = backend.db.find_session(id);
    REQUIRE(s);
    return *s;
  }

  std::vector<queued_reminder> reminders_of(session_id id) {
    transaction tx(backend.db, slotbook::access::read);
    return backend.db.session_reminders(id);
  }

  std::vector<audit_entry> audit() {
    transaction tx(backend.db, slotbook::access::read);
    return backend.db.audit_entries(0, 1'000'000);
  }
};

// provider_profile's defaulted == is deleted (schedule and slot_rules have none), so compare the
// fields a refused operation could have touched.
bool same_profile(const provider_profile& a, const provider_profile& b) {
  const auto rules = [](const slotbook::slot_rules& r) {
    return std::tuple{r.duration,     r.step,           r.buffer_before,
                      r.buffer_after, r.minimum_notice, r.maximum_advance,
                      r.max_per_day,  r.alignment};
  };
  return a.id == b.id && a.name == b.name && a.price == b.price && a.active == b.active &&
         a.hours.zone == b.hours.zone && a.hours.windows.size() == b.hours.windows.size() &&
         a.hours.exceptions.size() == b.hours.exceptions.size() && rules(a.rules) == rules(b.rules);
}

// Everything the store holds, to compare before and after a refused operation.
struct snapshot {
  std::vector<session> sessions;
  std::vector<queued_reminder> reminders;
  std::vector<audit_entry> audit;
  std::vector<provider_profile> providers;
};

snapshot take(store& db) {
  snapshot s;
  transaction tx(db, slotbook::access::read);
  for (const provider_id p : db.provider_ids()) {
    s.providers.push_back(*db.find_provider(p));
    for (session& x :
         db.provider_sessions(p, {at("2000-01-01T00:00:00Z"), at("2100-01-01T00:00:00Z")})) {
      for (const queued_reminder& r : db.session_reminders(x.id)) s.reminders.push_back(r);
      s.sessions.push_back(std::move(x));
    }
  }
  s.audit = db.audit_entries(0, 1'000'000);
  return s;
}

// The store after a refusal equals the store before, plus one audit entry recording it.
template <class W>
void require_only_the_refusal_was_recorded(W& w, const snapshot& before, std::string_view action) {
  snapshot after = take(w.backend.db);
  REQUIRE(after.audit.size() == before.audit.size() + 1);
  const audit_entry denial = after.audit.back();
  after.audit.pop_back();
  CHECK(after.sessions == before.sessions);
  CHECK(after.reminders == before.reminders);
  CHECK(after.audit == before.audit);
  REQUIRE(after.providers.size() == before.providers.size());
  for (std::size_t i = 0; i < after.providers.size(); ++i) {
    CHECK(same_profile(after.providers[i], before.providers[i]));
  }
  CHECK(denial.action == action);
  CHECK(w.service.verify_audit().ok());
}

template <class F>
slotbook::error caught(F&& f) {
  try {
    f();
  } catch (const slotbook::error& e) {
    return e;
  }
  FAIL("expected a slotbook::error");
  throw std::logic_error("unreachable");
}

}  // namespace

#define BACKENDS memory_backend, sqlite_backend

// =============================================================================================
// book
// =============================================================================================

TEMPLATE_TEST_CASE("booking a paying provider's free slot holds it as pending_payment",
                   "[service][book]", BACKENDS) {
  world<TestType> w;
  const auto b = w.book(client7, 42, 7, wed10);
  CHECK(b.booking_reference == "BK-2026-000001");  // first reference of the booking year
  CHECK(b.scheduled_at == wed10);
  CHECK(b.payment_required);
  CHECK(b.amount == fee);
  CHECK(b.status == session_status::pending_payment);

  const session s = w.stored(b.session);
  CHECK(s.client == client_id{7});
  CHECK(s.provider == provider_id{42});
  CHECK(s.duration == 60min);
  CHECK(s.payment == payment_status::pending);
  CHECK(s.created_at == start_of_world);
  CHECK(s.booking_reference == b.booking_reference);
  CHECK(w.reminders_of(b.session).empty());  // an unpaid hold gets reminders once paid

  const auto log = w.audit();
  REQUIRE(log.size() == 4);
  CHECK(log[3].action == "book");
  CHECK(log[3].session == b.session);
  CHECK(log[3].who_role == slotbook::role::client);
  CHECK(log[3].who_id == 7);
  CHECK_FALSE(log[3].before);
  CHECK(log[3].after == session_status::pending_payment);
}

TEMPLATE_TEST_CASE("booking a free provider schedules the session and queues its reminders",
                   "[service][book]", BACKENDS) {
  world<TestType> w;
  const auto b = w.book(client7, 43, 7, wed10);
  CHECK_FALSE(b.payment_required);
  CHECK(b.status == session_status::scheduled);
  CHECK(b.amount == money::kes(0));
  // 24 h, 2 h and 15 min before 2026-01-14T07:00Z, by email (the default preference).
  const auto r = w.reminders_of(b.session);
  REQUIRE(r.size() == 3);
  CHECK(r[0].what.due == at("2026-01-13T07:00:00Z"));
  CHECK(r[1].what.due == at("2026-01-14T05:00:00Z"));
  CHECK(r[2].what.due == at("2026-01-14T06:45:00Z"));
  for (const auto& q : r) {
    CHECK(q.what.channel == reminder_channel::email);
    CHECK(q.client == client_id{7});
    CHECK(q.state == reminder_state::pending);
  }
}

TEMPLATE_TEST_CASE("reminder preferences from the host choose channels and offsets",
                   "[service][book]", BACKENDS) {
  world<TestType> w{[](service_options& o) {
    o.preferences = [](client_id) {
      slotbook::reminder_preferences p;
      p.sms = true;
      p.offsets = std::vector<std::chrono::minutes>{24h};
      return p;
    };
  }};
  const auto b = w.book(client7, 43, 7, wed10);
  const auto r = w.reminders_of(b.session);
  REQUIRE(r.size() == 2);  // 24 h only, email then SMS
  CHECK(r[0].what.channel == reminder_channel::email);
  CHECK(r[1].what.channel == reminder_channel::sms);
  CHECK(r[0].what.due == at("2026-01-13T07:00:00Z"));
}

TEMPLATE_TEST_CASE("booking references count up within the booking year", "[service][book]",
                   BACKENDS) {
  world<TestType> w;
  CHECK(w.book(client7, 42, 7, wed10).booking_reference == "BK-2026-000001");
  CHECK(w.book(client8, 42, 8, wed10 + 1h).booking_reference == "BK-2026-000002");
  // A refused booking does not use a number up.
  CHECK_THROWS(w.book(client8, 42, 8, wed10 + 1h));
  CHECK(w.book(client8, 43, 8, wed10 + 2h).booking_reference == "BK-2026-000003");
}

TEMPLATE_TEST_CASE("a time the provider has booked is a conflict naming the reason",
                   "[service][book]", BACKENDS) {
  world<TestType> w;
  w.book(client7, 42, 7, wed10);
  const snapshot before = take(w.backend.db);
  const auto e = caught([&] { w.book(client8, 42, 8, wed10); });
  CHECK(e.code() == errc::conflict);
  CHECK_THAT(e.what(), Contains("booked"));
  require_only_the_refusal_was_recorded(w, before, "refused");
}

TEMPLATE_TEST_CASE("a client cannot hold two overlapping sessions with different providers",
                   "[service][book]", BACKENDS) {
  world<TestType> w;
  w.book(client7, 42, 7, wed10);
  const snapshot before = take(w.backend.db);
  const auto e = caught([&] { w.book(client7, 43, 7, wed10); });
  CHECK(e.code() == errc::conflict);
  CHECK_THAT(e.what(), Contains("client_busy"));
  require_only_the_refusal_was_recorded(w, before, "refused");
}

TEMPLATE_TEST_CASE("back-to-back sessions of one client do not conflict", "[service][book]",
                   BACKENDS) {
  world<TestType> w;
  w.book(client7, 42, 7, wed10);
  CHECK(w.book(client7, 43, 7, wed10 + 1h).status == session_status::scheduled);
}

TEMPLATE_TEST_CASE("the slot rules refuse with the error class of their reason", "[service][book]",
                   BACKENDS) {
  world<TestType> w{{}, [](provider_profile& p) {
                      p.hours.exceptions.push_back(slotbook::date_exception::closed(
                          date::year{2026} / 1 / 15, "conference"));
                    }};
  struct refusal {
    instant start;
    errc code;
    const char* reason;
  };
  const refusal cases[] = {
      // 23 h ahead: under the 24 h minimum notice.
      {at("2026-01-13T07:00:00Z"), errc::policy_denied, "too_soon"},
      // 30 days 23 h ahead: past the 30-day horizon (Thursday 10:00 in Nairobi).
      {at("2026-02-12T07:00:00Z"), errc::policy_denied, "too_far"},
      // 06:00 in Nairobi, before the 09:00 opening.
      {at("2026-01-14T03:00:00Z"), errc::outside_availability, "outside_hours"},
      // Saturday.
      {at("2026-01-17T07:00:00Z"), errc::outside_availability, "outside_hours"},
      // Thursday the 15th is closed by an exception.
      {at("2026-01-15T07:00:00Z"), errc::outside_availability, "exception"},
      // 10:30 is inside the hours but the grid offers 10:00 and 11:00.
      {at("2026-01-14T07:30:00Z"), errc::outside_availability, "not_on_grid"},
  };
  for (const refusal& c : cases) {
    INFO(slotbook::format_instant(c.start));
    const snapshot before = take(w.backend.db);
    const auto e = caught([&] { w.book(client7, 42, 7, c.start); });
    CHECK(e.code() == c.code);
    CHECK_THAT(e.what(), Contains(c.reason));
    require_only_the_refusal_was_recorded(w, before, "refused");
  }
}

TEMPLATE_TEST_CASE("a full day and a buffer refuse as policy and conflict", "[service][book]",
                   BACKENDS) {
  SECTION("max_per_day") {
    world<TestType> w{{}, [](provider_profile& p) { p.rules.max_per_day = 1; }};
    w.book(client7, 42, 7, wed10);
    // 12:00 in Nairobi the same Wednesday: free, but the day already has its one booking.
    const auto e = caught([&] { w.book(client8, 42, 8, at("2026-01-14T09:00:00Z")); });
    CHECK(e.code() == errc::policy_denied);
    CHECK_THAT(e.what(), Contains("day_full"));
    // Thursday is another local day.
    CHECK_NOTHROW(w.book(client8, 42, 8, at("2026-01-15T09:00:00Z")));
  }
  SECTION("buffer") {
    world<TestType> w{{}, [](provider_profile& p) { p.rules.buffer_before = 15min; }};
    w.book(client7, 42, 7, wed10);
    // 08:00Z needs 07:45-08:00 free as well, and the 07:00Z session runs to 08:00Z.
    const auto e = caught([&] { w.book(client8, 42, 8, wed10 + 1h); });
    CHECK(e.code() == errc::conflict);
    CHECK_THAT(e.what(), Contains("buffer"));
  }
}

TEMPLATE_TEST_CASE("an expired hold does not block its slot", "[service][book]", BACKENDS) {
  world<TestType> w;
  w.book(client7, 42, 7, wed10);
  w.clock.advance(14min);
  CHECK(caught([&] { w.book(client8, 42, 8, wed10); }).code() == errc::conflict);
  w.clock.advance(1min);  // created_at + 15 min: the hold has run out
  CHECK(w.book(client8, 42, 8, wed10).status == session_status::pending_payment);
}

TEMPLATE_TEST_CASE("an inactive provider cannot be booked", "[service][book]", BACKENDS) {
  world<TestType> w{{}, [](provider_profile& p) { p.active = false; }};
  const snapshot before = take(w.backend.db);
  const auto e = caught([&] { w.book(client7, 42, 7, wed10); });
  CHECK(e.code() == errc::outside_availability);
  CHECK_THAT(e.what(), Contains("not active"));
  require_only_the_refusal_was_recorded(w, before, "refused");
}

TEMPLATE_TEST_CASE("an unknown provider is not_found and leaves the store unchanged",
                   "[service][book][bad-input]", BACKENDS) {
  world<TestType> w;
  w.book(client7, 42, 7, wed10);
  const snapshot before = take(w.backend.db);
  const auto e = caught([&] { w.book(client8, 99, 8, wed10); });
  CHECK(e.code() == errc::not_found);
  CHECK_THAT(e.what(), Contains("provider") && Contains("99"));
  require_only_the_refusal_was_recorded(w, before, "refused");
}

TEMPLATE_TEST_CASE("a negative or wrong duration is invalid_argument and changes nothing",
                   "[service][book][bad-input]", BACKENDS) {
  world<TestType> w;
  const snapshot before = take(w.backend.db);
  booking_request r;
  r.provider = provider_id{42};
  r.client = client_id{7};
  r.scheduled_at = wed10;
  r.duration = -30min;
  auto e = caught([&] { w.service.book(client7, r); });
  CHECK(e.code() == errc::invalid_argument);
  CHECK_THAT(e.what(), Contains("duration") && Contains("-30"));
  require_only_the_refusal_was_recorded(w, before, "refused");

  r.duration = 30min;  // positive, but not the provider's 60-minute session
  e = caught([&] { w.service.book(client7, r); });
  CHECK(e.code() == errc::invalid_argument);
  CHECK_THAT(e.what(), Contains("wrong_duration"));
}

TEMPLATE_TEST_CASE("a malformed or out-of-range time is invalid_argument naming the field",
                   "[service][book][bad-input]", BACKENDS) {
  world<TestType> w;
  // The host parses the request's text with parse_instant: the error names its field.
  const auto parse = caught([] { slotbook::parse_instant("2026-13-01T10:00:00Z", "scheduledAt"); });
  CHECK(parse.code() == errc::invalid_argument);
  CHECK_THAT(parse.what(), Contains("scheduledAt") && Contains("2026-13-01T10:00:00Z"));

  const snapshot before = take(w.backend.db);
  const auto e = caught([&] { w.book(client7, 42, 7, at("3001-01-14T07:00:00Z")); });
  CHECK(e.code() == errc::invalid_argument);
  CHECK_THAT(e.what(), Contains("scheduled_at"));
  require_only_the_refusal_was_recorded(w, before, "refused");
}

TEMPLATE_TEST_CASE("text longer than the limit is invalid_argument", "[service][book][bad-input]",
                   BACKENDS) {
  world<TestType> w;
  booking_request r;
  r.provider = provider_id{42};
  r.client = client_id{7};
  r.scheduled_at = wed10;
  r.notes = std::string(slotbook::max_text_bytes + 1, 'x');
  const auto e = caught([&] { w.service.book(client7, r); });
  CHECK(e.code() == errc::invalid_argument);
  CHECK_THAT(e.what(), Contains("notes"));
}

TEMPLATE_TEST_CASE("a client booking for another client is forbidden and audited as denied",
                   "[service][book][access]", BACKENDS) {
  world<TestType> w;
  const snapshot before = take(w.backend.db);
  const auto e = caught([&] { w.book(client8, 42, 7, wed10); });
  CHECK(e.code() == errc::forbidden);
  require_only_the_refusal_was_recorded(w, before, "denied");
  const audit_entry denial = w.audit().back();
  CHECK(denial.who_role == slotbook::role::client);
  CHECK(denial.who_id == 8);
  CHECK_THAT(denial.detail, Contains("book") && Contains("forbidden"));
}

TEMPLATE_TEST_CASE("a provider books only into their own calendar; admin and system anywhere",
                   "[service][book][access]", BACKENDS) {
  world<TestType> w;
  CHECK(w.book(provider42, 42, 7, wed10).status == session_status::pending_payment);
  CHECK(caught([&] { w.book(provider43, 42, 8, wed10 + 1h); }).code() == errc::forbidden);
  CHECK(w.book(admin, 42, 8, wed10 + 1h).status == session_status::pending_payment);
  CHECK(w.book(system_actor, 43, 9, wed10).status == session_status::scheduled);
}

TEMPLATE_TEST_CASE("a client blocked by no-shows may not book", "[service][book]", BACKENDS) {
  world<TestType> w{[](service_options& o) { o.lifecycle.no_show.block_after = 1; }};
  const auto b = w.book(client7, 43, 7, wed10);
  w.clock.set(wed10 + 10min);
  w.service.update_status(provider43, b.session, {session_status::no_show});
  const snapshot before = take(w.backend.db);
  const auto e = caught([&] { w.book(client7, 43, 7, at("2026-01-16T07:00:00Z")); });
  CHECK(e.code() == errc::policy_denied);
  CHECK_THAT(e.what(), Contains("blocked"));
  require_only_the_refusal_was_recorded(w, before, "refused");
  CHECK_NOTHROW(w.book(client8, 43, 8, at("2026-01-16T07:00:00Z")));
}

// =============================================================================================
// confirm_payment
// =============================================================================================

TEMPLATE_TEST_CASE("a payment within the hold schedules the session and queues its reminders",
                   "[service][payment]", BACKENDS) {
  world<TestType> w;
  const auto b = w.book(client7, 42, 7, wed10);
  w.clock.advance(5min);
  const auto p = w.service.confirm_payment(system_actor, b.session, "mpesa", "QK7H2XYZ");
  CHECK(p.outcome == slotbook::payment_outcome::scheduled);
  CHECK(p.refund.state == refund_state::none);
  const session s = w.stored(b.session);
  CHECK(s == p.updated);
  CHECK(s.status == session_status::scheduled);
  CHECK(s.payment == payment_status::paid);
  CHECK(s.payment_method == "mpesa");
  CHECK(s.transaction_id == "QK7H2XYZ");
  CHECK(w.reminders_of(b.session).size() == 3);
  CHECK(w.audit().back().action == "confirm_payment");
}

TEMPLATE_TEST_CASE("the same payment notification twice is confirmed once", "[service][payment]",
                   BACKENDS) {
  world<TestType> w;
  const auto b = w.book(client7, 42, 7, wed10);
  w.service.confirm_payment(system_actor, b.session, "mpesa", "QK7H2XYZ");
  const auto again = w.service.confirm_payment(system_actor, b.session, "mpesa", "QK7H2XYZ");
  CHECK(again.outcome == slotbook::payment_outcome::already_confirmed);
  CHECK(w.reminders_of(b.session).size() == 3);  // not queued twice
  // A different transaction for a scheduled session is a stale request.
  CHECK(caught([&] {
          w.service.confirm_payment(system_actor, b.session, "mpesa", "OTHER");
        }).code() == errc::conflict);
}

TEMPLATE_TEST_CASE("a payment after the hold expired is refunded in full", "[service][payment]",
                   BACKENDS) {
  world<TestType> w;
  const auto b = w.book(client7, 42, 7, wed10);
  w.clock.advance(20min);
  const auto p = w.service.confirm_payment(system_actor, b.session, "mpesa", "QK7H2XYZ");
  CHECK(p.outcome == slotbook::payment_outcome::refunded_late);
  CHECK(p.refund.state == refund_state::refunded);
  CHECK(p.refund.amount == fee);
  const session s = w.stored(b.session);
  CHECK(s.status == session_status::cancelled);
  CHECK(s.cancellation_reason == "hold_expired");
  CHECK(s.payment == payment_status::refunded);
  CHECK(s.refunded_minor == 150000);
  REQUIRE(w.gateway.requests.size() == 1);
  CHECK(w.gateway.requests[0].transaction_id == "QK7H2XYZ");
  CHECK(w.gateway.requests[0].amount == fee);
  CHECK(w.gateway.requests[0].idempotency_key == "BK-2026-000001/refund/150000");

  // The same late payment for a hold expire_holds already closed.
  const auto b2 = w.book(client8, 42, 8, wed10 + 1h);
  w.clock.advance(20min);
  CHECK(w.service.expire_holds() == 1);
  const auto p2 = w.service.confirm_payment(system_actor, b2.session, "card", "CH-1");
  CHECK(p2.outcome == slotbook::payment_outcome::refunded_late);
  CHECK(w.gateway.requests.size() == 2);
}

TEMPLATE_TEST_CASE("only admins and the system confirm payments", "[service][payment][access]",
                   BACKENDS) {
  world<TestType> w;
  const auto b = w.book(client7, 42, 7, wed10);
  const snapshot before = take(w.backend.db);
  CHECK(caught([&] { w.service.confirm_payment(client7, b.session, "mpesa", "X"); }).code() ==
        errc::forbidden);
  require_only_the_refusal_was_recorded(w, before, "denied");
  CHECK(caught([&] { w.service.confirm_payment(admin, b.session, "mpesa", ""); }).code() ==
        errc::invalid_argument);
  CHECK(caught([&] { w.service.confirm_payment(admin, session_id{999}, "mpesa", "X"); }).code() ==
        errc::not_found);
}

// =============================================================================================
// update_status
// =============================================================================================

TEMPLATE_TEST_CASE("confirm, start and complete record when each happened", "[service][status]",
                   BACKENDS) {
  world<TestType> w;
  const auto b = w.book(client7, 43, 7, wed10);
  w.service.update_status(client7, b.session, {session_status::confirmed});
  CHECK(w.reminders_of(b.session).size() == 3);  // confirming keeps the reminders

  w.clock.set(wed10 - 10min);  // within the 15 minutes a session may start early
  const auto started =
      w.service.update_status(provider43, b.session, {session_status::in_progress});
  CHECK(started.updated.joined_at == wed10 - 10min);
  // The 24 h and 2 h reminders are past due but unsent; starting drops every pending one.
  CHECK(w.reminders_of(b.session).empty());

  w.clock.set(wed10 + 40min);
  slotbook::status_change done{session_status::completed};
  done.notes = "went well";
  const auto completed = w.service.update_status(provider43, b.session, done);
  const session s = w.stored(b.session);
  CHECK(s == completed.updated);
  CHECK(s.status == session_status::completed);
  CHECK(s.ended_at == wed10 + 40min);
  CHECK(s.actual_duration == 50min);
  CHECK(s.notes == "went well");
}

TEMPLATE_TEST_CASE("a stale expected status is a conflict and changes nothing",
                   "[service][status][bad-input]", BACKENDS) {
  world<TestType> w;
  const auto b = w.book(client7, 43, 7, wed10);
  w.service.update_status(client7, b.session, {session_status::confirmed});
  const snapshot before = take(w.backend.db);
  slotbook::status_change c{session_status::cancelled};
  c.expected = session_status::scheduled;  // the caller has not seen the confirmation
  const auto e = caught([&] { w.service.update_status(client7, b.session, c); });
  CHECK(e.code() == errc::conflict);
  CHECK_THAT(e.what(), Contains("confirmed") && Contains("scheduled"));
  require_only_the_refusal_was_recorded(w, before, "refused");

  // A move the state machine has no edge for from the current status is a conflict too.
  const snapshot before2 = take(w.backend.db);
  CHECK(caught([&] {
          w.service.update_status(provider43, b.session, {session_status::completed});
        }).code() == errc::conflict);
  require_only_the_refusal_was_recorded(w, before2, "refused");
}

TEMPLATE_TEST_CASE("the lifecycle's role table and timing are enforced", "[service][status]",
                   BACKENDS) {
  world<TestType> w;
  const auto b = w.book(client7, 43, 7, wed10);
  w.clock.set(wed10);
  // A client may not start a session: forbidden, and audited as denied.
  const snapshot before = take(w.backend.db);
  CHECK(caught([&] {
          w.service.update_status(client7, b.session, {session_status::in_progress});
        }).code() == errc::forbidden);
  require_only_the_refusal_was_recorded(w, before, "denied");
  // A no-show only strictly after the start.
  CHECK(caught([&] {
          w.service.update_status(provider43, b.session, {session_status::no_show});
        }).code() == errc::policy_denied);
  w.clock.set(wed10 - 20min);
  CHECK(caught([&] {
          w.service.update_status(provider43, b.session, {session_status::in_progress});
        }).code() == errc::policy_denied);  // 20 min early: more than the 15 allowed
}

TEMPLATE_TEST_CASE("a no-show with a 50 percent fee refunds half of the payment",
                   "[service][status][refund]", BACKENDS) {
  world<TestType> w{[](service_options& o) { o.lifecycle.no_show.fee = slotbook::percent(50); }};
  const auto b = w.book(client7, 42, 7, wed10);
  w.service.confirm_payment(system_actor, b.session, "mpesa", "QK7H2XYZ");
  w.clock.set(wed10 + 10min);
  const auto r = w.service.update_status(provider42, b.session, {session_status::no_show});
  CHECK(r.updated.status == session_status::no_show);
  CHECK(r.refund.state == refund_state::refunded);
  CHECK(r.refund.amount == money::kes(75000));
  REQUIRE(w.gateway.requests.size() == 1);
  CHECK(w.gateway.requests[0].amount == money::kes(75000));
  CHECK(w.gateway.requests[0].idempotency_key == "BK-2026-000001/refund/75000");
  CHECK(w.stored(b.session).refunded_minor == 75000);
}

TEMPLATE_TEST_CASE("a party to another session can neither see nor change it", "[service][access]",
                   BACKENDS) {
  world<TestType> w;
  const auto b = w.book(client7, 42, 7, wed10);
  const snapshot before = take(w.backend.db);
  CHECK(caught([&] { w.service.get_session(client8, b.session); }).code() == errc::forbidden);
  require_only_the_refusal_was_recorded(w, before, "denied");
  CHECK(caught([&] { w.service.cancel(client8, b.session); }).code() == errc::forbidden);
  CHECK(caught([&] { w.service.cancel(provider43, b.session); }).code() == errc::forbidden);
  CHECK(caught([&] { w.service.find_by_reference(provider43, b.booking_reference); }).code() ==
        errc::forbidden);
  CHECK(w.service.get_session(client7, b.session).id == b.session);
  CHECK(w.service.get_session(provider42, b.session).id == b.session);
  CHECK(w.service.find_by_reference(admin, b.booking_reference).id == b.session);
  CHECK(caught([&] { w.service.find_by_reference(admin, "BK-26-1"); }).code() ==
        errc::invalid_argument);
}

// =============================================================================================
// cancel
// =============================================================================================

TEMPLATE_TEST_CASE("a client cancelling a paid session in time is refunded after the commit",
                   "[service][cancel][refund]", BACKENDS) {
  world<TestType> w;
  const auto b = w.book(client7, 42, 7, wed10);
  w.service.confirm_payment(system_actor, b.session, "mpesa", "QK7H2XYZ");
  std::vector<change_event> events;
  auto sub = w.service.subscribe([&](const change_event& e) { events.push_back(e); });

  const auto c = w.service.cancel(client7, b.session, "feeling better");
  CHECK(c.decision.allowed);
  CHECK(c.decision.reason == slotbook::cancellation_reason::notice_tier);
  CHECK(c.refund.state == refund_state::refunded);
  CHECK(c.refund.gateway_reference == "RF-1");
  CHECK(c.refund.amount == fee);
  // The gateway was called once, and by then the store already held the cancellation.
  REQUIRE(w.gateway.status_seen.size() == 1);
  CHECK(w.gateway.status_seen[0] == session_status::cancelled);
  CHECK(w.gateway.requests[0].idempotency_key == "BK-2026-000001/refund/150000");

  const session s = w.stored(b.session);
  CHECK(s.status == session_status::cancelled);
  CHECK(s.cancellation_reason == "feeling better");
  CHECK(s.cancelled_by == slotbook::role::client);
  CHECK(s.payment == payment_status::refunded);
  CHECK(w.reminders_of(b.session).empty());

  const auto log = w.audit();
  CHECK(log[log.size() - 2].action == "cancel");
  CHECK(log.back().action == "refund");
  CHECK_THAT(log.back().detail, Contains("RF-1"));
  // The free-text reason may hold health information: it stays out of the audit log.
  for (const audit_entry& e : log) CHECK_THAT(e.detail, !Contains("feeling"));

  REQUIRE(events.size() == 2);
  CHECK(events[0].kind == change_kind::cancelled);
  CHECK(events[1].kind == change_kind::slot_freed);
  CHECK(events[1].time == interval{wed10, wed10 + 1h});
}

TEMPLATE_TEST_CASE("a late client cancellation is refused and changes nothing", "[service][cancel]",
                   BACKENDS) {
  world<TestType> w;
  const auto b = w.book(client7, 43, 7, wed10);
  w.clock.set(wed10 - 23h);  // the seed's policy wants more than 24 h notice
  const snapshot before = take(w.backend.db);
  const auto e = caught([&] { w.service.cancel(client7, b.session); });
  CHECK(e.code() == errc::policy_denied);
  CHECK_THAT(e.what(), Contains("refused_late"));
  require_only_the_refusal_was_recorded(w, before, "refused");
  // The provider may cancel at any time before the start.
  CHECK(w.service.cancel(provider43, b.session).decision.reason ==
        slotbook::cancellation_reason::by_provider);
  // Cancelling it again is a stale request.
  CHECK(caught([&] { w.service.cancel(provider43, b.session); }).code() == errc::conflict);
}

TEMPLATE_TEST_CASE("a failing gateway leaves the cancellation standing and is audited",
                   "[service][cancel][refund]", BACKENDS) {
  world<TestType> w;
  w.gateway.answer = [](const slotbook::refund_request&) -> slotbook::refund_result {
    throw std::runtime_error("gateway timeout");
  };
  const auto b = w.book(client7, 42, 7, wed10);
  w.service.confirm_payment(system_actor, b.session, "mpesa", "QK7H2XYZ");
  const auto c = w.service.cancel(client7, b.session);
  CHECK(c.refund.state == refund_state::failed);
  CHECK(c.refund.error == "gateway timeout");
  CHECK(w.stored(b.session).status == session_status::cancelled);
  CHECK(w.audit().back().action == "refund_failed");
  CHECK_THAT(w.audit().back().detail, Contains("gateway timeout"));
  CHECK(w.service.verify_audit().ok());
}

TEMPLATE_TEST_CASE("without a gateway a refund is recorded as not paid out",
                   "[service][cancel][refund]", BACKENDS) {
  world<TestType> w{[](service_options& o) { o.payments = nullptr; }};
  const auto b = w.book(client7, 42, 7, wed10);
  w.service.confirm_payment(admin, b.session, "card", "CH-9");
  const auto c = w.service.cancel(admin, b.session);
  CHECK(c.refund.state == refund_state::not_configured);
  CHECK(c.refund.amount == fee);
  CHECK(w.audit().back().action == "refund_pending");
}

TEMPLATE_TEST_CASE("releasing an unpaid hold refunds nothing", "[service][cancel]", BACKENDS) {
  world<TestType> w;
  const auto b = w.book(client7, 42, 7, wed10);
  const auto c = w.service.cancel(client7, b.session);
  CHECK(c.decision.reason == slotbook::cancellation_reason::releases_hold);
  CHECK(c.refund.state == refund_state::none);
  CHECK(w.gateway.requests.empty());
  // The slot is free again at once.
  CHECK(w.book(client8, 42, 8, wed10).status == session_status::pending_payment);
}

// =============================================================================================
// reschedule
// =============================================================================================

TEMPLATE_TEST_CASE("rescheduling links old and new sessions and replaces the reminders",
                   "[service][reschedule]", BACKENDS) {
  world<TestType> w;
  // Provider 44 offers a session every 30 minutes, so 07:30Z overlaps the session's own old time:
  // the old session must not count as busy.
  const auto b = w.book(client7, 44, 7, wed10);
  std::vector<change_event> events;
  auto sub = w.service.subscribe([&](const change_event& e) { events.push_back(e); });
  const auto r = w.service.reschedule(client7, b.session, wed10 + 30min);
  CHECK(r.decision.allowed);
  CHECK(r.replaced.id == b.session);
  CHECK(r.replaced.status == session_status::cancelled);
  CHECK(r.replaced.cancellation_reason == "rescheduled");
  CHECK(r.replaced.rescheduled_to == r.replacement.id);
  CHECK(r.replacement.rescheduled_from == b.session);
  CHECK(r.replacement.status == session_status::scheduled);
  CHECK(r.replacement.scheduled_at == wed10 + 30min);
  CHECK(r.replacement.reschedule_count == 1);
  CHECK(r.replacement.booking_reference == "BK-2026-000002");
  CHECK(w.stored(b.session) == r.replaced);
  CHECK(w.stored(r.replacement.id) == r.replacement);

  CHECK(w.reminders_of(b.session).empty());
  const auto q = w.reminders_of(r.replacement.id);
  REQUIRE(q.size() == 3);
  CHECK(q[0].what.due == at("2026-01-13T07:30:00Z"));
  CHECK(q[1].what.due == at("2026-01-14T05:30:00Z"));
  CHECK(q[2].what.due == at("2026-01-14T07:15:00Z"));

  REQUIRE(events.size() == 3);
  CHECK(events[0].kind == change_kind::rescheduled);
  CHECK(events[0].related == r.replacement.id);
  CHECK(events[1].kind == change_kind::slot_freed);
  CHECK(events[2].kind == change_kind::booked);
  CHECK(events[2].session == r.replacement.id);

  const auto log = w.audit();
  CHECK(log[log.size() - 2].action == "reschedule");
  CHECK(log.back().action == "book");
}

TEMPLATE_TEST_CASE("rescheduling onto a taken time is refused and changes nothing",
                   "[service][reschedule]", BACKENDS) {
  world<TestType> w;
  const auto a = w.book(client7, 43, 7, wed10);
  w.book(client8, 43, 8, wed10 + 1h);
  const snapshot before = take(w.backend.db);
  const auto e = caught([&] { w.service.reschedule(client7, a.session, wed10 + 1h); });
  CHECK(e.code() == errc::conflict);
  CHECK_THAT(e.what(), Contains("booked"));
  require_only_the_refusal_was_recorded(w, before, "refused");
}

TEMPLATE_TEST_CASE("the reschedule policy refuses short notice and too many moves",
                   "[service][reschedule]", BACKENDS) {
  world<TestType> w{[](service_options& o) { o.reschedule.max_reschedules = 1; }};
  const auto a = w.book(client7, 43, 7, wed10);
  const auto moved = w.service.reschedule(client7, a.session, wed10 + 2h);
  const auto e = caught([&] { w.service.reschedule(client7, moved.replacement.id, wed10 + 3h); });
  CHECK(e.code() == errc::policy_denied);
  CHECK_THAT(e.what(), Contains("refused_limit"));

  const auto b = w.book(client8, 43, 8, wed10);
  w.clock.set(wed10 - 23h);
  const auto late = caught([&] { w.service.reschedule(client8, b.session, wed10 + 4h); });
  CHECK(late.code() == errc::policy_denied);
  CHECK_THAT(late.what(), Contains("refused_notice"));
  // An unpaid hold cannot be moved: its status is wrong for it.
  const auto hold = w.book(client8, 42, 8, at("2026-01-16T07:00:00Z"));
  CHECK(caught([&] {
          w.service.reschedule(client8, hold.session, at("2026-01-16T08:00:00Z"));
        }).code() == errc::conflict);
}

// =============================================================================================
// expire_holds
// =============================================================================================

TEMPLATE_TEST_CASE("expire_holds cancels the holds whose time ran out, and only those",
                   "[service][holds]", BACKENDS) {
  world<TestType> w;
  const auto a = w.book(client7, 42, 7, wed10);  // created 08:00, expires 08:15
  w.clock.advance(10min);
  const auto b = w.book(client8, 42, 8, wed10 + 1h);  // created 08:10, expires 08:25
  w.clock.advance(6min);                              // 08:16
  std::vector<change_event> events;
  auto sub = w.service.subscribe([&](const change_event& e) { events.push_back(e); });
  CHECK(w.service.expire_holds() == 1);
  const session sa = w.stored(a.session);
  CHECK(sa.status == session_status::cancelled);
  CHECK(sa.cancellation_reason == "hold_expired");
  CHECK(sa.cancelled_by == slotbook::role::system);
  CHECK(w.stored(b.session).status == session_status::pending_payment);
  REQUIRE(events.size() == 2);
  CHECK(events[0].kind == change_kind::hold_expired);
  CHECK(events[1].kind == change_kind::slot_freed);
  CHECK(w.service.expire_holds() == 0);
}

// =============================================================================================
// reading
// =============================================================================================

TEMPLATE_TEST_CASE("each party lists only the sessions it may see", "[service][read][access]",
                   BACKENDS) {
  world<TestType> w;
  const auto a = w.book(client7, 42, 7, wed10);
  const auto b = w.book(client8, 42, 8, wed10 + 1h);
  const auto c = w.book(client7, 43, 7, wed10 + 2h);
  const interval week{at("2026-01-12T00:00:00Z"), at("2026-01-19T00:00:00Z")};

  const auto mine = w.service.my_sessions(client7, week);
  REQUIRE(mine.size() == 2);
  CHECK(mine[0].id == a.session);
  CHECK(mine[1].id == c.session);
  const auto assigned = w.service.assigned_sessions(provider42, week);
  REQUIRE(assigned.size() == 2);
  CHECK(assigned[0].id == a.session);
  CHECK(assigned[1].id == b.session);
  CHECK(w.service.client_sessions(admin, client_id{8}, week).size() == 1);
  CHECK(w.service.provider_sessions(admin, provider_id{43}, week).size() == 1);

  const snapshot before = take(w.backend.db);
  CHECK(caught([&] { w.service.my_sessions(provider42, week); }).code() == errc::forbidden);
  require_only_the_refusal_was_recorded(w, before, "denied");
  CHECK(caught([&] { w.service.assigned_sessions(client7, week); }).code() == errc::forbidden);
  CHECK(caught([&] { w.service.client_sessions(client8, client_id{7}, week); }).code() ==
        errc::forbidden);
  CHECK(caught([&] { w.service.provider_sessions(provider43, provider_id{42}, week); }).code() ==
        errc::forbidden);
  CHECK(caught([&] {
          w.service.my_sessions(client7, {week.end, week.begin});
        }).code() == errc::invalid_argument);
}

TEMPLATE_TEST_CASE("slots show held and booked times as booked, expired holds as free",
                   "[service][read]", BACKENDS) {
  world<TestType> w;
  w.book(client7, 42, 7, wed10);
  const interval wednesday{at("2026-01-14T00:00:00Z"), at("2026-01-15T00:00:00Z")};
  auto slots = w.service.slots(provider_id{42}, wednesday);
  // 09:00 to 16:00 in Nairobi: eight one-hour slots from 06:00Z.
  REQUIRE(slots.size() == 8);
  for (std::size_t i = 0; i < slots.size(); ++i) {
    INFO(i);
    CHECK(slots[i].time.begin == at("2026-01-14T06:00:00Z") + std::chrono::hours(i));
    CHECK(slots[i].available == (i != 1));
  }
  CHECK(slots[1].reason == slotbook::slot_reason::booked);
  w.clock.advance(15min);
  slots = w.service.slots(provider_id{42}, wednesday);
  CHECK(slots[1].available);
  CHECK(caught([&] { w.service.slots(provider_id{99}, wednesday); }).code() == errc::not_found);
}

TEMPLATE_TEST_CASE("analytics count the provider's bookings for the provider and admins",
                   "[service][read]", BACKENDS) {
  world<TestType> w;
  w.book(client7, 43, 7, wed10);
  const auto b = w.book(client8, 43, 8, wed10 + 1h);
  w.service.cancel(client8, b.session);
  const interval january{at("2026-01-01T00:00:00Z"), at("2026-02-01T00:00:00Z")};
  const auto a = w.service.analytics(provider43, provider_id{43}, january);
  CHECK(a.total == 2);
  CHECK(a.open == 1);
  CHECK(a.cancelled == 1);
  CHECK(a.cancellation_rate == slotbook::rate{1, 2});
  CHECK(a.revenue == money::kes(0));
  CHECK(w.service.analytics(admin, provider_id{43}, january) == a);
  CHECK(caught([&] { w.service.analytics(client7, provider_id{43}, january); }).code() ==
        errc::forbidden);
  CHECK(caught([&] { w.service.analytics(provider42, provider_id{43}, january); }).code() ==
        errc::forbidden);
}

// =============================================================================================
// reminders
// =============================================================================================

TEMPLATE_TEST_CASE("a due reminder is claimed by one worker only while its lease runs",
                   "[service][reminders]", BACKENDS) {
  world<TestType> w;
  const auto b = w.book(client7, 43, 7, wed10);
  w.clock.set(at("2026-01-13T07:00:00Z"));  // the 24 h reminder is due
  const auto first = w.service.due_reminders(10);
  REQUIRE(first.size() == 1);
  const auto& m = first[0].message;
  CHECK(m.session == b.session);
  CHECK(m.booking_reference == b.booking_reference);
  CHECK(m.before == 24h);
  CHECK(m.attempt == 1);
  CHECK(m.provider_name == "Dr. Otieno");
  CHECK(m.scheduled_at == wed10);
  CHECK(first[0].queued.state == reminder_state::claimed);
  CHECK(w.service.due_reminders(10).empty());  // a second worker gets nothing

  w.clock.advance(6min);  // past the 5-minute lease: the first worker is presumed dead
  const auto second = w.service.due_reminders(10);
  REQUIRE(second.size() == 1);
  CHECK(second[0].queued.id == first[0].queued.id);
  CHECK(second[0].queued.attempts == 2);
  // The first worker's late report no longer counts.
  CHECK(caught([&] { w.service.mark_sent(first[0].queued); }).code() == errc::conflict);
  w.service.mark_sent(second[0].queued);
  const auto q = w.reminders_of(b.session);
  CHECK(q[0].state == reminder_state::sent);
  CHECK(q[0].sent_at == w.clock.now());
  CHECK(caught([&] { w.service.mark_sent(second[0].queued); }).code() == errc::conflict);
}

TEMPLATE_TEST_CASE("a failed reminder is retried with doubling delays, then given up",
                   "[service][reminders]", BACKENDS) {
  world<TestType> w{[](service_options& o) {
    o.retry.first_backoff = 60s;
    o.retry.max_attempts = 3;
  }};
  w.book(client7, 43, 7, wed10);
  instant t = at("2026-01-13T07:00:00Z");
  w.clock.set(t);
  auto c = w.service.due_reminders(10);
  REQUIRE(c.size() == 1);
  CHECK(w.service.mark_failed(c[0].queued, "smtp 451"));  // attempt 1 failed: retry in 60 s

  w.clock.set(t + 59s);
  CHECK(w.service.due_reminders(10).empty());
  t += 60s;
  w.clock.set(t);
  c = w.service.due_reminders(10);
  REQUIRE(c.size() == 1);
  CHECK(c[0].queued.attempts == 2);
  CHECK(c[0].queued.last_error == "smtp 451");
  CHECK(w.service.mark_failed(c[0].queued, "smtp 451"));  // attempt 2 failed: retry in 120 s

  w.clock.set(t + 119s);
  CHECK(w.service.due_reminders(10).empty());
  t += 120s;
  w.clock.set(t);
  c = w.service.due_reminders(10);
  REQUIRE(c.size() == 1);
  CHECK(c[0].queued.attempts == 3);
  CHECK_FALSE(w.service.mark_failed(c[0].queued, "mailbox full"));  // the last attempt

  w.clock.advance(24h);
  const auto left = w.service.due_reminders(10);
  for (const auto& x : left) CHECK(x.queued.id != c[0].queued.id);
  const auto stored = w.reminders_of(c[0].message.session);
  CHECK(stored[0].state == reminder_state::failed);
  CHECK(stored[0].last_error == "mailbox full");
}

TEMPLATE_TEST_CASE("run_reminders sends what is due and records the outcome",
                   "[service][reminders]", BACKENDS) {
  world<TestType> w;
  const auto b = w.book(client7, 43, 7, wed10);
  w.notifier.answer = [](const slotbook::reminder_message& m) {
    return m.before == 24h ? slotbook::delivery::ok() : slotbook::delivery::failed("no signal");
  };
  w.clock.set(at("2026-01-14T05:00:00Z"));  // the 24 h and 2 h reminders are due
  const auto run = w.service.run_reminders();
  CHECK(run == slotbook::reminder_run{2, 1, 1, 0});
  REQUIRE(w.notifier.sent.size() == 2);
  CHECK(w.notifier.sent[0].before == 24h);
  CHECK(w.notifier.sent[1].before == 2h);
  const auto q = w.reminders_of(b.session);
  CHECK(q[0].state == reminder_state::sent);
  CHECK(q[1].state == reminder_state::pending);
  CHECK(q[2].state == reminder_state::pending);
}

TEMPLATE_TEST_CASE("health reports the reminder backlog", "[service][health]", BACKENDS) {
  world<TestType> w{[](service_options& o) { o.degraded_backlog = 2; }};
  auto h = w.service.health();
  CHECK(h.status == slotbook::health_status::healthy);
  CHECK(h.storage_reachable);
  CHECK(h.reminders_due == 0);
  CHECK_FALSE(h.oldest_due_age);

  w.book(client7, 43, 7, wed10);
  w.clock.set(at("2026-01-13T07:30:00Z"));
  h = w.service.health();
  CHECK(h.reminders_due == 1);      // the 24 h one, due at 07:00
  CHECK(h.reminders_waiting == 2);  // the 2 h and 15 min ones
  CHECK(h.oldest_due_age == 30min);
  CHECK(h.status == slotbook::health_status::healthy);

  w.clock.set(at("2026-01-14T05:00:00Z"));
  h = w.service.health();
  CHECK(h.reminders_due == 2);
  CHECK(h.status == slotbook::health_status::degraded);
}

TEST_CASE("health reports unhealthy when the storage does not answer", "[service][health]") {
  slotbook::memory_store db;
  tampered_store view{db, [](std::vector<audit_entry>&) {}};
  slotbook::settable_clock clock{start_of_world};
  booking_service service{view, clock};
  CHECK(service.health().status == slotbook::health_status::healthy);
  view.unreachable = true;
  const auto h = service.health();
  CHECK(h.status == slotbook::health_status::unhealthy);
  CHECK_FALSE(h.storage_reachable);
  CHECK(h.at == start_of_world);
}

// =============================================================================================
// audit
// =============================================================================================

namespace {

// Books, pays, cancels and refuses a little, so the log has entries of every shape (seven).
template <class W>
void busy_day(W& w) {
  const auto b = w.book(client7, 42, 7, wed10);                             // 4
  w.service.confirm_payment(system_actor, b.session, "mpesa", "QK7H2XYZ");  // 5
  CHECK_THROWS(w.book(client8, 42, 8, wed10));                              // 6 refused
  w.service.cancel(client7, b.session);                                     // 7 cancel, 8 refund
}

}  // namespace

TEMPLATE_TEST_CASE("every entry of an untouched log verifies", "[service][audit]", BACKENDS) {
  world<TestType> w;
  busy_day(w);
  const auto log = w.audit();
  REQUIRE(log.size() == 8);
  CHECK(log[0].previous_hash == slotbook::audit_genesis_hash);
  for (std::size_t i = 0; i < log.size(); ++i) {
    CHECK(log[i].sequence == std::int64_t(i) + 1);
    CHECK(log[i].hash == slotbook::audit_hash(log[i]));
    if (i > 0) CHECK(log[i].previous_hash == log[i - 1].hash);
  }
  const auto v = w.service.verify_audit();
  CHECK(v.ok());
  CHECK(v.checked == 8);
  const auto head = w.service.current_audit_head();
  CHECK(head == slotbook::audit_head{8, log.back().hash});
  CHECK(w.service.verify_audit(head).ok());
}

TEMPLATE_TEST_CASE("verify_audit finds an edited entry", "[service][audit]", BACKENDS) {
  world<TestType> w;
  busy_day(w);
  const auto v = w.backend.verify_tampered(edit_entry, 5, w.clock);
  CHECK(v.problem == audit_problem::edited);
  CHECK(v.sequence == 5);
  CHECK(v.checked == 4);
}

TEMPLATE_TEST_CASE("verify_audit finds a deleted entry", "[service][audit]", BACKENDS) {
  world<TestType> w;
  busy_day(w);
  const auto v = w.backend.verify_tampered(delete_entry, 5, w.clock);
  CHECK(v.problem == audit_problem::missing_entry);
  CHECK(v.sequence == 5);
}

TEMPLATE_TEST_CASE("verify_audit finds a reordered pair", "[service][audit]", BACKENDS) {
  world<TestType> w;
  busy_day(w);
  const auto v = w.backend.verify_tampered(swap_entries, 5, w.clock);
  CHECK(v.problem == audit_problem::out_of_order);
  CHECK(v.sequence == 5);
}

TEMPLATE_TEST_CASE("a recorded head catches entries deleted from the end", "[service][audit]",
                   BACKENDS) {
  world<TestType> w;
  busy_day(w);
  const auto head = w.service.current_audit_head();
  CHECK(w.service.verify_audit(head).ok());
  auto log = w.audit();
  log.pop_back();
  // What is left is a valid chain: only the head recorded elsewhere shows what is missing.
  slotbook::audit_verifier without_head;
  for (const auto& e : log) REQUIRE(without_head.next(e));
  CHECK(without_head.finish().ok());
  slotbook::audit_verifier with_head{head};
  for (const auto& e : log) REQUIRE(with_head.next(e));
  CHECK(with_head.finish().problem == audit_problem::head_mismatch);
  CHECK(with_head.result().sequence == 8);
  // A head that names an entry the log has, with another hash: the log was rewritten.
  slotbook::audit_verifier rewritten{slotbook::audit_head{3, log[4].hash}};
  bool all = true;
  for (const auto& e : log) all = all && rewritten.next(e);
  CHECK_FALSE(all);
  CHECK(rewritten.result().problem == audit_problem::head_mismatch);
  CHECK(rewritten.result().sequence == 3);
}

TEST_CASE("the canonical audit text has the documented format", "[audit]") {
  audit_entry e;
  e.sequence = 12;
  e.at = at("2026-01-12T08:00:00Z");
  e.who_role = slotbook::role::client;
  e.who_id = 7;
  e.action = "cancel";
  e.session = session_id{3};
  e.before = session_status::scheduled;
  e.after = session_status::cancelled;
  e.detail = "notice_tier; refund KES 1500.00";
  CHECK(slotbook::audit_canonical_text(e) ==
        "slotbook-audit/1\n"
        "at=2026-01-12T08:00:00Z\n"
        "role=client\n"
        "actor=7\n"
        "action=6:cancel\n"
        "session=3\n"
        "before=scheduled\n"
        "after=cancelled\n"
        "detail=31:notice_tier; refund KES 1500.00\n");
  e.before.reset();
  CHECK_THAT(slotbook::audit_canonical_text(e), Contains("\nbefore=-\n"));
}

TEST_CASE("the audit hash is SHA-256 over the previous hash and the canonical text", "[audit]") {
  audit_entry e;
  e.at = at("2026-01-12T08:00:00Z");
  e.action = "book";
  e.detail = "BK-2026-000001";
  e.previous_hash = std::string(slotbook::audit_genesis_hash);
  // An independent SHA-256: coreutils' sha256sum over the same bytes.
  const std::string path = temp_db_path() + ".txt";
  {
    std::ofstream out(path, std::ios::binary);
    out << e.previous_hash << slotbook::audit_canonical_text(e);
  }
  std::string expected;
  {
    FILE* pipe = ::popen(("sha256sum " + path).c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[65] = {};
    REQUIRE(std::fread(buffer, 1, 64, pipe) == 64);
    ::pclose(pipe);
    expected.assign(buffer, 64);
  }
  std::filesystem::remove(path);
  CHECK(slotbook::audit_hash(e) == expected);
  // The sequence number is not part of it (the chain orders the entries).
  audit_entry moved = e;
  moved.sequence = 99;
  CHECK(slotbook::audit_hash(moved) == expected);
}

// =============================================================================================
// events
// =============================================================================================

TEMPLATE_TEST_CASE("events arrive after the commit, numbered in commit order", "[service][events]",
                   BACKENDS) {
  world<TestType> w;
  struct seen {
    change_event event;
    std::optional<session_status> stored;  // what a fresh read transaction found meanwhile
  };
  std::vector<seen> events;
  auto sub = w.service.subscribe([&](const change_event& e) {
    transaction tx(w.backend.db, slotbook::access::read);  // throws if a store lock were still held
    const auto s = w.backend.db.find_session(e.session);
    events.push_back({e, s ? std::optional{s->status} : std::nullopt});
  });
  const auto b = w.book(client7, 42, 7, wed10);
  w.service.confirm_payment(system_actor, b.session, "mpesa", "QK7H2XYZ");
  CHECK_THROWS(w.book(client8, 42, 8, wed10));  // refused: no event

  REQUIRE(events.size() == 3);
  CHECK(events[0].event.kind == change_kind::booked);
  CHECK(events[0].stored == session_status::pending_payment);
  CHECK(events[0].event.booking_reference == "BK-2026-000001");
  CHECK(events[0].event.time == interval{wed10, wed10 + 1h});
  CHECK(events[0].event.by == slotbook::role::client);
  CHECK(events[1].event.kind == change_kind::payment_confirmed);
  CHECK(events[2].event.kind == change_kind::status_changed);
  CHECK(events[2].event.from == session_status::pending_payment);
  CHECK(events[2].event.to == session_status::scheduled);
  CHECK(events[2].stored == session_status::scheduled);
  for (std::size_t i = 0; i < events.size(); ++i) CHECK(events[i].event.sequence == i + 1);
}

TEMPLATE_TEST_CASE("a dropped subscription hears nothing more", "[service][events]", BACKENDS) {
  world<TestType> w;
  int outer = 0;
  int self_dropping = 0;
  slotbook::subscription self;
  auto sub = w.service.subscribe([&](const change_event&) { ++outer; });
  self = w.service.subscribe([&](const change_event&) {
    ++self_dropping;
    self.reset();  // from inside its own callback
  });
  w.book(client7, 43, 7, wed10);
  w.book(client8, 43, 8, wed10 + 1h);
  CHECK(self_dropping == 1);
  CHECK_FALSE(self.active());
  CHECK(outer == 2);
  sub.reset();
  w.book(client7, 43, 7, wed10 + 2h);
  CHECK(outer == 2);
  // A callback that throws does not undo the booking or stop the others.
  auto thrower = w.service.subscribe([](const change_event&) { throw std::runtime_error("x"); });
  int after = 0;
  auto counter = w.service.subscribe([&](const change_event&) { ++after; });
  CHECK_NOTHROW(w.book(client8, 43, 8, wed10 + 3h));
  CHECK(after == 1);
}

TEST_CASE("dropping a subscription waits for its callback running on another thread",
          "[service][events]") {
  slotbook::memory_store db;
  slotbook::settable_clock clock{start_of_world};
  booking_service service{db, clock};
  service.put_provider(admin, make_provider(43, "Dr. Otieno", money::kes(0)));
  std::atomic<bool> entered{false};
  std::atomic<bool> release{false};
  std::atomic<bool> finished{false};
  auto sub = service.subscribe([&](const change_event&) {
    entered = true;
    while (!release) std::this_thread::yield();
    finished = true;
  });
  std::thread booker{[&] {
    booking_request r{provider_id{43}, client_id{7}, wed10};
    service.book(client7, r);
  }};
  while (!entered) std::this_thread::yield();
  bool finished_when_reset_returned = false;
  std::thread dropper{[&] {
    sub.reset();
    finished_when_reset_returned = finished;
  }};
  // However long this pause is, reset() may return only after the callback has finished.
  std::this_thread::sleep_for(20ms);
  release = true;
  dropper.join();
  booker.join();
  CHECK(finished_when_reset_returned);
}

TEMPLATE_TEST_CASE("a callback may call the service again", "[service][events]", BACKENDS) {
  world<TestType> w;
  std::vector<change_kind> kinds;
  auto sub = w.service.subscribe([&](const change_event& e) {
    kinds.push_back(e.kind);
    // Pay every new hold at once, like a host that confirms in its event handler.
    if (e.kind == change_kind::booked && e.to == session_status::pending_payment) {
      w.service.confirm_payment(system_actor, e.session, "mpesa", "CB-1");
    }
  });
  const auto b = w.book(client7, 42, 7, wed10);
  CHECK(w.stored(b.session).status == session_status::scheduled);
  CHECK(kinds == std::vector{change_kind::booked, change_kind::payment_confirmed,
                             change_kind::status_changed});
}

TEMPLATE_TEST_CASE("adding a provider whose id exists is a conflict and keeps the first profile",
                   "[service][providers]", BACKENDS) {
  world<TestType> w;
  provider_profile p = make_provider(50, "Dr. Njeri", money::kes(100000));
  w.service.add_provider(admin, p);
  CHECK(w.service.provider(provider_id{50}).name == "Dr. Njeri");

  provider_profile other = make_provider(50, "Someone else", money::kes(0));
  slotbook::testing::expect_error([&] { w.service.add_provider(admin, other); }, errc::conflict,
                                  {"id: provider 50 already exists"});
  CHECK(w.service.provider(provider_id{50}).name == "Dr. Njeri");
  const auto log = w.audit();
  CHECK(log[log.size() - 2].action == "add_provider");
  CHECK(log.back().action == "refused");
  // put_provider still replaces.
  w.service.put_provider(admin, other);
  CHECK(w.service.provider(provider_id{50}).name == "Someone else");
}

TEST_CASE("of two threads adding the same provider exactly one succeeds", "[service][providers]") {
  for (int round = 0; round < 20; ++round) {
    slotbook::memory_store db;
    slotbook::settable_clock clock{start_of_world};
    booking_service service{db, clock};
    std::atomic<int> added{0};
    std::atomic<int> conflicts{0};
    std::atomic<bool> go{false};
    const auto add = [&](const char* name) {
      while (!go) std::this_thread::yield();
      try {
        service.add_provider(admin, make_provider(60, name, money::kes(0)));
        ++added;
      } catch (const slotbook::error& e) {
        if (e.code() == errc::conflict) ++conflicts;
      }
    };
    std::thread a{add, "A"};
    std::thread b{add, "B"};
    go = true;
    a.join();
    b.join();
    CHECK(added == 1);
    CHECK(conflicts == 1);
  }
}
