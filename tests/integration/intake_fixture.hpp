#pragma once
// The world the intake tests start from (intake_service_test.cpp, intake_storage_test.cpp):
// - now is Monday 2026-01-12T08:00:00Z (11:00 in Nairobi);
// - providers work Monday to Friday 09:00-17:00 Nairobi time = 06:00-14:00Z, 60-minute sessions;
//   provider 42 charges KES 1,500.00 and requires an intake form; provider 43 is free and
//   requires one; provider 44 is free and does not;
// - the keyring holds version 1; the service seals and opens with it.
// Wednesday 2026-01-14T07:00:00Z is 47 h ahead: bookable for everyone.
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "slotbook/booking_service.hpp"
#include "slotbook/memory_store.hpp"
#include "slotbook/sqlite_store.hpp"

namespace intake_test {

using namespace std::chrono_literals;
using slotbook::actor;
using slotbook::client_id;
using slotbook::errc;
using slotbook::instant;
using slotbook::intake_id;
using slotbook::provider_id;
using slotbook::session_id;

inline instant at(std::string_view text) { return slotbook::parse_instant(text); }

inline const actor admin = actor::admin(slotbook::admin_id{1});
inline const actor client7 = actor::client(client_id{7});
inline const actor client8 = actor::client(client_id{8});
inline const actor provider42 = actor::provider(provider_id{42});
inline const actor provider43 = actor::provider(provider_id{43});
inline const actor provider44 = actor::provider(provider_id{44});
inline const actor system_actor = actor::system();

inline const instant start_of_world = at("2026-01-12T08:00:00Z");
inline const instant wed10 = at("2026-01-14T07:00:00Z");  // Wednesday 10:00 in Nairobi

// --- backends ----------------------------------------------------------------------------------

// A database path that nothing else uses; the file and its companions go when the test ends
// (declared before the store that uses it, so it goes after it).
struct temp_file {
  std::string path = [] {
    static std::atomic<int> counter{0};
    return (std::filesystem::temp_directory_path() /
            ("slotbook-intake-test-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter++) + ".db"))
        .string();
  }();
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

struct memory_backend {
  slotbook::memory_store db;
};

struct sqlite_backend {
  temp_file file;
  slotbook::sqlite_store db{file.path};
};

// --- intake content ------------------------------------------------------------------------------

// Step contents built around `marker`, so a test can look for the marker anywhere it must not
// be. Every text field and list item carries it.
inline slotbook::personal_info_step personal_info(const std::string& marker) {
  return {"Amina " + marker + " (sister), +254 700 000 000", "asthma " + marker,
          "salbutamol " + marker, "penicillin " + marker};
}

inline slotbook::mental_health_step mental_health(const std::string& marker) {
  slotbook::mental_health_step m;
  m.previous_therapy = true;
  m.current_symptoms = {"poor sleep " + marker, "worry " + marker};
  m.severity_level = 6;
  m.trigger_factors = {"deadlines " + marker};
  m.coping_mechanisms = {"running " + marker};
  return m;
}

inline slotbook::goals_step goals(const std::string& marker) {
  return {{"sleep through the night " + marker}, "a few months " + marker, "CBT " + marker};
}

inline const slotbook::consent_step all_consents{true, true, true};

// --- the world
// ------------------------------------------------------------------------------------

inline slotbook::schedule weekday_hours() {
  slotbook::schedule s;
  s.zone = "Africa/Nairobi";
  for (unsigned d = 1; d <= 5; ++d) s.windows.push_back({date::weekday{d}, 9h, 17h});
  return s;
}

inline slotbook::provider_profile make_provider(std::uint64_t id, slotbook::money price,
                                                bool requires_intake) {
  slotbook::provider_profile p;
  p.id = provider_id{id};
  p.name = "Dr. " + std::to_string(id);
  p.hours = weekday_hours();
  p.price = price;
  p.requires_intake = requires_intake;
  return p;
}

inline slotbook::keyring one_key_ring() {
  slotbook::keyring ring;
  ring.add(1, slotbook::key_material::generate());
  return ring;
}

template <class Backend>
struct world {
  Backend backend;
  slotbook::settable_clock clock{start_of_world};
  slotbook::keyring ring = one_key_ring();
  slotbook::booking_service service;

  explicit world(const std::function<void(slotbook::service_options&)>& tweak = {})
      : service(backend.db, clock, options(tweak)) {
    service.put_provider(admin, make_provider(42, slotbook::money::kes(150000), true));
    service.put_provider(admin, make_provider(43, slotbook::money::kes(0), true));
    service.put_provider(admin, make_provider(44, slotbook::money::kes(0), false));
  }

  slotbook::service_options options(const std::function<void(slotbook::service_options&)>& tweak) {
    slotbook::service_options o;
    o.keys = &ring;
    if (tweak) tweak(o);
    return o;
  }

  session_id book(const actor& who, std::uint64_t provider, std::uint64_t client, instant start) {
    slotbook::booking_request r;
    r.provider = provider_id{provider};
    r.client = client_id{client};
    r.scheduled_at = start;
    return service.book(who, r).session;
  }

  // A complete form for `client`, every text carrying `marker`.
  intake_id complete_form(std::uint64_t client, const std::string& marker,
                          session_id session = {}) {
    const actor who = actor::client(client_id{client});
    const intake_id id = service.create_intake(who, client_id{client}, session).id;
    service.save_intake_step(who, id, personal_info(marker));
    service.save_intake_step(who, id, mental_health(marker));
    service.save_intake_step(who, id, goals(marker));
    service.save_intake_step(who, id, all_consents);
    return id;
  }

  slotbook::stored_intake stored(intake_id id) {
    slotbook::transaction tx(backend.db, slotbook::access::read);
    auto f = backend.db.find_intake(id);
    REQUIRE(f);
    return *f;
  }

  slotbook::session stored_session(session_id id) {
    slotbook::transaction tx(backend.db, slotbook::access::read);
    auto s = backend.db.find_session(id);
    REQUIRE(s);
    return *s;
  }

  std::vector<slotbook::audit_entry> audit() {
    slotbook::transaction tx(backend.db, slotbook::access::read);
    return backend.db.audit_entries(0, 1'000'000);
  }

  std::vector<slotbook::audit_entry> audit(std::string_view action) {
    std::vector<slotbook::audit_entry> out;
    for (auto& e : audit()) {
      if (e.action == action) out.push_back(std::move(e));
    }
    return out;
  }
};

// --- assertions ---------------------------------------------------------------------------------

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

inline bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// The bytes of a file; empty when there is no such file.
inline std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace intake_test
