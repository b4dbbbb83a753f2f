// One conformance suite for every store backend: memory_store, sqlite_store on ":memory:" and
// sqlite_store on a real file. Each TEMPLATE_TEST_CASE states one behaviour of the `store`
// interface (include/slotbook/store.hpp) and runs it against all three, so the backends cannot
// drift apart. Expected values are worked out from the data each test writes.

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <unistd.h>
#include <catch2/catch.hpp>

#include "slotbook/memory_store.hpp"
#include "slotbook/sqlite_store.hpp"
#ifdef SLOTBOOK_WITH_POSTGRES
// postgres_store in a scratch schema of the server in SLOTBOOK_PG (ctest starts one).
#include "integration/postgres_support.hpp"
#define SLOTBOOK_POSTGRES_BACKEND , slotbook_test::postgres_conformance_backend
#else
#define SLOTBOOK_POSTGRES_BACKEND
#endif

using namespace std::chrono_literals;
using slotbook::access;
using slotbook::audit_entry;
using slotbook::client_id;
using slotbook::errc;
using slotbook::instant;
using slotbook::intake_id;
using slotbook::interval;
using slotbook::provider_id;
using slotbook::provider_profile;
using slotbook::queued_reminder;
using slotbook::reminder;
using slotbook::reminder_channel;
using slotbook::reminder_state;
using slotbook::session;
using slotbook::session_id;
using slotbook::session_status;
using slotbook::store;
using slotbook::stored_intake;
using slotbook::transaction;

// Ids print as numbers in failure messages.
namespace Catch {
template <class Tag>
struct StringMaker<slotbook::strong_id<Tag>> {
  static std::string convert(slotbook::strong_id<Tag> id) { return slotbook::to_string(id); }
};
}  // namespace Catch

namespace {

// --- backends ---------------------------------------------------------------------------------

class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "slotbook-store-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

struct memory_backend {
  slotbook::memory_store store;
};

struct sqlite_memory_backend {
  slotbook::sqlite_store store{":memory:"};
};

struct sqlite_file_backend {
  temp_dir dir;
  slotbook::sqlite_store store{dir.file("conformance.db")};
};

// --- helpers ----------------------------------------------------------------------------------

instant at(std::string_view text) { return slotbook::parse_instant(text); }

template <class F>
auto in_write(store& s, F&& f) {
  transaction tx(s, access::write);
  if constexpr (std::is_void_v<decltype(f())>) {
    f();
    tx.commit();
  } else {
    auto result = f();
    tx.commit();
    return result;
  }
}

template <class F>
auto in_read(store& s, F&& f) {
  transaction tx(s, access::read);
  if constexpr (std::is_void_v<decltype(f())>) {
    f();
    tx.commit();
  } else {
    auto result = f();
    tx.commit();
    return result;
  }
}

template <class F>
void expect_error(F&& f, errc code, std::string_view fragment = {}) {
  try {
    f();
    FAIL("no slotbook::error thrown");
  } catch (const slotbook::error& e) {
    INFO("message: " << e.what());
    CHECK(e.code() == code);
    CHECK(std::string_view(e.what()).find(fragment) != std::string_view::npos);
  }
}

// A scheduled session: provider, client, start, length. Created a week before it starts.
session make_session(std::uint64_t provider, std::uint64_t client, instant start,
                     std::chrono::minutes length,
                     session_status status = session_status::scheduled) {
  session s;
  s.provider = provider_id{provider};
  s.client = client_id{client};
  s.scheduled_at = start;
  s.duration = length;
  s.amount = slotbook::money::kes(150000);
  s.created_at = s.updated_at = start - std::chrono::hours{24 * 7};
  s.status = status;
  // The fields each status needs to pass slotbook::validate.
  if (status == session_status::in_progress || status == session_status::completed) {
    s.joined_at = start;
  }
  if (status == session_status::completed) {
    s.ended_at = start + length;
    s.actual_duration = length;
  }
  if (status == session_status::cancelled) {
    s.cancelled_at = start - std::chrono::hours{48};
    s.cancelled_by = slotbook::role::client;
    s.cancelled_from = session_status::scheduled;
  }
  return s;
}

// A session with every optional field set and every text field non-empty.
session full_session() {
  session s = make_session(42, 7, at("2026-03-02T10:00:00Z"), 50min, session_status::completed);
  s.type = slotbook::session_type::follow_up;
  s.booking_reference = "BK-2026-000042";
  s.notes = "prefers video; says \"hi\"";
  s.special_requests = "wheelchair access";
  s.amount = slotbook::money{2500, slotbook::currency::parse("USD")};
  s.payment = slotbook::payment_status::refunded;
  s.payment_method = "card";
  s.transaction_id = "tx-0001";
  s.refunded_minor = 1250;
  s.joined_at = at("2026-03-02T10:02:00Z");
  s.ended_at = at("2026-03-02T10:49:30Z");
  s.actual_duration = std::chrono::seconds{47 * 60 + 30};
  s.cancelled_at = at("2026-03-01T09:00:00Z");  // an earlier cancellation attempt, kept as data
  s.cancellation_reason = "rescheduled";
  s.cancelled_by = slotbook::role::provider;
  s.cancelled_from = session_status::confirmed;
  s.rescheduled_from = session_id{900};
  s.rescheduled_to = session_id{901};
  s.reschedule_count = 2;
  s.series = slotbook::series_id{77};
  s.created_at = at("2026-02-20T08:00:00Z");
  s.updated_at = at("2026-03-02T10:49:30Z");
  return s;
}

std::vector<session_id> ids_of(const std::vector<session>& sessions) {
  std::vector<session_id> out;
  for (const session& s : sessions) out.push_back(s.id);
  return out;
}

std::vector<std::int64_t> ids_of(const std::vector<queued_reminder>& reminders) {
  std::vector<std::int64_t> out;
  for (const queued_reminder& r : reminders) out.push_back(r.id);
  return out;
}

// provider_profile's defaulted operator== is deleted (schedule and slot_rules have none), so the
// round trip is compared field by field.
void require_same(const provider_profile& a, const provider_profile& b) {
  CHECK(a.id == b.id);
  CHECK(a.name == b.name);
  CHECK(a.active == b.active);
  CHECK(a.price == b.price);
  CHECK(a.hours.zone == b.hours.zone);
  CHECK(a.hours.active == b.hours.active);
  CHECK(a.hours.effective_from == b.hours.effective_from);
  CHECK(a.hours.effective_until == b.hours.effective_until);
  REQUIRE(a.hours.windows.size() == b.hours.windows.size());
  for (std::size_t i = 0; i < a.hours.windows.size(); ++i) {
    INFO("window " << i);
    CHECK(a.hours.windows[i].day == b.hours.windows[i].day);
    CHECK(a.hours.windows[i].start == b.hours.windows[i].start);
    CHECK(a.hours.windows[i].end == b.hours.windows[i].end);
  }
  REQUIRE(a.hours.exceptions.size() == b.hours.exceptions.size());
  for (std::size_t i = 0; i < a.hours.exceptions.size(); ++i) {
    INFO("exception " << i);
    CHECK(a.hours.exceptions[i].date == b.hours.exceptions[i].date);
    CHECK(a.hours.exceptions[i].available == b.hours.exceptions[i].available);
    CHECK(a.hours.exceptions[i].hours == b.hours.exceptions[i].hours);
    CHECK(a.hours.exceptions[i].reason == b.hours.exceptions[i].reason);
  }
  CHECK(a.rules.duration == b.rules.duration);
  CHECK(a.rules.step == b.rules.step);
  CHECK(a.rules.buffer_before == b.rules.buffer_before);
  CHECK(a.rules.buffer_after == b.rules.buffer_after);
  CHECK(a.rules.minimum_notice == b.rules.minimum_notice);
  CHECK(a.rules.maximum_advance == b.rules.maximum_advance);
  CHECK(a.rules.max_per_day == b.rules.max_per_day);
  CHECK(a.rules.alignment == b.rules.alignment);
}

provider_profile nairobi_provider(std::uint64_t id) {
  provider_profile p;
  p.id = provider_id{id};
  p.name = "Dr. Wanjiru";
  p.hours.zone = "Africa/Nairobi";
  // Deliberately not sorted: the store keeps the host's order.
  p.hours.windows = {{date::Wednesday, 13h, 17h},
                     {date::Monday, 9h, 12h},
                     {date::Monday, 13h, 17h},
                     {date::Sunday, 0min, 24h}};
  p.hours.exceptions = {slotbook::date_exception::closed(date::year{2026} / 12 / 25, "holiday"),
                        slotbook::date_exception::custom(date::year{2026} / 12 / 24,
                                                         {{9h, 10h}, {11h, 12h}}, "half day"),
                        slotbook::date_exception::custom(date::year{2026} / 12 / 31, {{8h, 9h}})};
  p.hours.effective_from = date::year{2026} / 1 / 5;
  p.hours.effective_until = date::year{2027} / 6 / 30;
  p.rules.duration = 50min;
  p.rules.step = 15min;
  p.rules.buffer_before = 5min;
  p.rules.buffer_after = 10min;
  p.rules.minimum_notice = 12h;
  p.rules.maximum_advance = std::chrono::hours{24 * 60};
  p.rules.max_per_day = 6;
  p.rules.alignment = slotbook::slot_alignment::fixed_grid;
  p.price = slotbook::money{4000, slotbook::currency::parse("USD")};
  return p;
}

audit_entry make_audit(std::string action, std::uint64_t session, std::string hash) {
  audit_entry e;
  e.at = at("2026-03-02T10:00:00Z");
  e.who_role = slotbook::role::client;
  e.who_id = 7;
  e.action = std::move(action);
  e.session = session_id{session};
  e.before = session_status::scheduled;
  e.after = session_status::cancelled;
  e.detail = "refund KES 1500.00";
  e.previous_hash = std::string(64, '0');
  e.hash = std::move(hash);
  return e;
}

// --- intake helpers -----------------------------------------------------------------------------

slotbook::keyring test_ring() {
  slotbook::keyring ring;
  ring.add(1, slotbook::key_material::generate());
  return ring;
}

// A form with every step saved and every consent given, as of `when`.
slotbook::intake_form complete_form(intake_id id, std::uint64_t client, std::uint64_t session,
                                    instant when) {
  slotbook::intake_form f;
  f.id = id;
  f.client = client_id{client};
  f.session = session_id{session};
  f.personal_info = slotbook::personal_info_step{"Amina (sister), +254 700 000 000", "asthma",
                                                 "salbutamol", "penicillin"};
  slotbook::mental_health_step m;
  m.previous_therapy = false;
  m.current_symptoms = {"poor sleep"};
  m.severity_level = 6;
  f.mental_health = m;
  f.goals = slotbook::goals_step{{"sleep through the night"}, "a few months", "CBT"};
  f.consent = {true, true, true};
  f.completed_at = when;
  return f;
}

// An empty form (a data key, no steps) as the store keeps it, created at `when`.
stored_intake sealed_form(intake_id id, std::uint64_t client, std::uint64_t session,
                          const slotbook::keyring& ring, instant when) {
  slotbook::intake_form f;
  f.id = id;
  f.client = client_id{client};
  f.session = session_id{session};
  stored_intake out;
  out.form = slotbook::seal_intake(f, ring);
  out.created_at = out.updated_at = when;
  return out;
}

// What the service leaves of a deleted form.
void shred(stored_intake& f, instant when) {
  f.form.data_key = {};
  f.form.personal_info.reset();
  f.form.mental_health.reset();
  f.form.goals.reset();
  f.form.consent = {};
  f.form.completed_at.reset();
  f.deleted_at = when;
  f.deletion_reason = "client request";
}

std::vector<intake_id> intake_ids(const std::vector<stored_intake>& forms) {
  std::vector<intake_id> out;
  for (const stored_intake& f : forms) out.push_back(f.form.id);
  return out;
}

}  // namespace

#define STORE_TEST(name)                                                     \
  TEMPLATE_TEST_CASE(name, "[store]", memory_backend, sqlite_memory_backend, \
                     sqlite_file_backend SLOTBOOK_POSTGRES_BACKEND)

// --- sessions -----------------------------------------------------------------------------------

STORE_TEST("a stored session reads back field for field, by id and by reference") {
  TestType backend;
  store& s = backend.store;
  const session original = full_session();
  const session_id id = in_write(s, [&] { return s.insert_session(original); });
  CHECK(id.ok());
  session expected = original;
  expected.id = id;
  in_read(s, [&] {
    CHECK(s.find_session(id) == expected);
    CHECK(s.find_session_by_reference("BK-2026-000042") == expected);
    CHECK_FALSE(s.find_session(session_id{id.value + 1}).has_value());
    CHECK_FALSE(s.find_session_by_reference("BK-2026-000043").has_value());
  });
}

STORE_TEST("a session with only the required fields reads back with its optionals empty") {
  TestType backend;
  store& s = backend.store;
  const session original = make_session(1, 2, at("2026-03-02T10:00:00Z"), 60min);
  const session_id id = in_write(s, [&] { return s.insert_session(original); });
  const auto found = in_read(s, [&] { return s.find_session(id); });
  REQUIRE(found.has_value());
  session expected = original;
  expected.id = id;
  CHECK(*found == expected);
  CHECK(found->booking_reference.empty());
  CHECK_FALSE(found->joined_at.has_value());
  CHECK_FALSE(found->cancelled_by.has_value());
  CHECK(found->rescheduled_from == session_id{});
}

STORE_TEST("the store assigns distinct ids and keeps an id it is given") {
  TestType backend;
  store& s = backend.store;
  session given = make_session(1, 2, at("2026-03-02T10:00:00Z"), 60min);
  given.id = session_id{5000};
  in_write(s, [&] {
    const session_id a = s.insert_session(make_session(1, 2, at("2026-03-03T10:00:00Z"), 60min));
    const session_id b = s.insert_session(make_session(1, 2, at("2026-03-04T10:00:00Z"), 60min));
    CHECK(a.ok());
    CHECK(b.ok());
    CHECK(a != b);
    CHECK(s.insert_session(given) == session_id{5000});
    const session_id c = s.insert_session(make_session(1, 2, at("2026-03-05T10:00:00Z"), 60min));
    CHECK(c != session_id{5000});
    CHECK(c != a);
    CHECK(c != b);
  });
  CHECK(in_read(s, [&] { return s.find_session(session_id{5000}); }).has_value());
}

STORE_TEST("an id or a booking reference already stored is a conflict and changes nothing") {
  TestType backend;
  store& s = backend.store;
  session first = make_session(1, 2, at("2026-03-02T10:00:00Z"), 60min);
  first.booking_reference = "BK-2026-000001";
  const session_id id = in_write(s, [&] { return s.insert_session(first); });

  session same_reference = make_session(3, 4, at("2026-03-09T10:00:00Z"), 60min);
  same_reference.booking_reference = "BK-2026-000001";
  session same_id = make_session(3, 4, at("2026-03-10T10:00:00Z"), 60min);
  same_id.id = id;
  session other = make_session(5, 6, at("2026-03-11T10:00:00Z"), 60min);
  other.booking_reference = "BK-2026-000002";

  in_write(s, [&] {
    expect_error([&] { s.insert_session(same_reference); }, errc::conflict, "BK-2026-000001");
    expect_error([&] { s.insert_session(same_id); }, errc::conflict, "id");
    // The transaction is still usable after the refusal.
    const session_id other_id = s.insert_session(other);
    other.id = other_id;
    // Taking another session's reference by update is a conflict too.
    session renamed = other;
    renamed.booking_reference = "BK-2026-000001";
    expect_error([&] { s.update_session(renamed); }, errc::conflict, "BK-2026-000001");
  });
  in_read(s, [&] {
    first.id = id;
    CHECK(s.find_session_by_reference("BK-2026-000001") == first);
    CHECK(s.find_session_by_reference("BK-2026-000002") == other);
    CHECK(s.provider_sessions(provider_id{3},
                              {at("2026-03-01T00:00:00Z"), at("2026-04-01T00:00:00Z")})
              .empty());
  });
}

STORE_TEST("many sessions may have no reference, and an empty reference finds none of them") {
  TestType backend;
  store& s = backend.store;
  in_write(s, [&] {
    s.insert_session(make_session(1, 2, at("2026-03-02T10:00:00Z"), 60min));
    s.insert_session(make_session(1, 2, at("2026-03-02T12:00:00Z"), 60min));
  });
  in_read(s, [&] { CHECK_FALSE(s.find_session_by_reference("").has_value()); });
}

STORE_TEST("range queries return every session overlapping the range, by start time") {
  TestType backend;
  store& s = backend.store;
  const interval range{at("2026-03-02T10:00:00Z"), at("2026-03-02T12:00:00Z")};
  session_id a, b, c, d, e, f, g, h, i;
  in_write(s, [&] {
    // Provider 1, client 7 unless said otherwise.
    a = s.insert_session(make_session(1, 7, at("2026-03-02T08:00:00Z"), 120min));  // ends at begin
    b = s.insert_session(make_session(1, 7, at("2026-03-02T09:00:00Z"), 90min));   // runs into it
    c = s.insert_session(make_session(1, 7, at("2026-03-01T14:00:00Z"), 24h));     // spans it
    d = s.insert_session(make_session(1, 7, at("2026-03-02T10:00:00Z"), 60min));   // inside
    e = s.insert_session(make_session(1, 7, at("2026-03-02T11:30:00Z"), 60min));   // runs out
    f = s.insert_session(make_session(1, 7, at("2026-03-02T12:00:00Z"), 60min));   // starts at end
    g = s.insert_session(make_session(2, 8, at("2026-03-02T10:00:00Z"), 60min));   // other people
    h = s.insert_session(make_session(1, 7, at("2026-03-02T09:30:00Z"), 60min,
                                      session_status::cancelled));                // not active
    i = s.insert_session(make_session(3, 7, at("2026-03-02T11:00:00Z"), 15min));  // provider 3
  });
  in_read(s, [&] {
    // Starts: c 03-01 14:00, b 09:00, h 09:30, d 10:00, i 11:00, e 11:30.
    CHECK(ids_of(s.provider_sessions(provider_id{1}, range)) == std::vector{c, b, h, d, e});
    CHECK(ids_of(s.active_provider_sessions(provider_id{1}, range)) == std::vector{c, b, d, e});
    CHECK(ids_of(s.client_sessions(client_id{7}, range)) == std::vector{c, b, h, d, i, e});
    CHECK(ids_of(s.active_client_sessions(client_id{7}, range)) == std::vector{c, b, d, i, e});
    CHECK(ids_of(s.provider_sessions(provider_id{2}, range)) == std::vector{g});
    CHECK(ids_of(s.client_sessions(client_id{8}, range)) == std::vector{g});
    CHECK(s.provider_sessions(provider_id{4}, range).empty());
    // a ends exactly at 10:00 and f starts exactly at 12:00: half-open, so they meet the range
    // without overlapping it. Each is found by a range that does include it.
    CHECK(ids_of(s.provider_sessions(provider_id{1},
                                     {at("2026-03-02T09:59:59Z"), at("2026-03-02T10:00:00Z")})) ==
          std::vector{c, a, b, h});
    CHECK(ids_of(s.provider_sessions(provider_id{1},
                                     {at("2026-03-02T12:59:00Z"), at("2026-03-02T13:30:00Z")})) ==
          std::vector{c, f});
  });
}

STORE_TEST("sessions starting at the same time come back in id order") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  std::vector<session_id> ids;
  in_write(s, [&] {
    for (int k = 0; k < 4; ++k) ids.push_back(s.insert_session(make_session(1, 7, t, 60min)));
  });
  std::sort(ids.begin(), ids.end());
  in_read(s, [&] { CHECK(ids_of(s.provider_sessions(provider_id{1}, {t, t + 1h})) == ids); });
}

STORE_TEST("active-only queries keep pending_payment, scheduled, confirmed and in_progress") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  using enum session_status;
  const session_status all[] = {pending_payment, scheduled, confirmed, in_progress,
                                completed,       cancelled, no_show};
  std::vector<session_id> active;
  in_write(s, [&] {
    int k = 0;
    for (session_status status : all) {
      const session_id id =
          s.insert_session(make_session(5, 9, t + std::chrono::minutes{10 * k++}, 30min, status));
      if (!slotbook::is_terminal(status)) active.push_back(id);
    }
  });
  const interval day{t - 24h, t + 24h};
  in_read(s, [&] {
    CHECK(s.provider_sessions(provider_id{5}, day).size() == 7);
    CHECK(ids_of(s.active_provider_sessions(provider_id{5}, day)) == active);
    CHECK(ids_of(s.active_client_sessions(client_id{9}, day)) == active);
  });
}

STORE_TEST("an empty or inverted range finds nothing") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  in_write(s, [&] { s.insert_session(make_session(1, 7, t, 60min)); });
  in_read(s, [&] {
    CHECK(s.provider_sessions(provider_id{1}, {t + 10min, t + 10min}).empty());
    CHECK(s.provider_sessions(provider_id{1}, {t + 20min, t + 10min}).empty());
    CHECK(s.active_client_sessions(client_id{7}, {t + 20min, t + 10min}).empty());
  });
}

STORE_TEST("pending holds come oldest first, created at or before the cutoff, at most limit") {
  TestType backend;
  store& s = backend.store;
  const instant cutoff = at("2026-03-02T10:00:00Z");
  const auto hold = [&](instant created, session_status status = session_status::pending_payment) {
    session x = make_session(1, 7, at("2026-03-20T10:00:00Z"), 60min, status);
    x.created_at = x.updated_at = created;
    return s.insert_session(x);
  };
  session_id a, b, c, g, f;
  in_write(s, [&] {
    a = hold(cutoff - 3h);
    b = hold(cutoff - 1h);
    c = hold(cutoff - 2h);
    hold(cutoff + 1h);                             // after the cutoff
    hold(cutoff - 5h, session_status::scheduled);  // not a hold
    hold(cutoff - 6h, session_status::cancelled);  // not a hold any more
    g = hold(cutoff - 2h);                         // same time as c, larger id
    f = hold(cutoff);                              // exactly at the cutoff
  });
  REQUIRE(c < g);
  in_read(s, [&] {
    CHECK(ids_of(s.pending_holds(cutoff, 100)) == std::vector{a, c, g, b, f});
    CHECK(ids_of(s.pending_holds(cutoff, 2)) == std::vector{a, c});
    CHECK(s.pending_holds(cutoff, 0).empty());
    CHECK(s.pending_holds(cutoff - 4h, 100).empty());
  });
}

STORE_TEST("updating a session replaces it; updating an unknown one is not_found") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  session x = make_session(1, 7, t, 60min);
  x.id = in_write(s, [&] { return s.insert_session(x); });
  session moved = x;
  moved.scheduled_at = t + 48h;
  moved.status = session_status::confirmed;
  moved.booking_reference = "BK-2026-000777";
  moved.notes = "moved";
  in_write(s, [&] { s.update_session(moved); });
  in_read(s, [&] {
    CHECK(s.find_session(x.id) == moved);
    CHECK(s.find_session_by_reference("BK-2026-000777") == moved);
    // The indexes follow the update: found at the new time only.
    CHECK(s.provider_sessions(provider_id{1}, {t, t + 1h}).empty());
    CHECK(ids_of(s.client_sessions(client_id{7}, {t + 48h, t + 49h})) == std::vector{x.id});
  });
  session ghost = moved;
  ghost.id = session_id{x.id.value + 100};
  in_write(s, [&] { expect_error([&] { s.update_session(ghost); }, errc::not_found); });
}

STORE_TEST("a session failing validation is refused and nothing is stored") {
  TestType backend;
  store& s = backend.store;
  session no_client = make_session(1, 7, at("2026-03-02T10:00:00Z"), 60min);
  no_client.client = client_id{};
  const session too_long = make_session(1, 7, at("2026-03-02T10:00:00Z"), 24h + 1min);
  // One second before 0001-01-01T00:00:00Z.
  const session too_early =
      make_session(1, 7, instant{std::chrono::seconds{-62'135'596'801}}, 60min);
  session stored = make_session(1, 7, at("2026-03-03T10:00:00Z"), 60min);
  in_write(s, [&] {
    expect_error([&] { s.insert_session(no_client); }, errc::invalid_argument, "client");
    expect_error([&] { s.insert_session(too_long); }, errc::invalid_argument, "duration");
    expect_error([&] { s.insert_session(too_early); }, errc::invalid_argument, "scheduled_at");
    stored.id = s.insert_session(stored);
    session broken = stored;
    broken.duration = 0min;
    expect_error([&] { s.update_session(broken); }, errc::invalid_argument, "duration");
  });
  in_read(s, [&] {
    CHECK(ids_of(s.provider_sessions(provider_id{1},
                                     {at("2000-01-01T00:00:00Z"), at("2100-01-01T00:00:00Z")})) ==
          std::vector{stored.id});
    CHECK(s.find_session(stored.id) == stored);
  });
}

STORE_TEST("a 24-hour session at the very end of year 9999 is stored and found") {
  TestType backend;
  store& s = backend.store;
  const instant last = at("9999-12-31T23:59:00Z");
  const session x = make_session(1, 7, last, 24h);
  const session_id id = in_write(s, [&] { return s.insert_session(x); });
  in_read(s, [&] {
    CHECK(ids_of(s.provider_sessions(provider_id{1}, {last + 23h, last + 24h})) == std::vector{id});
    CHECK(s.provider_sessions(provider_id{1}, {last + 24h, last + 25h}).empty());
  });
}

STORE_TEST("ids above 2^63 are stored and found exactly") {
  TestType backend;
  store& s = backend.store;
  constexpr std::uint64_t big = std::numeric_limits<std::uint64_t>::max();
  const instant t = at("2026-03-02T10:00:00Z");
  session x = make_session(big, big - 1, t, 60min);
  x.rescheduled_from = session_id{big};
  x.id = in_write(s, [&] { return s.insert_session(x); });
  in_read(s, [&] {
    CHECK(s.find_session(x.id) == x);
    CHECK(ids_of(s.provider_sessions(provider_id{big}, {t, t + 1h})) == std::vector{x.id});
    CHECK(ids_of(s.client_sessions(client_id{big - 1}, {t, t + 1h})) == std::vector{x.id});
  });
}

STORE_TEST("reference sequences count 1, 2, 3 per year, each year on its own") {
  TestType backend;
  store& s = backend.store;
  in_write(s, [&] {
    CHECK(s.next_reference_sequence(2026) == 1);
    CHECK(s.next_reference_sequence(2026) == 2);
    CHECK(s.next_reference_sequence(2027) == 1);
  });
  in_write(s, [&] {
    CHECK(s.next_reference_sequence(2026) == 3);
    CHECK(s.next_reference_sequence(2027) == 2);
    CHECK(s.next_reference_sequence(1999) == 1);
  });
}

// --- transactions -------------------------------------------------------------------------------

STORE_TEST("a rolled-back write transaction leaves no trace") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  session kept = make_session(1, 7, t, 60min);
  provider_profile p1 = nairobi_provider(1);
  std::int64_t kept_reminder = 0;
  in_write(s, [&] {
    kept.id = s.insert_session(kept);
    const reminder r{kept.id, t - 2h, reminder_channel::email, 2h};
    kept_reminder = s.enqueue_reminders(std::span(&r, 1), client_id{7}).at(0);
    CHECK(s.append_audit(make_audit("book", kept.id.value, std::string(64, 'a'))) == 1);
    CHECK(s.next_reference_sequence(2026) == 1);
    s.put_provider(p1);
  });
  const auto reminders_before = in_read(s, [&] { return s.session_reminders(kept.id); });

  session_id added;
  std::int64_t added_reminder = 0;
  {
    transaction tx(s, access::write);
    added = s.insert_session(make_session(1, 7, t + 2h, 60min));
    session changed = kept;
    changed.status = session_status::confirmed;
    changed.scheduled_at = t + 24h;
    changed.booking_reference = "BK-2026-000009";
    s.update_session(changed);
    const reminder r{added, t, reminder_channel::sms, 2h};
    added_reminder = s.enqueue_reminders(std::span(&r, 1), client_id{7}).at(0);
    CHECK(s.claim_due_reminders(t, 10, t + 5min).size() == 2);  // both are due at t
    CHECK(s.remove_reminders(kept.id) == 1);
    CHECK(s.append_audit(make_audit("cancel", kept.id.value, std::string(64, 'b'))) == 2);
    CHECK(s.next_reference_sequence(2026) == 2);
    CHECK(s.next_reference_sequence(2030) == 1);
    provider_profile renamed = p1;
    renamed.name = "renamed";
    renamed.hours.windows.pop_back();
    s.put_provider(renamed);
    s.put_provider(nairobi_provider(2));
    // no commit: the destructor rolls back
  }

  in_read(s, [&] {
    CHECK_FALSE(s.find_session(added).has_value());
    CHECK(s.find_session(kept.id) == kept);
    CHECK_FALSE(s.find_session_by_reference("BK-2026-000009").has_value());
    CHECK(ids_of(s.provider_sessions(provider_id{1}, {t - 1h, t + 48h})) == std::vector{kept.id});
    CHECK(s.session_reminders(kept.id) == reminders_before);
    CHECK(s.session_reminders(added).empty());
    CHECK_FALSE(s.find_reminder(added_reminder).has_value());
    CHECK(s.find_reminder(kept_reminder)->state == reminder_state::pending);
    REQUIRE(s.last_audit().has_value());
    CHECK(s.last_audit()->sequence == 1);
    CHECK(s.audit_entries(0, 10).size() == 1);
    CHECK(s.provider_ids() == std::vector{provider_id{1}});
    require_same(*s.find_provider(provider_id{1}), p1);
  });
  in_write(s, [&] {
    // The counters moved back too: no gap in the sequences or the audit log.
    CHECK(s.next_reference_sequence(2026) == 2);
    CHECK(s.next_reference_sequence(2030) == 1);
    CHECK(s.append_audit(make_audit("cancel", kept.id.value, std::string(64, 'c'))) == 2);
  });
}

STORE_TEST("a transaction left by an exception rolls back") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  session_id added;
  try {
    transaction tx(s, access::write);
    added = s.insert_session(make_session(1, 7, t, 60min));
    s.next_reference_sequence(2026);
    throw std::runtime_error("the payment gateway is down");
  } catch (const std::runtime_error&) {
  }
  in_read(s, [&] {
    CHECK_FALSE(s.find_session(added).has_value());
    CHECK(s.provider_sessions(provider_id{1}, {t, t + 1h}).empty());
  });
  in_write(s, [&] { CHECK(s.next_reference_sequence(2026) == 1); });
}

STORE_TEST("committed changes are visible to later transactions") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  const session_id id = in_write(s, [&] { return s.insert_session(make_session(1, 7, t, 60min)); });
  in_read(s, [&] { CHECK(s.find_session(id).has_value()); });
  in_write(s, [&] { CHECK(s.find_session(id).has_value()); });
}

STORE_TEST("a transaction sees its own uncommitted writes") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  transaction tx(s, access::write);
  const session_id id = s.insert_session(make_session(1, 7, t, 60min));
  CHECK(s.find_session(id).has_value());
  CHECK(ids_of(s.active_provider_sessions(provider_id{1}, {t, t + 1h})) == std::vector{id});
}

STORE_TEST("data methods outside a transaction, and writes in a read transaction, are refused") {
  TestType backend;
  store& s = backend.store;
  const session x = make_session(1, 7, at("2026-03-02T10:00:00Z"), 60min);
  expect_error([&] { s.find_session(session_id{1}); }, errc::storage, "outside a transaction");
  expect_error([&] { s.insert_session(x); }, errc::storage, "outside a transaction");
  expect_error([&] { s.provider_ids(); }, errc::storage, "outside a transaction");
  {
    transaction tx(s, access::read);
    expect_error([&] { s.insert_session(x); }, errc::storage, "read-only");
    expect_error([&] { s.next_reference_sequence(2026); }, errc::storage, "read-only");
    expect_error([&] { s.append_audit(make_audit("x", 0, "h")); }, errc::storage, "read-only");
    CHECK(s.provider_ids().empty());  // reading is fine
    tx.commit();
  }
  // After commit the transaction is over.
  expect_error([&] { s.find_session(session_id{1}); }, errc::storage, "outside a transaction");
}

STORE_TEST("transactions on one store do not nest on one thread") {
  TestType backend;
  store& s = backend.store;
  transaction outer(s, access::read);
  expect_error([&] { transaction inner(s, access::write); }, errc::storage, "do not nest");
  expect_error([&] { transaction inner(s, access::read); }, errc::storage, "do not nest");
  // The outer transaction is unharmed.
  CHECK(s.provider_ids().empty());
}

STORE_TEST("a thread may hold transactions on two different stores at once") {
  TestType first;
  TestType second;
  const instant t = at("2026-03-02T10:00:00Z");
  transaction a(first.store, access::write);
  transaction b(second.store, access::write);
  const session_id id = first.store.insert_session(make_session(1, 7, t, 60min));
  CHECK_FALSE(second.store.find_session(id).has_value());
  a.commit();
  b.commit();
}

// --- series -------------------------------------------------------------------------------------

STORE_TEST("a session without a series reads back with a zero series id") {
  TestType backend;
  store& s = backend.store;
  const session_id id = in_write(
      s, [&] { return s.insert_session(make_session(1, 2, at("2026-03-02T10:00:00Z"), 60min)); });
  const auto found = in_read(s, [&] { return s.find_session(id); });
  REQUIRE(found.has_value());
  CHECK(found->series == slotbook::series_id{});
  CHECK(in_read(s, [&] { return s.series_sessions(slotbook::series_id{}); }).empty());
}

STORE_TEST("series_sessions lists one series' sessions of any status by start, and no other") {
  TestType backend;
  store& s = backend.store;
  const slotbook::series_id weekly{5};
  const slotbook::series_id other{6};
  // Inserted out of order; one is cancelled, one belongs to another series, one to none.
  session third = make_session(1, 2, at("2026-03-16T10:00:00Z"), 60min);
  session first = make_session(1, 2, at("2026-03-02T10:00:00Z"), 60min);
  session second = make_session(1, 2, at("2026-03-09T10:00:00Z"), 60min, session_status::cancelled);
  session stranger = make_session(1, 2, at("2026-03-05T10:00:00Z"), 60min);
  session single = make_session(1, 2, at("2026-03-06T10:00:00Z"), 60min);
  third.series = first.series = second.series = weekly;
  stranger.series = other;
  const auto ids = in_write(s, [&] {
    return std::vector<session_id>{s.insert_session(third), s.insert_session(first),
                                   s.insert_session(second), s.insert_session(stranger),
                                   s.insert_session(single)};
  });
  in_read(s, [&] {
    const std::vector<session> found = s.series_sessions(weekly);
    CHECK(ids_of(found) == std::vector<session_id>{ids[1], ids[2], ids[0]});
    for (const session& x : found) CHECK(x.series == weekly);
    CHECK(found[1].status == session_status::cancelled);
    CHECK(ids_of(s.series_sessions(other)) == std::vector<session_id>{ids[3]});
    CHECK(s.series_sessions(slotbook::series_id{7}).empty());
  });
}

STORE_TEST("update_session moves a session into a series and out of it again") {
  TestType backend;
  store& s = backend.store;
  session x = make_session(1, 2, at("2026-03-02T10:00:00Z"), 60min);
  x.id = in_write(s, [&] { return s.insert_session(x); });
  x.series = slotbook::series_id{9};
  in_write(s, [&] { s.update_session(x); });
  CHECK(ids_of(in_read(s, [&] { return s.series_sessions(slotbook::series_id{9}); })) ==
        std::vector<session_id>{x.id});
  CHECK(in_read(s, [&] { return s.find_session(x.id); }) == x);
  x.series = slotbook::series_id{};
  in_write(s, [&] { s.update_session(x); });
  CHECK(in_read(s, [&] { return s.series_sessions(slotbook::series_id{9}); }).empty());
  CHECK(in_read(s, [&] { return s.find_session(x.id); })->series == slotbook::series_id{});
}

STORE_TEST("next_series_id counts up from 1 across committed transactions") {
  TestType backend;
  store& s = backend.store;
  CHECK(in_write(s, [&] { return s.next_series_id(); }) == slotbook::series_id{1});
  CHECK(in_write(s, [&] { return s.next_series_id(); }) == slotbook::series_id{2});
  in_write(s, [&] {
    CHECK(s.next_series_id() == slotbook::series_id{3});
    CHECK(s.next_series_id() == slotbook::series_id{4});
  });
}

STORE_TEST("next_series_id goes above a series id stored on a session") {
  TestType backend;
  store& s = backend.store;
  CHECK(in_write(s, [&] { return s.next_series_id(); }) == slotbook::series_id{1});
  session x = make_session(1, 2, at("2026-03-02T10:00:00Z"), 60min);
  x.series = slotbook::series_id{40};
  in_write(s, [&] { s.insert_session(x); });
  CHECK(in_write(s, [&] { return s.next_series_id(); }) == slotbook::series_id{41});
}

STORE_TEST("a rolled-back series id is handed out again, and its sessions are gone") {
  TestType backend;
  store& s = backend.store;
  {
    transaction tx(s, access::write);
    const slotbook::series_id id = s.next_series_id();
    CHECK(id == slotbook::series_id{1});
    session x = make_session(1, 2, at("2026-03-02T10:00:00Z"), 60min);
    x.series = id;
    s.insert_session(x);
    // no commit: rolled back
  }
  CHECK(in_read(s, [&] { return s.series_sessions(slotbook::series_id{1}); }).empty());
  CHECK(in_write(s, [&] { return s.next_series_id(); }) == slotbook::series_id{1});
}

STORE_TEST("next_series_id needs a write transaction") {
  TestType backend;
  store& s = backend.store;
  transaction tx(s, access::read);
  expect_error([&] { s.next_series_id(); }, errc::storage, "next_series_id");
}

// --- series records -----------------------------------------------------------------------------

namespace {

// A series record with every field away from its default.
slotbook::series_record make_series_record(std::uint64_t id) {
  slotbook::series_record r;
  r.id = slotbook::series_id{id};
  r.provider = provider_id{11};
  r.client = client_id{12};
  r.rule = "FREQ=WEEKLY;INTERVAL=2;COUNT=6;BYDAY=MO,TH";
  r.start = {date::year{2026} / 3 / 2, 9h + 30min, "Europe/Berlin"};
  r.duration = 50min;
  r.type = slotbook::session_type::follow_up;
  r.created_at = at("2026-02-20T08:15:00Z");
  return r;
}

}  // namespace

STORE_TEST("a stored series record reads back field for field") {
  TestType backend;
  store& s = backend.store;
  const slotbook::series_record small = make_series_record(3);
  // Above 2^63 - 1: stored bit for bit in the SQL backends' signed integers.
  slotbook::series_record big = make_series_record(0x8000'0000'0000'0005);
  big.rule = "FREQ=DAILY;UNTIL=20260310T000000Z";
  big.start = {date::year{2026} / 3 / 1, 0s, "Africa/Nairobi"};
  big.type = slotbook::session_type::emergency;
  in_write(s, [&] {
    s.put_series(small);
    s.put_series(big);
  });
  in_read(s, [&] {
    CHECK(s.find_series(small.id) == small);
    CHECK(s.find_series(big.id) == big);
  });
}

STORE_TEST("find_series is empty for a zero id and for an id without a record") {
  TestType backend;
  store& s = backend.store;
  in_write(s, [&] { s.put_series(make_series_record(3)); });
  // A session of series 4 does not make a record of it.
  session x = make_session(1, 2, at("2026-03-02T10:00:00Z"), 60min);
  x.series = slotbook::series_id{4};
  in_write(s, [&] { s.insert_session(x); });
  in_read(s, [&] {
    CHECK_FALSE(s.find_series(slotbook::series_id{}).has_value());
    CHECK_FALSE(s.find_series(slotbook::series_id{4}).has_value());
    CHECK_FALSE(s.find_series(slotbook::series_id{2}).has_value());
  });
}

STORE_TEST("put_series refuses a second record with the same id and keeps the first") {
  TestType backend;
  store& s = backend.store;
  const slotbook::series_record first = make_series_record(3);
  in_write(s, [&] { s.put_series(first); });
  slotbook::series_record again = make_series_record(3);
  again.client = client_id{99};
  {
    transaction tx(s, access::write);
    expect_error([&] { s.put_series(again); }, errc::conflict, "series 3");
    // The refusal leaves the transaction usable (PostgreSQL aborts on a failed statement).
    s.put_series(make_series_record(4));
    tx.commit();
  }
  CHECK(in_read(s, [&] { return s.find_series(slotbook::series_id{3}); }) == first);
  CHECK(in_read(s, [&] { return s.find_series(slotbook::series_id{4}); }).has_value());
}

STORE_TEST("put_series refuses an invalid record and stores nothing") {
  TestType backend;
  store& s = backend.store;
  slotbook::series_record lowercase = make_series_record(3);
  lowercase.rule = "freq=weekly;count=6";  // parses, but is not the canonical text
  slotbook::series_record no_zone = make_series_record(4);
  no_zone.start.zone = "Mars/Olympus";
  slotbook::series_record no_client = make_series_record(5);
  no_client.client = client_id{};
  {
    transaction tx(s, access::write);
    expect_error([&] { s.put_series(lowercase); }, errc::invalid_argument, "canonical");
    expect_error([&] { s.put_series(no_zone); }, errc::invalid_argument, "Mars/Olympus");
    expect_error([&] { s.put_series(no_client); }, errc::invalid_argument, "series.client");
    tx.commit();
  }
  in_read(s, [&] {
    for (const std::uint64_t id : {std::uint64_t{3}, std::uint64_t{4}, std::uint64_t{5}}) {
      CHECK_FALSE(s.find_series(slotbook::series_id{id}));
    }
  });
}

STORE_TEST("a rolled-back series record is gone") {
  TestType backend;
  store& s = backend.store;
  {
    transaction tx(s, access::write);
    s.put_series(make_series_record(3));
    CHECK(s.find_series(slotbook::series_id{3}).has_value());
    // no commit: rolled back
  }
  CHECK_FALSE(in_read(s, [&] { return s.find_series(slotbook::series_id{3}); }).has_value());
}

STORE_TEST("next_series_id goes above a series record's id") {
  TestType backend;
  store& s = backend.store;
  CHECK(in_write(s, [&] { return s.next_series_id(); }) == slotbook::series_id{1});
  in_write(s, [&] { s.put_series(make_series_record(70)); });
  CHECK(in_write(s, [&] { return s.next_series_id(); }) == slotbook::series_id{71});
}

STORE_TEST("put_series needs a write transaction") {
  TestType backend;
  store& s = backend.store;
  transaction tx(s, access::read);
  expect_error([&] { s.put_series(make_series_record(3)); }, errc::storage, "put_series");
}

// --- group sessions -----------------------------------------------------------------------------

namespace {

// A scheduled group session of `provider` with `capacity` seats: no client of its own.
session make_group(std::uint64_t provider, instant start, std::int32_t capacity = 3) {
  session g = make_session(provider, 1, start, 60min);
  g.client = client_id{};
  g.type = slotbook::session_type::group;
  g.capacity = capacity;
  return g;
}

// A held seat of `client` in `group`, booked a day before the group starts.
slotbook::seat make_seat(session_id group, std::uint64_t client, instant group_start) {
  slotbook::seat t;
  t.session = group;
  t.client = client_id{client};
  t.amount = slotbook::money::kes(50000);
  t.created_at = t.updated_at = group_start - 24h;
  return t;
}

std::vector<std::int64_t> seat_ids(const std::vector<slotbook::seat>& seats) {
  std::vector<std::int64_t> out;
  for (const slotbook::seat& t : seats) out.push_back(t.id);
  return out;
}

}  // namespace

STORE_TEST("a group session reads back with its type, its capacity and no client") {
  TestType backend;
  store& s = backend.store;
  const session g = make_group(4, at("2026-03-02T15:00:00Z"), 12);
  const session_id id = in_write(s, [&] { return s.insert_session(g); });
  session expected = g;
  expected.id = id;
  CHECK(in_read(s, [&] { return s.find_session(id); }) == expected);
  // It holds its provider's time like any session.
  CHECK(ids_of(in_read(s, [&] {
          return s.active_provider_sessions(
              provider_id{4}, {at("2026-03-02T15:30:00Z"), at("2026-03-02T15:31:00Z")});
        })) == std::vector<session_id>{id});
}

STORE_TEST("a seat reads back field for field, and session_seats lists a group's seats by id") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T15:00:00Z");
  const session_id g = in_write(s, [&] { return s.insert_session(make_group(4, t)); });
  const session_id other = in_write(s, [&] { return s.insert_session(make_group(4, t + 2h)); });
  slotbook::seat full = make_seat(g, 8, t);
  full.status = session_status::cancelled;
  full.amount = slotbook::money{2500, slotbook::currency::parse("USD")};
  full.payment = slotbook::payment_status::refunded;
  full.payment_method = "card";
  full.transaction_id = "tx-seat-1";
  full.refunded_minor = 1250;
  full.cancelled_at = t - 2h;
  full.cancellation_reason = "travelling";
  full.cancelled_by = slotbook::role::client;
  const std::int64_t a = in_write(s, [&] { return s.insert_seat(make_seat(g, 7, t)); });
  const std::int64_t b = in_write(s, [&] { return s.insert_seat(full); });
  const std::int64_t c = in_write(s, [&] { return s.insert_seat(make_seat(other, 7, t + 2h)); });
  CHECK(a > 0);
  CHECK(b > a);
  CHECK(c > b);
  const std::vector<slotbook::seat> seats = in_read(s, [&] { return s.session_seats(g); });
  REQUIRE(seat_ids(seats) == std::vector<std::int64_t>{a, b});
  slotbook::seat expected = full;
  expected.id = b;
  CHECK(seats[1] == expected);
  CHECK(seats[0].client == client_id{7});
  CHECK(seat_ids(in_read(s, [&] { return s.session_seats(other); })) ==
        std::vector<std::int64_t>{c});
  CHECK(in_read(s, [&] { return s.session_seats(session_id{999}); }).empty());
}

STORE_TEST(
    "insert_seat refuses a second held seat of one client in one group, not a new one "
    "after a cancelled one") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T15:00:00Z");
  const session_id g = in_write(s, [&] { return s.insert_session(make_group(4, t)); });
  const std::int64_t first = in_write(s, [&] { return s.insert_seat(make_seat(g, 7, t)); });
  in_write(s, [&] {
    expect_error([&] { s.insert_seat(make_seat(g, 7, t)); }, errc::conflict, "client 7");
  });
  slotbook::seat gone = in_read(s, [&] { return s.session_seats(g); }).at(0);
  gone.status = session_status::cancelled;
  gone.cancelled_at = t - 1h;
  in_write(s, [&] { s.update_seat(gone); });
  const std::int64_t again = in_write(s, [&] { return s.insert_seat(make_seat(g, 7, t)); });
  CHECK(again != first);
  CHECK(in_read(s, [&] { return s.session_seats(g); }).size() == 2);
}

STORE_TEST("insert_seat refuses a seat of a session that is not a stored group session") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T15:00:00Z");
  const session_id single =
      in_write(s, [&] { return s.insert_session(make_session(4, 7, t, 60min)); });
  in_write(s, [&] {
    expect_error([&] { s.insert_seat(make_seat(single, 8, t)); }, errc::not_found,
                 "not a group session");
    expect_error([&] { s.insert_seat(make_seat(session_id{999}, 8, t)); }, errc::not_found,
                 "not a group session");
  });
}

STORE_TEST("insert_seat and update_seat refuse an invalid seat") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T15:00:00Z");
  const session_id g = in_write(s, [&] { return s.insert_session(make_group(4, t)); });
  slotbook::seat bad = make_seat(g, 7, t);
  bad.refunded_minor = 1;  // refunded without payment status refunded
  in_write(s,
           [&] { expect_error([&] { s.insert_seat(bad); }, errc::invalid_argument, "payment"); });
  slotbook::seat held = make_seat(g, 7, t);
  held.id = in_write(s, [&] { return s.insert_seat(held); });
  held.status = session_status::completed;
  in_write(s,
           [&] { expect_error([&] { s.update_seat(held); }, errc::invalid_argument, "status"); });
}

STORE_TEST("update_seat replaces a seat, refuses an unknown one and one moved to another client") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T15:00:00Z");
  const session_id g = in_write(s, [&] { return s.insert_session(make_group(4, t)); });
  slotbook::seat x = make_seat(g, 7, t);
  x.id = in_write(s, [&] { return s.insert_seat(x); });
  x.payment = slotbook::payment_status::paid;
  x.transaction_id = "tx-9";
  x.updated_at = t - 1h;
  in_write(s, [&] { s.update_seat(x); });
  CHECK(in_read(s, [&] { return s.session_seats(g); }) == std::vector{x});
  slotbook::seat unknown = x;
  unknown.id = x.id + 100;
  in_write(s, [&] { expect_error([&] { s.update_seat(unknown); }, errc::not_found, "seat"); });
  slotbook::seat moved = x;
  moved.client = client_id{8};
  in_write(s, [&] {
    expect_error([&] { s.update_seat(moved); }, errc::invalid_argument, "cannot change");
  });
  CHECK(in_read(s, [&] { return s.session_seats(g); }) == std::vector{x});
}

STORE_TEST("a rolled-back seat is gone and its change undone") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T15:00:00Z");
  const session_id g = in_write(s, [&] { return s.insert_session(make_group(4, t)); });
  slotbook::seat x = make_seat(g, 7, t);
  x.id = in_write(s, [&] { return s.insert_seat(x); });
  {
    transaction tx(s, access::write);
    s.insert_seat(make_seat(g, 8, t));
    slotbook::seat changed = x;
    changed.status = session_status::cancelled;
    changed.cancelled_at = t - 1h;
    s.update_seat(changed);
  }
  CHECK(in_read(s, [&] { return s.session_seats(g); }) == std::vector{x});
}

STORE_TEST("active_client_group_sessions lists the live groups a client holds a seat in") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T15:00:00Z");
  const session_id early = in_write(s, [&] { return s.insert_session(make_group(4, t)); });
  const session_id late = in_write(s, [&] { return s.insert_session(make_group(5, t + 3h)); });
  const session_id left = in_write(s, [&] { return s.insert_session(make_group(4, t + 6h)); });
  session over = make_group(4, t + 9h);
  over.status = session_status::cancelled;
  over.cancelled_at = t;
  over.cancelled_by = slotbook::role::provider;
  over.cancelled_from = session_status::scheduled;
  const session_id ended = in_write(s, [&] { return s.insert_session(over); });
  in_write(s, [&] {
    // Inserted latest first: the answer is by start.
    s.insert_seat(make_seat(late, 7, t + 3h));
    s.insert_seat(make_seat(early, 7, t));
    slotbook::seat gone = make_seat(left, 7, t + 6h);
    gone.status = session_status::cancelled;
    gone.cancelled_at = t - 1h;
    s.insert_seat(gone);                         // a seat given up does not count
    s.insert_seat(make_seat(ended, 7, t + 9h));  // nor one in a cancelled group
    s.insert_seat(make_seat(early, 8, t));       // nor another client's
  });
  const interval day{t - 1h, t + 24h};
  CHECK(ids_of(in_read(s, [&] { return s.active_client_group_sessions(client_id{7}, day); })) ==
        std::vector<session_id>{early, late});
  // Overlap with the range, half-open: a group ending at the range's start is out.
  CHECK(ids_of(in_read(s, [&] {
          return s.active_client_group_sessions(client_id{7}, {t + 1h, t + 3h});
        })).empty());
  CHECK(ids_of(in_read(s, [&] {
          return s.active_client_group_sessions(client_id{7}, {t + 59min, t + 3h + 1min});
        })) == std::vector<session_id>{early, late});
  CHECK(in_read(s, [&] { return s.active_client_group_sessions(client_id{9}, day); }).empty());
  // Group sessions are never a client's own sessions.
  CHECK(in_read(s, [&] { return s.active_client_sessions(client_id{7}, day); }).empty());
}

STORE_TEST("purge_sessions removes a purged group session's seats") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T15:00:00Z");
  session g = make_group(4, t);
  g.status = session_status::cancelled;
  g.cancelled_at = t - 48h;
  g.cancelled_by = slotbook::role::provider;
  g.cancelled_from = session_status::scheduled;
  const session_id id = in_write(s, [&] { return s.insert_session(g); });
  in_write(s, [&] {
    slotbook::seat gone = make_seat(id, 7, t);
    gone.status = session_status::cancelled;
    gone.cancelled_at = t - 48h;
    s.insert_seat(gone);
    s.mark_session_deleted({id, t, "client request"});
  });
  in_write(s, [&] { CHECK(s.purge_sessions(t + 1h, 10) == std::vector{id}); });
  CHECK(in_read(s, [&] { return s.session_seats(id); }).empty());
}

STORE_TEST("the seat methods need a transaction of the right kind") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T15:00:00Z");
  const session_id g = in_write(s, [&] { return s.insert_session(make_group(4, t)); });
  transaction tx(s, access::read);
  expect_error([&] { s.insert_seat(make_seat(g, 7, t)); }, errc::storage, "insert_seat");
  expect_error([&] { s.update_seat(make_seat(g, 7, t)); }, errc::storage, "update_seat");
}

STORE_TEST(
    "unpaid_seats lists active unpaid priced seats old enough, oldest first, up to a limit") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T15:00:00Z");
  const instant booked = t - 24h;  // make_seat's created_at
  const session_id g = in_write(s, [&] { return s.insert_session(make_group(4, t, 10)); });
  const auto add = [&](std::uint64_t client, instant created, auto&& change) {
    slotbook::seat x = make_seat(g, client, t);
    x.created_at = x.updated_at = created;
    change(x);
    return in_write(s, [&] { return s.insert_seat(x); });
  };
  const auto same = [](slotbook::seat&) {};
  const std::int64_t second = add(7, booked + 1min, same);
  const std::int64_t first = add(8, booked, same);
  const std::int64_t tie = add(9, booked + 1min, same);
  add(10, booked + 10min, same);  // too young for the query below
  add(11, booked, [](slotbook::seat& x) {
    x.payment = slotbook::payment_status::paid;
    x.transaction_id = "TX";
  });
  add(12, booked, [](slotbook::seat& x) { x.amount = slotbook::money::kes(0); });
  add(13, booked, [&](slotbook::seat& x) {
    x.status = session_status::cancelled;
    x.cancelled_at = booked;
  });
  const auto unpaid = [&](std::size_t limit) {
    return seat_ids(in_read(s, [&] { return s.unpaid_seats(booked + 5min, limit); }));
  };
  CHECK(unpaid(10) == std::vector<std::int64_t>{first, second, tie});
  CHECK(unpaid(2) == std::vector<std::int64_t>{first, second});
  CHECK(seat_ids(in_read(s, [&] { return s.unpaid_seats(booked - 1s, 10); })).empty());
}

// --- waitlist -----------------------------------------------------------------------------------

namespace {

// A waiting entry of `client` for `provider` over `range`, joined at `joined`.
slotbook::waitlist_entry make_entry(std::uint64_t provider, std::uint64_t client, interval range,
                                    instant joined) {
  slotbook::waitlist_entry e;
  e.provider = provider_id{provider};
  e.client = client_id{client};
  e.range = range;
  e.joined_at = e.updated_at = joined;
  return e;
}

std::vector<std::int64_t> entry_ids(const std::vector<slotbook::waitlist_entry>& entries) {
  std::vector<std::int64_t> out;
  for (const auto& e : entries) out.push_back(e.id);
  return out;
}

}  // namespace

STORE_TEST("a waitlist entry reads back field for field") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T00:00:00Z");
  slotbook::waitlist_entry full = make_entry(4, 7, {t, t + 72h}, t - 24h);
  full.type = slotbook::session_type::follow_up;
  full.earliest_local = 9h;
  full.latest_local = 17h + 30min;
  full.state = slotbook::waitlist_state::offered;
  full.offer = interval{t + 10h, t + 11h};
  full.offer_expires = t - 1h;
  full.updated_at = t - 2h;
  const std::int64_t id = in_write(s, [&] { return s.insert_waitlist_entry(full); });
  CHECK(id > 0);
  slotbook::waitlist_entry expected = full;
  expected.id = id;
  CHECK(in_read(s, [&] { return s.find_waitlist_entry(id); }) == expected);
  CHECK_FALSE(in_read(s, [&] { return s.find_waitlist_entry(id + 1); }).has_value());
  // And one with nothing optional set.
  const slotbook::waitlist_entry bare = make_entry(4, 8, {t, t + 1h}, t - 24h);
  const std::int64_t second = in_write(s, [&] { return s.insert_waitlist_entry(bare); });
  CHECK(second > id);
  expected = bare;
  expected.id = second;
  CHECK(in_read(s, [&] { return s.find_waitlist_entry(second); }) == expected);
}

STORE_TEST("update_waitlist_entry replaces an entry and refuses an unknown or moved one") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T00:00:00Z");
  slotbook::waitlist_entry e = make_entry(4, 7, {t, t + 72h}, t - 24h);
  e.id = in_write(s, [&] { return s.insert_waitlist_entry(e); });
  e.state = slotbook::waitlist_state::booked;
  e.booked = session_id{55};
  e.offer = interval{t + 1h, t + 2h};
  in_write(s, [&] { s.update_waitlist_entry(e); });
  CHECK(in_read(s, [&] { return s.find_waitlist_entry(e.id); }) == e);
  slotbook::waitlist_entry unknown = e;
  unknown.id = e.id + 10;
  in_write(s, [&] {
    expect_error([&] { s.update_waitlist_entry(unknown); }, errc::not_found, "waitlist entry");
  });
  slotbook::waitlist_entry moved = e;
  moved.client = client_id{8};
  in_write(s, [&] {
    expect_error([&] { s.update_waitlist_entry(moved); }, errc::invalid_argument, "cannot change");
  });
}

STORE_TEST("insert_waitlist_entry refuses an invalid entry") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T00:00:00Z");
  slotbook::waitlist_entry e = make_entry(4, 7, {t, t + 72h}, t - 24h);
  e.state = slotbook::waitlist_state::offered;  // without an offer
  in_write(s, [&] {
    expect_error([&] { s.insert_waitlist_entry(e); }, errc::invalid_argument, "offer");
  });
  e = make_entry(4, 7, {t, t + 72h}, t - 24h);
  e.type = slotbook::session_type::group;
  in_write(s, [&] {
    expect_error([&] { s.insert_waitlist_entry(e); }, errc::invalid_argument, "type");
  });
}

STORE_TEST(
    "open_waitlist_entries lists a provider's open entries overlapping a range, in line "
    "order") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T00:00:00Z");
  std::vector<std::int64_t> ids;
  in_write(s, [&] {
    // Joined out of id order: the line is by joined_at, then id.
    ids.push_back(s.insert_waitlist_entry(make_entry(4, 7, {t, t + 24h}, t - 1h)));
    ids.push_back(s.insert_waitlist_entry(make_entry(4, 8, {t + 12h, t + 48h}, t - 3h)));
    ids.push_back(s.insert_waitlist_entry(make_entry(4, 9, {t, t + 24h}, t - 1h)));
    ids.push_back(s.insert_waitlist_entry(make_entry(5, 7, {t, t + 24h}, t - 5h)));  // other
    slotbook::waitlist_entry gone = make_entry(4, 10, {t, t + 24h}, t - 9h);
    gone.state = slotbook::waitlist_state::withdrawn;
    ids.push_back(s.insert_waitlist_entry(gone));
    slotbook::waitlist_entry offered = make_entry(4, 11, {t, t + 24h}, t - 2h);
    offered.state = slotbook::waitlist_state::offered;
    offered.offer = interval{t + 1h, t + 2h};
    offered.offer_expires = t;
    ids.push_back(s.insert_waitlist_entry(offered));
  });
  CHECK(entry_ids(in_read(s, [&] {
          return s.open_waitlist_entries(provider_id{4}, {t, t + 1h});
        })) == std::vector<std::int64_t>{ids[5], ids[0], ids[2]});
  CHECK(entry_ids(in_read(s, [&] {
          return s.open_waitlist_entries(provider_id{4}, {t + 20h, t + 30h});
        })) == std::vector<std::int64_t>{ids[1], ids[5], ids[0], ids[2]});
  // Half-open: a range ending where the entry starts does not overlap it.
  CHECK(entry_ids(in_read(s, [&] {
          return s.open_waitlist_entries(provider_id{4}, {t + 24h, t + 30h});
        })) == std::vector<std::int64_t>{ids[1]});
  CHECK(in_read(s, [&] { return s.open_waitlist_entries(provider_id{6}, {t, t + 1h}); }).empty());
}

STORE_TEST("due_offers lists offers past their deadline, earliest first, up to a limit") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T00:00:00Z");
  std::vector<std::int64_t> ids;
  in_write(s, [&] {
    for (const auto& [client, deadline] : {std::pair{7, t + 2h}, std::pair{8, t + 1h},
                                           std::pair{9, t + 3h}, std::pair{10, t + 1h}}) {
      slotbook::waitlist_entry e =
          make_entry(4, static_cast<std::uint64_t>(client), {t, t + 24h}, t - 1h);
      e.state = slotbook::waitlist_state::offered;
      e.offer = interval{t + 5h, t + 6h};
      e.offer_expires = deadline;
      ids.push_back(s.insert_waitlist_entry(e));
    }
    s.insert_waitlist_entry(make_entry(4, 11, {t, t + 24h}, t - 1h));  // waiting: never due
  });
  CHECK(entry_ids(in_read(s, [&] { return s.due_offers(t + 2h, 10); })) ==
        std::vector<std::int64_t>{ids[1], ids[3], ids[0]});
  CHECK(entry_ids(in_read(s, [&] { return s.due_offers(t + 2h, 2); })) ==
        std::vector<std::int64_t>{ids[1], ids[3]});
  CHECK(in_read(s, [&] { return s.due_offers(t + 59min, 10); }).empty());
}

STORE_TEST("client_waitlist lists every entry of a client by id, and a rolled-back one is gone") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T00:00:00Z");
  const std::int64_t a = in_write(s, [&] {
    return s.insert_waitlist_entry(make_entry(4, 7, {t, t + 24h}, t - 1h));
  });
  slotbook::waitlist_entry done = make_entry(5, 7, {t, t + 24h}, t - 2h);
  done.state = slotbook::waitlist_state::lapsed;
  const std::int64_t b = in_write(s, [&] { return s.insert_waitlist_entry(done); });
  in_write(s, [&] { s.insert_waitlist_entry(make_entry(4, 8, {t, t + 24h}, t - 1h)); });
  {
    transaction tx(s, access::write);
    s.insert_waitlist_entry(make_entry(4, 7, {t, t + 24h}, t));
  }
  CHECK(entry_ids(in_read(s, [&] { return s.client_waitlist(client_id{7}); })) ==
        std::vector<std::int64_t>{a, b});
  CHECK(in_read(s, [&] { return s.client_waitlist(client_id{9}); }).empty());
}

STORE_TEST("the waitlist writes need a write transaction") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T00:00:00Z");
  transaction tx(s, access::read);
  expect_error(
      [&] {
        s.insert_waitlist_entry(make_entry(4, 7, {t, t + 1h}, t));
      },
      errc::storage, "insert_waitlist_entry");
}

// --- external busy time
// ---------------------------------------------------------------------------

namespace {

slotbook::busy_block make_block(std::uint64_t provider, std::string source, std::string uid,
                                interval time) {
  slotbook::busy_block b;
  b.provider = provider_id{provider};
  b.source = std::move(source);
  b.uid = std::move(uid);
  b.time = time;
  b.imported_at = at("2026-02-01T08:00:00Z");
  return b;
}

std::vector<std::string> block_uids(const std::vector<slotbook::busy_block>& blocks) {
  std::vector<std::string> out;
  for (const slotbook::busy_block& b : blocks) out.push_back(b.uid);
  return out;
}

}  // namespace

STORE_TEST("busy blocks read back field for field, ordered by begin, end, source and uid") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T09:00:00Z");
  slotbook::busy_block all_day = make_block(4, "work", "day@x", {t - 9h, t + 15h});
  all_day.all_day = true;
  const std::vector<slotbook::busy_block> work{
      make_block(4, "work", "b@x", {t, t + 1h}), make_block(4, "work", "a@x", {t, t + 1h}),
      make_block(4, "work", "late@x", {t + 2h, t + 3h}), all_day};
  const std::vector<slotbook::busy_block> home{make_block(4, "home", "short@x", {t, t + 30min})};
  const interval march{at("2026-03-01T00:00:00Z"), at("2026-04-01T00:00:00Z")};
  in_write(s, [&] {
    CHECK(s.replace_busy_blocks(provider_id{4}, "work", march, work) == 0);
    CHECK(s.replace_busy_blocks(provider_id{4}, "home", march, home) == 0);
  });
  const auto found = in_read(s, [&] { return s.busy_blocks(provider_id{4}, march); });
  // all_day begins first; at t the 30-minute block ends first; then "a@x" before "b@x".
  CHECK(block_uids(found) == std::vector<std::string>{"day@x", "short@x", "a@x", "b@x", "late@x"});
  REQUIRE(found.size() == 5);
  CHECK(found[0] == all_day);
  CHECK(found[3] == work[0]);
}

STORE_TEST("busy_blocks returns the blocks overlapping the range, of that provider only") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T09:00:00Z");
  const interval year{at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z")};
  in_write(s, [&] {
    s.replace_busy_blocks(provider_id{4}, "work", year,
                          std::vector{make_block(4, "work", "nine", {t, t + 1h}),
                                      make_block(4, "work", "long", {t - 300 * 24h, t + 1h}),
                                      make_block(4, "work", "eleven", {t + 2h, t + 3h})});
    s.replace_busy_blocks(provider_id{5}, "work", year,
                          std::vector{make_block(5, "work", "other", {t, t + 1h})});
  });
  const auto within = [&](interval r) {
    return block_uids(in_read(s, [&] { return s.busy_blocks(provider_id{4}, r); }));
  };
  // Touching is not overlapping: [t + 1h, t + 2h) meets "nine" and "long" at their end and
  // "eleven" at its begin.
  CHECK(within({t + 1h, t + 2h}).empty());
  CHECK(within({t + 30min, t + 90min}) == std::vector<std::string>{"long", "nine"});
  CHECK(within({t - 200 * 24h, t - 199 * 24h}) == std::vector<std::string>{"long"});
  CHECK(within({t + 150min, t + 4h}) == std::vector<std::string>{"eleven"});
  CHECK(in_read(s, [&] { return s.busy_blocks(provider_id{6}, year); }).empty());
}

STORE_TEST("replacing busy blocks swaps one source's blocks in the window and keeps the rest") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T09:00:00Z");
  const interval week{t - 9h, t - 9h + 7 * 24h};
  const interval year{at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z")};
  in_write(s, [&] {
    s.replace_busy_blocks(
        provider_id{4}, "work", year,
        std::vector{make_block(4, "work", "in-week", {t, t + 1h}),
                    make_block(4, "work", "straddles", {week.end - 1h, week.end + 1h}),
                    make_block(4, "work", "next-month", {t + 31 * 24h, t + 31 * 24h + 1h})});
    s.replace_busy_blocks(provider_id{4}, "home", year,
                          std::vector{make_block(4, "home", "home", {t, t + 1h})});
  });
  // A new import of the week for "work": the blocks overlapping the week go, whole.
  const std::size_t removed = in_write(s, [&] {
    return s.replace_busy_blocks(provider_id{4}, "work", week,
                                 std::vector{make_block(4, "work", "new", {t + 4h, t + 5h})});
  });
  CHECK(removed == 2);
  CHECK(block_uids(in_read(s, [&] { return s.busy_blocks(provider_id{4}, year); })) ==
        std::vector<std::string>{"home", "new", "next-month"});
  // An empty import clears the source's window.
  CHECK(in_write(s, [&] { return s.replace_busy_blocks(provider_id{4}, "work", week, {}); }) == 1);
  CHECK(block_uids(in_read(s, [&] { return s.busy_blocks(provider_id{4}, year); })) ==
        std::vector<std::string>{"home", "next-month"});
}

STORE_TEST("a rolled-back replacement of busy blocks leaves the old ones") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T09:00:00Z");
  const interval week{t - 9h, t - 9h + 7 * 24h};
  in_write(s, [&] {
    s.replace_busy_blocks(provider_id{4}, "work", week,
                          std::vector{make_block(4, "work", "old", {t, t + 1h})});
  });
  {
    transaction tx(s, access::write);
    s.replace_busy_blocks(provider_id{4}, "work", week,
                          std::vector{make_block(4, "work", "new", {t + 2h, t + 3h})});
    // no commit: rolled back
  }
  CHECK(block_uids(in_read(s, [&] { return s.busy_blocks(provider_id{4}, week); })) ==
        std::vector<std::string>{"old"});
}

STORE_TEST("replace_busy_blocks refuses invalid blocks and changes nothing") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T09:00:00Z");
  const interval week{t - 9h, t - 9h + 7 * 24h};
  in_write(s, [&] {
    s.replace_busy_blocks(provider_id{4}, "work", week,
                          std::vector{make_block(4, "work", "old", {t, t + 1h})});
  });
  const auto refuses = [&](const std::vector<slotbook::busy_block>& blocks, std::string_view source,
                           std::string_view fragment) {
    transaction tx(s, access::write);
    expect_error([&] { s.replace_busy_blocks(provider_id{4}, source, week, blocks); },
                 errc::invalid_argument, fragment);
  };
  refuses({make_block(4, "work", "empty", {t, t})}, "work", "time: ");
  refuses({make_block(4, "work", "", {t, t + 1h}), make_block(5, "work", "x", {t, t + 1h})}, "work",
          "belongs to provider 5");
  refuses({make_block(4, "home", "x", {t, t + 1h})}, "work", "source \"home\"");
  refuses({}, "", "source: ");
  refuses({}, "bad\nsource", "contains a control character");
  refuses({make_block(4, "work", "long", {t, t + 367 * 24h})}, "work", "at most 366 days");
  CHECK(block_uids(in_read(s, [&] { return s.busy_blocks(provider_id{4}, week); })) ==
        std::vector<std::string>{"old"});
}

STORE_TEST("replace_busy_blocks needs a write transaction") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T09:00:00Z");
  transaction tx(s, access::read);
  expect_error(
      [&] {
        s.replace_busy_blocks(provider_id{4}, "work", {t, t + 1h}, {});
      },
      errc::storage, "replace_busy_blocks");
}

// --- intake forms
// --------------------------------------------------------------------------------- The store keeps
// sealed forms as it is given them; it never sees a key. The forms here are sealed for real
// (crypto.hpp) so that what is stored has the shape the service stores.

STORE_TEST("a sealed intake form round-trips exactly, and putting it again replaces it") {
  TestType backend;
  store& s = backend.store;
  const slotbook::keyring ring = test_ring();
  const instant t = at("2026-03-02T10:00:00Z");
  const stored_intake empty = in_write(s, [&] {
    stored_intake f = sealed_form(s.next_intake_id(), 7, 3, ring, t);
    s.put_intake(f);
    return f;
  });
  CHECK(in_read(s, [&] { return s.find_intake(empty.form.id); }) == empty);

  // Every field set: three sealed steps, consents, completed_at, another key version.
  slotbook::keyring newer = test_ring();
  newer.add(2, slotbook::key_material::generate());
  stored_intake full = empty;
  full.form = slotbook::seal_intake(complete_form(empty.form.id, 7, 3, t + 1h), newer);
  full.updated_at = t + 1h;
  in_write(s, [&] { s.put_intake(full); });
  const auto found = in_read(s, [&] { return s.find_intake(empty.form.id); });
  REQUIRE(found.has_value());
  CHECK(*found == full);
  CHECK(slotbook::key_version(found->form) == 2);
  // What came back opens to what was sealed: not one byte changed on the way.
  CHECK(slotbook::open_intake(found->form, newer) == complete_form(empty.form.id, 7, 3, t + 1h));
  CHECK_FALSE(in_read(s, [&] { return s.find_intake(intake_id{empty.form.id.value + 1}); }));
}

STORE_TEST("intake ids count up, skip ids already stored and are not reused after a purge") {
  TestType backend;
  store& s = backend.store;
  const slotbook::keyring ring = test_ring();
  const instant t = at("2026-03-02T10:00:00Z");
  in_write(s, [&] {
    CHECK(s.next_intake_id() == intake_id{1});
    CHECK(s.next_intake_id() == intake_id{2});
  });
  {
    transaction tx(s, access::write);  // rolled back: its id may be handed out again
    CHECK(s.next_intake_id() == intake_id{3});
  }
  in_write(s, [&] {
    CHECK(s.next_intake_id() == intake_id{3});
    s.put_intake(sealed_form(intake_id{10}, 7, 0, ring, t));  // an id the host chose
    CHECK(s.next_intake_id() == intake_id{11});
  });
  in_write(s, [&] {
    stored_intake gone = *s.find_intake(intake_id{10});
    shred(gone, t + 1h);
    s.put_intake(gone);
    CHECK(s.purge_intakes(t + 2h, 10) == std::vector{intake_id{10}});
    CHECK(s.next_intake_id() == intake_id{12});
  });
}

STORE_TEST("client_intakes lists one client's forms by id, deleted ones included") {
  TestType backend;
  store& s = backend.store;
  const slotbook::keyring ring = test_ring();
  const instant t = at("2026-03-02T10:00:00Z");
  in_write(s, [&] {
    s.put_intake(sealed_form(intake_id{5}, 7, 0, ring, t));
    s.put_intake(sealed_form(intake_id{2}, 7, 1, ring, t));
    s.put_intake(sealed_form(intake_id{3}, 8, 0, ring, t));
    stored_intake deleted = sealed_form(intake_id{9}, 7, 0, ring, t);
    shred(deleted, t + 1h);
    s.put_intake(deleted);
  });
  in_read(s, [&] {
    CHECK(intake_ids(s.client_intakes(client_id{7})) ==
          std::vector{intake_id{2}, intake_id{5}, intake_id{9}});
    CHECK(intake_ids(s.client_intakes(client_id{8})) == std::vector{intake_id{3}});
    CHECK(s.client_intakes(client_id{9}).empty());
    CHECK(s.find_intake(intake_id{9})->deleted());
  });
  // Moving a form to another client moves it between the lists.
  in_write(s, [&] {
    stored_intake moved = *s.find_intake(intake_id{5});
    moved.form.client = client_id{8};
    s.put_intake(moved);
  });
  in_read(s, [&] {
    CHECK(intake_ids(s.client_intakes(client_id{7})) == std::vector{intake_id{2}, intake_id{9}});
    CHECK(intake_ids(s.client_intakes(client_id{8})) == std::vector{intake_id{3}, intake_id{5}});
  });
}

STORE_TEST("rotation batches are the live forms on another key version after the cursor, by id") {
  TestType backend;
  store& s = backend.store;
  slotbook::keyring ring = test_ring();
  const instant t = at("2026-03-02T10:00:00Z");
  in_write(s, [&] {
    for (std::uint64_t id : {4u, 1u, 6u, 3u})
      s.put_intake(sealed_form(intake_id{id}, 7, 0, ring, t));
    stored_intake deleted = sealed_form(intake_id{2}, 7, 0, ring, t);
    shred(deleted, t);
    s.put_intake(deleted);
  });
  ring.add(2, slotbook::key_material::generate());
  in_write(s, [&] {
    s.put_intake(sealed_form(intake_id{5}, 7, 0, ring, t));  // already on version 2
  });
  in_read(s, [&] {
    // On version 1, live: 1, 3, 4, 6 (2 is deleted, 5 is on version 2).
    CHECK(intake_ids(s.intakes_to_rotate(2, intake_id{}, 10)) ==
          std::vector{intake_id{1}, intake_id{3}, intake_id{4}, intake_id{6}});
    CHECK(intake_ids(s.intakes_to_rotate(2, intake_id{}, 2)) ==
          std::vector{intake_id{1}, intake_id{3}});
    CHECK(intake_ids(s.intakes_to_rotate(2, intake_id{3}, 2)) ==
          std::vector{intake_id{4}, intake_id{6}});
    CHECK(s.intakes_to_rotate(2, intake_id{6}, 10).empty());
    CHECK(s.intakes_to_rotate(2, intake_id{}, 0).empty());
    // Seen from version 1, only form 5 is elsewhere.
    CHECK(intake_ids(s.intakes_to_rotate(1, intake_id{}, 10)) == std::vector{intake_id{5}});
  });
}

STORE_TEST("an intake form the store cannot keep is refused and nothing is stored") {
  TestType backend;
  store& s = backend.store;
  const slotbook::keyring ring = test_ring();
  const instant t = at("2026-03-02T10:00:00Z");
  const stored_intake good = sealed_form(intake_id{4}, 7, 0, ring, t);
  transaction tx(s, access::write);
  stored_intake bad = good;
  bad.form.id = intake_id{};
  expect_error([&] { s.put_intake(bad); }, errc::invalid_argument, "intake.id");
  bad = good;
  bad.form.id = intake_id{std::uint64_t{1} << 63};
  expect_error([&] { s.put_intake(bad); }, errc::invalid_argument, "intake.id");
  bad = good;
  bad.form.client = client_id{};
  expect_error([&] { s.put_intake(bad); }, errc::invalid_argument, "intake.client");
  bad = good;
  bad.form.data_key = {};
  expect_error([&] { s.put_intake(bad); }, errc::invalid_argument, "intake.data_key");
  bad = good;
  bad.deleted_at = t;  // deleted, but the data key is still there
  expect_error([&] { s.put_intake(bad); }, errc::invalid_argument, "intake.deleted_at");
  shred(bad, t);
  bad.form.consent.consent_to_treatment = true;
  expect_error([&] { s.put_intake(bad); }, errc::invalid_argument, "intake.deleted_at");
  // The transaction is still usable, and nothing was stored.
  CHECK_FALSE(s.find_intake(intake_id{4}).has_value());
  CHECK_FALSE(s.find_intake(intake_id{}).has_value());
  s.put_intake(good);
  CHECK(s.find_intake(intake_id{4}) == good);
  tx.commit();
}

STORE_TEST("purging intake forms removes deleted ones deleted before the cutoff, oldest first") {
  TestType backend;
  store& s = backend.store;
  const slotbook::keyring ring = test_ring();
  const instant t = at("2026-03-02T10:00:00Z");
  in_write(s, [&] {
    s.put_intake(sealed_form(intake_id{1}, 7, 0, ring, t));  // live: never purged
    for (auto [id, hours] : {std::pair{2, 3}, {3, 1}, {4, 2}, {5, 5}}) {
      stored_intake f = sealed_form(intake_id{static_cast<std::uint64_t>(id)}, 7, 0, ring, t);
      shred(f, t + std::chrono::hours{hours});
      s.put_intake(f);
    }
  });
  // Deleted at t+3h, t+1h, t+2h, t+5h. Before t+3h: forms 3 (1h) and 4 (2h); the oldest first,
  // one at a time.
  in_write(s, [&] { CHECK(s.purge_intakes(t + 3h, 1) == std::vector{intake_id{3}}); });
  in_write(s, [&] {
    CHECK(s.purge_intakes(t + 3h, 10) == std::vector{intake_id{4}});  // 2 is not *before* t+3h
    CHECK(s.purge_intakes(t + 3h, 10).empty());
  });
  in_write(s, [&] {
    CHECK(s.purge_intakes(t + 6h, 10) == std::vector{intake_id{2}, intake_id{5}});
  });
  in_read(s,
          [&] { CHECK(intake_ids(s.client_intakes(client_id{7})) == std::vector{intake_id{1}}); });
}

// --- secure deletion of sessions ----------------------------------------------------------------

STORE_TEST("a session's deletion mark reads back, and marking an unknown session is not_found") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  const session_id id = in_write(
      s, [&] { return s.insert_session(make_session(1, 7, t, 60min, session_status::completed)); });
  const slotbook::session_deletion mark{id, t + 24h, "client request"};
  in_write(s, [&] {
    CHECK_FALSE(s.find_session_deletion(id).has_value());
    s.mark_session_deleted(mark);
    expect_error(
        [&] {
          s.mark_session_deleted({session_id{id.value + 1}, t, "x"});
        },
        errc::not_found, std::to_string(id.value + 1));
  });
  in_read(s, [&] {
    CHECK(s.find_session_deletion(id) == mark);
    CHECK_FALSE(s.find_session_deletion(session_id{id.value + 1}).has_value());
  });
  const slotbook::session_deletion again{id, t + 48h, "retention policy"};
  in_write(s, [&] { s.mark_session_deleted(again); });
  CHECK(in_read(s, [&] { return s.find_session_deletion(id); }) == again);
}

STORE_TEST("purging sessions removes those deleted before the cutoff with all their reminders") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  std::vector<session_id> ids;
  in_write(s, [&] {
    for (int i = 0; i < 4; ++i) {
      const session x =
          make_session(1, 7, t + std::chrono::hours{2 * i}, 60min, session_status::completed);
      ids.push_back(s.insert_session(x));
      const reminder r{ids.back(), x.scheduled_at - 2h, reminder_channel::email, 2h};
      s.enqueue_reminders(std::span(&r, 1), client_id{7});
    }
    // Delivered reminders are history, and go with the session all the same.
    const auto claimed = s.claim_due_reminders(t + 24h, 10, t + 25h);
    REQUIRE(claimed.size() == 4);
    queued_reminder sent = claimed[0];
    sent.state = reminder_state::sent;
    s.update_reminder(sent);
    s.mark_session_deleted({ids[0], t + 30h, "client request"});  // the later deletion
    s.mark_session_deleted({ids[2], t + 26h, "client request"});
    s.mark_session_deleted({ids[3], t + 40h, "client request"});
  });
  // Before t+31h: ids[2] (26h) then ids[0] (30h), oldest mark first; ids[3] (40h) stays.
  in_write(s, [&] { CHECK(s.purge_sessions(t + 31h, 10) == std::vector{ids[2], ids[0]}); });
  in_read(s, [&] {
    CHECK_FALSE(s.find_session(ids[0]).has_value());
    CHECK_FALSE(s.find_session(ids[2]).has_value());
    CHECK(s.session_reminders(ids[0]).empty());
    CHECK(s.session_reminders(ids[2]).empty());
    CHECK_FALSE(s.find_session_deletion(ids[0]).has_value());
    CHECK(s.find_session(ids[1]).has_value());  // never deleted
    CHECK(s.session_reminders(ids[1]).size() == 1);
    CHECK(s.find_session(ids[3]).has_value());
    CHECK(s.find_session_deletion(ids[3]).has_value());
    CHECK(ids_of(s.provider_sessions(provider_id{1}, {t - 1h, t + 48h})) ==
          std::vector{ids[1], ids[3]});
  });
  in_write(s, [&] {
    CHECK(s.purge_sessions(t + 41h, 0).empty());  // limit 0
    CHECK(s.purge_sessions(t + 41h, 10) == std::vector{ids[3]});
  });
}

STORE_TEST("a rolled-back transaction leaves no trace of intake forms, marks or purges") {
  TestType backend;
  store& s = backend.store;
  const slotbook::keyring ring = test_ring();
  const instant t = at("2026-03-02T10:00:00Z");
  stored_intake kept = sealed_form(intake_id{1}, 7, 0, ring, t);
  stored_intake shredded = sealed_form(intake_id{2}, 7, 0, ring, t);
  shred(shredded, t);
  session_id done;
  in_write(s, [&] {
    s.put_intake(kept);
    s.put_intake(shredded);
    done = s.insert_session(make_session(1, 7, t, 60min, session_status::completed));
    s.mark_session_deleted({done, t, "client request"});
    CHECK(s.next_intake_id() == intake_id{3});
  });
  {
    transaction tx(s, access::write);
    CHECK(s.next_intake_id() == intake_id{4});
    stored_intake changed = kept;
    changed.form.consent.consent_to_treatment = true;
    changed.form.client = client_id{8};
    s.put_intake(changed);
    s.put_intake(sealed_form(intake_id{5}, 7, 0, ring, t));
    CHECK(s.purge_intakes(t + 1h, 10) == std::vector{intake_id{2}});
    CHECK(s.purge_sessions(t + 1h, 10) == std::vector{done});
    // no commit
  }
  in_read(s, [&] {
    CHECK(s.find_intake(intake_id{1}) == kept);
    CHECK(s.find_intake(intake_id{2}) == shredded);
    CHECK_FALSE(s.find_intake(intake_id{5}).has_value());
    CHECK(intake_ids(s.client_intakes(client_id{7})) == std::vector{intake_id{1}, intake_id{2}});
    CHECK(s.client_intakes(client_id{8}).empty());
    CHECK(s.find_session(done).has_value());
    CHECK(s.find_session_deletion(done).has_value());
  });
  in_write(s, [&] { CHECK(s.next_intake_id() == intake_id{4}); });
}

STORE_TEST("intake and deletion methods need a transaction, and writes a write transaction") {
  TestType backend;
  store& s = backend.store;
  const slotbook::keyring ring = test_ring();
  const stored_intake f = sealed_form(intake_id{1}, 7, 0, ring, at("2026-03-02T10:00:00Z"));
  expect_error([&] { s.find_intake(intake_id{1}); }, errc::storage, "outside a transaction");
  expect_error([&] { s.put_intake(f); }, errc::storage, "outside a transaction");
  transaction tx(s, access::read);
  expect_error([&] { s.put_intake(f); }, errc::storage, "read-only");
  expect_error([&] { s.next_intake_id(); }, errc::storage, "read-only");
  expect_error([&] { s.purge_intakes(f.created_at, 1); }, errc::storage, "read-only");
  expect_error([&] { s.purge_sessions(f.created_at, 1); }, errc::storage, "read-only");
  expect_error(
      [&] {
        s.mark_session_deleted({session_id{1}, f.created_at, "x"});
      },
      errc::storage, "read-only");
  CHECK(s.client_intakes(client_id{7}).empty());
  tx.commit();
}

STORE_TEST("scrub runs outside a transaction and is refused inside one") {
  TestType backend;
  store& s = backend.store;
  in_write(s, [&] { s.insert_session(make_session(1, 7, at("2026-03-02T10:00:00Z"), 60min)); });
  CHECK(s.scrub());
  transaction tx(s, access::read);
  expect_error([&] { s.scrub(); }, errc::storage, "inside a transaction");
}

// --- providers ----------------------------------------------------------------------------------

STORE_TEST("a provider profile round-trips exactly, and putting it again replaces it") {
  TestType backend;
  store& s = backend.store;
  const provider_profile p = nairobi_provider(42);
  in_write(s, [&] { s.put_provider(p); });
  in_read(s, [&] {
    const auto found = s.find_provider(provider_id{42});
    REQUIRE(found.has_value());
    require_same(*found, p);
  });

  provider_profile changed = p;
  changed.name = "Dr. W. Kamau";
  changed.active = false;
  changed.hours.zone = "Europe/London";
  changed.hours.windows = {{date::Friday, 10h, 11h}};
  changed.hours.exceptions = {slotbook::date_exception::closed(date::year{2027} / 1 / 1)};
  changed.hours.effective_from.reset();
  changed.hours.effective_until.reset();
  changed.hours.active = false;
  changed.rules = slotbook::slot_rules{};  // defaults: no step, no per-day limit
  changed.price = slotbook::money::kes(0);
  in_write(s, [&] { s.put_provider(changed); });
  in_read(s, [&] {
    const auto found = s.find_provider(provider_id{42});
    REQUIRE(found.has_value());
    require_same(*found, changed);
    CHECK_FALSE(s.find_provider(provider_id{43}).has_value());
  });
}

STORE_TEST("provider ids are listed ascending as unsigned numbers") {
  TestType backend;
  store& s = backend.store;
  constexpr std::uint64_t big = std::numeric_limits<std::uint64_t>::max();
  in_write(s, [&] {
    for (std::uint64_t id : {big, std::uint64_t{30}, std::uint64_t{2}, std::uint64_t{1} << 63}) {
      s.put_provider(nairobi_provider(id));
    }
  });
  in_read(s, [&] {
    CHECK(s.provider_ids() == std::vector{provider_id{2}, provider_id{30},
                                          provider_id{std::uint64_t{1} << 63}, provider_id{big}});
  });
}

STORE_TEST("an unusable provider profile is refused and nothing is stored") {
  TestType backend;
  store& s = backend.store;
  provider_profile bad_zone = nairobi_provider(1);
  bad_zone.hours.zone = "Mars/Olympus_Mons";
  provider_profile negative_price = nairobi_provider(2);
  negative_price.price = slotbook::money::kes(-1);
  provider_profile no_id = nairobi_provider(0);
  provider_profile bad_rules = nairobi_provider(3);
  bad_rules.rules.duration = 0min;
  in_write(s, [&] {
    expect_error([&] { s.put_provider(bad_zone); }, errc::invalid_argument, "Mars/Olympus_Mons");
    expect_error([&] { s.put_provider(negative_price); }, errc::invalid_argument, "price");
    expect_error([&] { s.put_provider(no_id); }, errc::invalid_argument, "provider.id");
    expect_error([&] { s.put_provider(bad_rules); }, errc::invalid_argument, "duration");
  });
  in_read(s, [&] { CHECK(s.provider_ids().empty()); });
}

// --- reminder queue -----------------------------------------------------------------------------

STORE_TEST("queued reminders read back pending, with no attempts, by due time per session") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  const std::vector<reminder> plan{{session_id{1}, t - 15min, reminder_channel::sms, 15min},
                                   {session_id{1}, t - 24h, reminder_channel::email, 24h},
                                   {session_id{2}, t - 2h, reminder_channel::email, 2h}};
  const auto ids = in_write(s, [&] { return s.enqueue_reminders(plan, client_id{7}); });
  REQUIRE(ids.size() == 3);
  CHECK(std::set<std::int64_t>(ids.begin(), ids.end()).size() == 3);
  in_read(s, [&] {
    const auto first = s.find_reminder(ids[0]);
    REQUIRE(first.has_value());
    queued_reminder expected;
    expected.id = ids[0];
    expected.what = plan[0];
    expected.client = client_id{7};
    CHECK(*first == expected);
    CHECK(ids_of(s.session_reminders(session_id{1})) == std::vector{ids[1], ids[0]});
    CHECK(ids_of(s.session_reminders(session_id{2})) == std::vector{ids[2]});
    CHECK(s.session_reminders(session_id{3}).empty());
    CHECK_FALSE(s.find_reminder(ids[2] + 1000).has_value());
  });
}

STORE_TEST("claiming takes due reminders oldest first, up to the limit, and leases them") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  const session_id sid{1};
  std::int64_t r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0;
  in_write(s, [&] {
    const std::vector<reminder> plan{{sid, t - 2h, reminder_channel::email, 2h},
                                     {sid, t - 1h, reminder_channel::sms, 1h},
                                     {sid, t + 1h, reminder_channel::email, 3h},  // future
                                     {sid, t - 3h, reminder_channel::email, 4h},  // retry later
                                     {sid, t - 30min, reminder_channel::sms, 30min}};
    const auto ids = s.enqueue_reminders(plan, client_id{7});
    r1 = ids[0], r2 = ids[1], r3 = ids[2], r4 = ids[3], r5 = ids[4];
    queued_reminder retry = *s.find_reminder(r4);
    retry.attempts = 1;
    retry.next_attempt = t + 30min;
    retry.last_error = "smtp timeout";
    s.update_reminder(retry);
  });

  // At t: due are r1 (t-2h), r2 (t-1h), r5 (t-30m); r4 waits for its retry, r3 for its time.
  const auto first = in_write(s, [&] { return s.claim_due_reminders(t, 2, t + 5min); });
  CHECK(ids_of(first) == std::vector{r1, r2});
  for (const queued_reminder& r : first) {
    CHECK(r.state == reminder_state::claimed);
    CHECK(r.lease_until == t + 5min);
    CHECK(r.attempts == 1);
  }
  in_read(s, [&] { CHECK(s.find_reminder(r1) == first[0]); });

  // Still at t, r1 and r2 are leased: only r5 is left.
  CHECK(ids_of(in_write(s, [&] { return s.claim_due_reminders(t, 10, t + 10min); })) ==
        std::vector{r5});
  CHECK(in_write(s, [&] { return s.claim_due_reminders(t, 10, t + 10min); }).empty());

  // At t+5m the leases of r1 and r2 have run out (a worker died): they are claimed again.
  const auto again = in_write(s, [&] { return s.claim_due_reminders(t + 5min, 10, t + 3h); });
  CHECK(ids_of(again) == std::vector{r1, r2});
  CHECK(again[0].attempts == 2);

  // At t+2h: r4 (retry time passed), r5 (lease ran out at t+10m) and r3 (due t+1h).
  const auto later = in_write(s, [&] { return s.claim_due_reminders(t + 2h, 10, t + 4h); });
  CHECK(ids_of(later) == std::vector{r4, r5, r3});
  CHECK(later[0].attempts == 2);  // 1 from before + this claim
  CHECK(later[0].last_error == "smtp timeout");
}

STORE_TEST("sent and failed reminders are never claimed") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  in_write(s, [&] {
    const std::vector<reminder> plan{{session_id{1}, t - 2h, reminder_channel::email, 2h},
                                     {session_id{1}, t - 1h, reminder_channel::email, 1h}};
    const auto ids = s.enqueue_reminders(plan, client_id{7});
    queued_reminder sent = *s.find_reminder(ids[0]);
    sent.state = reminder_state::sent;
    sent.sent_at = t - 2h;
    s.update_reminder(sent);
    queued_reminder failed = *s.find_reminder(ids[1]);
    failed.state = reminder_state::failed;
    failed.last_error = "no such number";
    s.update_reminder(failed);
  });
  CHECK(in_write(s, [&] { return s.claim_due_reminders(t + 24h, 10, t + 25h); }).empty());
}

STORE_TEST("updating a reminder replaces its state fields only; an unknown one is not_found") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  const reminder planned{session_id{1}, t - 2h, reminder_channel::email, 2h};
  const std::int64_t id =
      in_write(s, [&] { return s.enqueue_reminders(std::span(&planned, 1), client_id{7}).at(0); });
  queued_reminder update;
  update.id = id;
  update.what = {session_id{99}, t, reminder_channel::sms, 5min};  // not a state field: ignored
  update.client = client_id{99};                                   // ditto
  update.state = reminder_state::sent;
  update.attempts = 3;
  update.lease_until = t - 1h;
  update.next_attempt = t - 90min;
  update.sent_at = t - 110min;
  update.last_error = "first try bounced";
  in_write(s, [&] { s.update_reminder(update); });
  queued_reminder expected = update;
  expected.what = planned;
  expected.client = client_id{7};
  in_read(s, [&] { CHECK(s.find_reminder(id) == expected); });

  update.id = id + 1000;
  in_write(s, [&] { expect_error([&] { s.update_reminder(update); }, errc::not_found); });
}

STORE_TEST("removing a session's reminders drops its pending and claimed ones only") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  std::vector<std::int64_t> ids;
  in_write(s, [&] {
    const std::vector<reminder> plan{{session_id{1}, t - 3h, reminder_channel::email, 3h},
                                     {session_id{1}, t - 2h, reminder_channel::email, 2h},
                                     {session_id{1}, t + 1h, reminder_channel::email, 1h},
                                     {session_id{2}, t + 1h, reminder_channel::email, 1h}};
    ids = s.enqueue_reminders(plan, client_id{7});
    queued_reminder sent = *s.find_reminder(ids[0]);
    sent.state = reminder_state::sent;
    sent.sent_at = t - 3h;
    s.update_reminder(sent);
    CHECK(s.claim_due_reminders(t, 1, t + 5min).size() == 1);  // claims ids[1]
  });
  CHECK(in_write(s, [&] { return s.remove_reminders(session_id{1}); }) == 2);
  in_read(s, [&] {
    CHECK(ids_of(s.session_reminders(session_id{1})) == std::vector{ids[0]});
    CHECK(ids_of(s.session_reminders(session_id{2})) == std::vector{ids[3]});
  });
  CHECK(in_write(s, [&] { return s.remove_reminders(session_id{1}); }) == 0);
}

STORE_TEST("the backlog counts due and waiting reminders and the oldest due time") {
  TestType backend;
  store& s = backend.store;
  const instant t = at("2026-03-02T10:00:00Z");
  {
    const auto empty = in_read(s, [&] { return s.backlog(t); });
    CHECK(empty.due == 0);
    CHECK(empty.waiting == 0);
    CHECK_FALSE(empty.oldest_due.has_value());
  }
  std::vector<std::int64_t> ids;
  in_write(s, [&] {
    const std::vector<reminder> plan{{session_id{1}, t - 2h, reminder_channel::email, 2h},
                                     {session_id{1}, t - 1h, reminder_channel::email, 1h},
                                     {session_id{1}, t + 1h, reminder_channel::email, 3h},
                                     {session_id{1}, t - 3h, reminder_channel::email, 4h},
                                     {session_id{1}, t - 4h, reminder_channel::email, 5h}};
    ids = s.enqueue_reminders(plan, client_id{7});
    queued_reminder retry = *s.find_reminder(ids[3]);
    retry.next_attempt = t + 30min;
    s.update_reminder(retry);
    queued_reminder sent = *s.find_reminder(ids[4]);
    sent.state = reminder_state::sent;
    sent.sent_at = t - 4h;
    s.update_reminder(sent);
  });
  // Due at t: ids[0] (t-2h) and ids[1]; waiting: ids[2] (future) and ids[3] (retry later).
  auto b = in_read(s, [&] { return s.backlog(t); });
  CHECK(b.due == 2);
  CHECK(b.waiting == 2);
  CHECK(b.oldest_due == t - 2h);

  // A claimed reminder with a live lease is neither due nor waiting.
  in_write(s, [&] { CHECK(ids_of(s.claim_due_reminders(t, 1, t + 5min)) == std::vector{ids[0]}); });
  b = in_read(s, [&] { return s.backlog(t); });
  CHECK(b.due == 1);
  CHECK(b.waiting == 2);
  CHECK(b.oldest_due == t - 1h);

  // Once its lease runs out it is due again.
  b = in_read(s, [&] { return s.backlog(t + 5min); });
  CHECK(b.due == 2);
  CHECK(b.oldest_due == t - 2h);

  // At t+1h everything not sent is due: ids[0..3].
  b = in_read(s, [&] { return s.backlog(t + 1h); });
  CHECK(b.due == 4);
  CHECK(b.waiting == 0);
  CHECK(b.oldest_due == t - 3h);
}

// --- audit log ----------------------------------------------------------------------------------

STORE_TEST("audit entries get sequences 1, 2, 3 and read back as appended") {
  TestType backend;
  store& s = backend.store;
  in_read(s, [&] {
    CHECK_FALSE(s.last_audit().has_value());
    CHECK(s.audit_entries(0, 10).empty());
  });
  audit_entry first = make_audit("book", 11, std::string(64, '1'));
  first.sequence = 99;  // the store assigns sequences
  audit_entry second = make_audit("status", 0, std::string(64, '2'));
  second.who_role = slotbook::role::system;
  second.who_id = 0;
  second.before.reset();
  second.after.reset();
  second.detail.clear();
  audit_entry third = make_audit("denied", 12, std::string(64, '3'));
  third.who_role = slotbook::role::admin;
  third.who_id = std::numeric_limits<std::uint64_t>::max();
  in_write(s, [&] {
    CHECK(s.append_audit(first) == 1);
    CHECK(s.append_audit(second) == 2);
  });
  in_write(s, [&] { CHECK(s.append_audit(third) == 3); });
  first.sequence = 1;
  second.sequence = 2;
  third.sequence = 3;
  in_read(s, [&] {
    CHECK(s.last_audit() == third);
    CHECK(s.audit_entries(0, 10) == std::vector{first, second, third});
    CHECK(s.audit_entries(1, 10) == std::vector{second, third});
    CHECK(s.audit_entries(0, 2) == std::vector{first, second});
    CHECK(s.audit_entries(-5, 1) == std::vector{first});
    CHECK(s.audit_entries(3, 10).empty());
    CHECK(s.audit_entries(0, 0).empty());
  });
}

// --- concurrency --------------------------------------------------------------------------------

STORE_TEST("concurrent write transactions never interleave: 4 x 200 sequence numbers are 1..800") {
  TestType backend;
  store& s = backend.store;
  constexpr int threads = 4;
  constexpr int each = 200;
  std::vector<std::vector<std::uint64_t>> got(threads);
  std::vector<std::thread> workers;
  std::atomic<int> errors{0};
  for (int k = 0; k < threads; ++k) {
    workers.emplace_back([&, k] {
      try {
        for (int i = 0; i < each; ++i) {
          got[static_cast<std::size_t>(k)].push_back(
              in_write(s, [&] { return s.next_reference_sequence(2026); }));
        }
      } catch (...) {
        ++errors;
      }
    });
  }
  for (auto& w : workers) w.join();
  REQUIRE(errors == 0);
  std::vector<std::uint64_t> all;
  for (const auto& g : got) all.insert(all.end(), g.begin(), g.end());
  std::sort(all.begin(), all.end());
  std::vector<std::uint64_t> expected(threads * each);
  std::iota(expected.begin(), expected.end(), std::uint64_t{1});
  CHECK(all == expected);
}

STORE_TEST("concurrent check-then-insert transactions book each slot exactly once") {
  TestType backend;
  store& s = backend.store;
  constexpr int threads = 4;
  constexpr int slots = 30;
  const instant first = at("2026-03-02T08:00:00Z");
  std::atomic<int> booked{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> workers;
  for (int k = 0; k < threads; ++k) {
    workers.emplace_back([&, k] {
      std::vector<int> order(slots);
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), std::mt19937{static_cast<unsigned>(k)});
      try {
        for (int slot : order) {
          const instant start = first + std::chrono::minutes{30 * slot};
          // Sessions are 45 minutes on a 30-minute grid: neighbours overlap too.
          const interval wanted{start, start + 45min};
          in_write(s, [&] {
            if (!s.active_provider_sessions(provider_id{1}, wanted).empty()) return;
            s.insert_session(make_session(1, static_cast<std::uint64_t>(100 + k), start, 45min));
            ++booked;
          });
        }
      } catch (...) {
        ++errors;
      }
    });
  }
  for (auto& w : workers) w.join();
  REQUIRE(errors == 0);
  const auto all = in_read(s, [&] {
    return s.provider_sessions(provider_id{1}, {first - 24h, first + 48h});
  });
  CHECK(static_cast<int>(all.size()) == booked.load());
  for (std::size_t i = 1; i < all.size(); ++i) {
    INFO("sessions " << i - 1 << " and " << i);
    CHECK_FALSE(
        slotbook::session_interval(all[i - 1]).overlaps(slotbook::session_interval(all[i])));
  }
  // With no overlap allowed, at most every other 30-minute slot can be taken, and a free slot
  // is only left free when a neighbour is taken: between 10 and 15 of the 30.
  CHECK(all.size() >= 10);
  CHECK(all.size() <= 15);
}

STORE_TEST("the store reports itself reachable") {
  TestType backend;
  CHECK(backend.store.reachable());
}
