// Sealed intake forms in a SQLite file, seen from outside slotbook: what the columns hold, what
// tampering with them through plain SQL does, and that no plaintext of a form (nor of a deleted
// form's key, nor of a securely deleted session's notes) is left in the database file, its WAL
// or a journal. The world is described in intake_fixture.hpp.
#include <SQLiteCpp/SQLiteCpp.h>

#include <random>

#include "integration/intake_fixture.hpp"

using namespace intake_test;
using Catch::Matchers::Contains;

namespace {

using sqlite_world = world<sqlite_backend>;

// A string that appears nowhere unless a test put it there: fixed prefix, random suffix.
std::string unique_marker(std::string_view what) {
  static std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("MARK-{}-{:016x}", what, rng());
}

// Every file SQLite may keep bytes of the database in.
std::vector<std::string> database_files(const std::string& path) {
  return {path, path + "-wal", path + "-journal", path + "-shm"};
}

// The files (by suffix) in which `needle` occurs.
std::vector<std::string> files_holding(const std::string& path, std::string_view needle) {
  std::vector<std::string> out;
  for (const std::string& file : database_files(path)) {
    if (contains(file_bytes(file), needle)) out.push_back(file.substr(path.size()));
  }
  return out;
}

std::string as_text(const std::vector<std::uint8_t>& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

// Plain SQL on the file, as someone with access to it (not through slotbook).
struct raw_db {
  SQLite::Database db;
  explicit raw_db(const std::string& path) : db(path, SQLite::OPEN_READWRITE) {}

  std::vector<std::uint8_t> blob(std::string_view column, intake_id id) {
    SQLite::Statement st(db, fmt::format("SELECT {} FROM intake_forms WHERE id = ?", column));
    st.bind(1, static_cast<std::int64_t>(id.value));
    REQUIRE(st.executeStep());
    const auto* p = static_cast<const std::uint8_t*>(st.getColumn(0).getBlob());
    return std::vector<std::uint8_t>(p, p + st.getColumn(0).getBytes());
  }

  void set_blob(std::string_view column, intake_id id, const std::vector<std::uint8_t>& bytes) {
    SQLite::Statement st(db, fmt::format("UPDATE intake_forms SET {} = ? WHERE id = ?", column));
    st.bind(1, bytes.data(), static_cast<int>(bytes.size()));
    st.bind(2, static_cast<std::int64_t>(id.value));
    REQUIRE(st.exec() == 1);
  }
};

}  // namespace

// --- what the columns hold ----------------------------------------------------------------------

TEST_CASE("the intake table holds ids, flags, timestamps, the wrapped key and sealed blobs only") {
  sqlite_world w;
  const session_id s = w.book(client7, 44, 7, wed10);
  const intake_id id = w.complete_form(7, "alpha", s);
  SQLite::Database raw{w.backend.file.path, SQLite::OPEN_READONLY};
  std::vector<std::string> columns;
  SQLite::Statement info(raw, "PRAGMA table_info(intake_forms)");
  while (info.executeStep()) columns.push_back(info.getColumn(1).getString());
  // A new column must be added here on purpose, after asking whether it could hold health data.
  CHECK(columns == std::vector<std::string>{
                       "id", "client_id", "session_id", "data_key", "key_version", "personal_info",
                       "mental_health", "goals", "consent_to_treatment",
                       "confidentiality_agreement", "data_processing_consent", "completed_at",
                       "created_at", "updated_at", "deleted_at", "deletion_reason"});
  SQLite::Statement row(raw,
                        "SELECT client_id, session_id, typeof(data_key), length(data_key),"
                        " hex(substr(data_key, 1, 6)), key_version, typeof(personal_info),"
                        " hex(substr(personal_info, 1, 2)), hex(substr(mental_health, 1, 2)),"
                        " hex(substr(goals, 1, 2)), length(goals) % 256, consent_to_treatment,"
                        " completed_at IS NOT NULL FROM intake_forms WHERE id = ?");
  row.bind(1, static_cast<std::int64_t>(id.value));
  REQUIRE(row.executeStep());
  CHECK(row.getColumn(0).getInt64() == 7);
  CHECK(row.getColumn(1).getInt64() == static_cast<std::int64_t>(s.value));
  CHECK(row.getColumn(2).getString() == "blob");
  CHECK(row.getColumn(3).getInt() == 66);
  // Format version 1, kind 1 (wrapped key), key version 1 as four bytes.
  CHECK(row.getColumn(4).getString() == "010100000001");
  CHECK(row.getColumn(5).getInt() == 1);
  CHECK(row.getColumn(6).getString() == "blob");
  // Format version 1, kind 2 (field) for every step; padded to 256 bytes plus 30 of overhead.
  CHECK(row.getColumn(7).getString() == "0102");
  CHECK(row.getColumn(8).getString() == "0102");
  CHECK(row.getColumn(9).getString() == "0102");
  CHECK(row.getColumn(10).getInt() == 30);
  CHECK(row.getColumn(11).getInt() == 1);
  CHECK(row.getColumn(12).getInt() == 1);
}

// --- tampering through plain SQL -----------------------------------------------------------------

TEST_CASE(
    "a ciphertext byte changed with plain SQL fails to open with errc::crypto, never garbage") {
  sqlite_world w;
  const intake_id id = w.complete_form(7, "alpha");
  const auto expected = w.service.read_intake(client7, id);
  for (const char* column : {"personal_info", "mental_health", "goals", "data_key"}) {
    // The first byte (format version), one in the nonce or header, one in the ciphertext and
    // the last byte (the tag).
    for (const std::size_t position : {std::size_t{0}, std::size_t{5}, std::size_t{40}}) {
      DYNAMIC_SECTION(column << " byte " << position) {
        std::vector<std::uint8_t> original;
        {
          raw_db raw{w.backend.file.path};
          original = raw.blob(column, id);
          std::vector<std::uint8_t> changed = original;
          changed[position] ^= 0x01;
          raw.set_blob(column, id, changed);
        }
        const slotbook::error e = caught([&] { w.service.read_intake(client7, id); });
        CHECK(e.code() == errc::crypto);
        CHECK_FALSE(contains(e.what(), "alpha"));
        {
          raw_db raw{w.backend.file.path};
          raw.set_blob(column, id, original);
        }
        CHECK(w.service.read_intake(client7, id) == expected);
      }
    }
  }
  SECTION("the tag's last byte") {
    {
      raw_db raw{w.backend.file.path};
      std::vector<std::uint8_t> changed = raw.blob("goals", id);
      changed.back() ^= 0x80;
      raw.set_blob("goals", id, changed);
    }
    CHECK(caught([&] { w.service.read_intake(client7, id); }).code() == errc::crypto);
  }
}

TEST_CASE("ciphertexts swapped between two forms in the database fail to open") {
  sqlite_world w;
  const intake_id a = w.complete_form(7, "alpha");
  const intake_id b = w.complete_form(7, "beta");
  SECTION("a step swapped between forms") {
    {
      raw_db raw{w.backend.file.path};
      const auto step_a = raw.blob("personal_info", a);
      raw.set_blob("personal_info", a, raw.blob("personal_info", b));
      raw.set_blob("personal_info", b, step_a);
    }
    CHECK(caught([&] { w.service.read_intake(client7, a); }).code() == errc::crypto);
    CHECK(caught([&] { w.service.read_intake(client7, b); }).code() == errc::crypto);
  }
  SECTION("data keys swapped between forms") {
    {
      raw_db raw{w.backend.file.path};
      const auto key_a = raw.blob("data_key", a);
      raw.set_blob("data_key", a, raw.blob("data_key", b));
      raw.set_blob("data_key", b, key_a);
    }
    const slotbook::error e = caught([&] { w.service.read_intake(client7, a); });
    CHECK(e.code() == errc::crypto);
    CHECK_THAT(e.what(), Contains("wrapped key of intake_form " + std::to_string(a.value)));
  }
  SECTION("two steps of one form swapped with each other") {
    {
      raw_db raw{w.backend.file.path};
      const auto first = raw.blob("personal_info", a);
      raw.set_blob("personal_info", a, raw.blob("mental_health", a));
      raw.set_blob("mental_health", a, first);
    }
    CHECK(caught([&] { w.service.read_intake(client7, a); }).code() == errc::crypto);
    CHECK_NOTHROW(w.service.read_intake(client7, b));
  }
}

// --- nothing in plaintext on disk
// -----------------------------------------------------------------

TEST_CASE("the scan finds text that is stored in the clear, such as a session's notes") {
  // The control for the tests below: the scan does find what is there.
  sqlite_world w;
  const std::string marker = unique_marker("notes");
  slotbook::booking_request r;
  r.provider = provider_id{44};
  r.client = client_id{7};
  r.scheduled_at = wed10;
  r.notes = marker;
  w.service.book(client7, r);
  CHECK_FALSE(files_holding(w.backend.file.path, marker).empty());
}

TEST_CASE("no plaintext of an intake form is on disk: not while saving, rotating or deleting") {
  sqlite_world w;
  const std::string path = w.backend.file.path;
  std::vector<std::string> markers;
  std::vector<intake_id> ids;
  for (int i = 0; i < 5; ++i) {
    markers.push_back(unique_marker("form" + std::to_string(i)));
    ids.push_back(w.complete_form(7, markers.back()));
  }
  // A partial form too, and every form read back once (reads append to the audit log).
  markers.push_back(unique_marker("partial"));
  const intake_id partial = w.service.create_intake(client7, client_id{7}).id;
  w.service.save_intake_step(client7, partial, personal_info(markers.back()));
  for (const intake_id id : ids) w.service.read_intake(admin, id);
  const auto expect_no_marker = [&](std::string_view when) {
    for (const std::string& m : markers) {
      INFO(when << ": marker " << m);
      CHECK(files_holding(path, m).empty());
      for (const slotbook::audit_entry& e : w.audit()) CHECK_FALSE(contains(e.detail, m));
    }
  };
  expect_no_marker("after saving");

  w.ring.add(2, slotbook::key_material::generate());
  struct stop_here {};
  CHECK_THROWS_AS(w.service.rotate_intake_keys(2, [](const auto&) { throw stop_here{}; }),
                  stop_here);
  expect_no_marker("half-way through a rotation");
  w.service.rotate_intake_keys(2);
  expect_no_marker("after the rotation");

  w.service.delete_intake(client7, ids[0], "client request");
  expect_no_marker("after a delete");
  w.clock.advance(24h * 31);
  w.service.purge_expired();
  expect_no_marker("after the purge");
  // And the forms are still all there to read, under version 2 only.
  w.ring.remove(1);
  for (std::size_t i = 1; i < ids.size(); ++i) {
    CHECK(w.service.read_intake(client7, ids[i]).personal_info == personal_info(markers[i]));
  }
}

TEST_CASE("a deleted form's wrapped key and sealed steps are gone from the file and its WAL") {
  sqlite_world w;
  const std::string path = w.backend.file.path;
  const intake_id id = w.complete_form(7, "alpha");
  const intake_id other = w.complete_form(7, "beta");
  const slotbook::stored_intake before = w.stored(id);
  const std::vector<std::string> secrets{
      as_text(before.form.data_key.bytes), as_text(before.form.personal_info->bytes),
      as_text(before.form.mental_health->bytes), as_text(before.form.goals->bytes)};
  // The bytes are there to be found before the delete (the control).
  for (const std::string& s : secrets) CHECK_FALSE(files_holding(path, s).empty());

  const auto result = w.service.delete_intake(client7, id, "client request");
  CHECK(result.scrubbed);
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    INFO("secret " << i << " (0: data key, 1-3: steps)");
    CHECK(files_holding(path, secrets[i]).empty());
  }
  CHECK(file_bytes(path + "-wal").empty());  // checkpointed and truncated
  CHECK(w.service.read_intake(client7, other).personal_info == personal_info("beta"));
}

TEST_CASE(
    "a securely deleted session's notes leave the disk with the delete, its row with the purge") {
  sqlite_world w;
  const std::string path = w.backend.file.path;
  const std::string notes = unique_marker("notes");
  const std::string requests = unique_marker("requests");
  const std::string reason = unique_marker("reason");
  slotbook::booking_request r;
  r.provider = provider_id{44};
  r.client = client_id{7};
  r.scheduled_at = wed10;
  r.notes = notes;
  r.special_requests = requests;
  const session_id s = w.service.book(client7, r).session;
  w.service.cancel(client7, s, reason);
  for (const std::string& m : {notes, requests, reason}) {
    CHECK_FALSE(files_holding(path, m).empty());
  }
  const std::string reference = w.stored_session(s).booking_reference;

  CHECK(w.service.secure_delete_session(client7, s, "client request").scrubbed);
  for (const std::string& m : {notes, requests, reason}) {
    INFO("marker " << m);
    CHECK(files_holding(path, m).empty());
  }

  w.clock.advance(24h * 30 + 1s);
  const auto report = w.service.purge_expired();
  CHECK(report.sessions == std::vector{s});
  CHECK(report.scrubbed);
  SQLite::Database raw{path, SQLite::OPEN_READONLY};
  CHECK(raw.execAndGet("SELECT count(*) FROM sessions WHERE id = " + std::to_string(s.value))
            .getInt() == 0);
  CHECK(raw.execAndGet("SELECT count(*) FROM reminder_queue WHERE session_id = " +
                       std::to_string(s.value))
            .getInt() == 0);
  CHECK(raw.execAndGet("SELECT count(*) FROM session_deletions").getInt() == 0);
  // The booking reference is no longer in a session row; the audit log keeps naming it.
  CHECK(
      raw.execAndGet("SELECT count(*) FROM sessions WHERE booking_reference = '" + reference + "'")
          .getInt() == 0);
}

TEST_CASE("the store's connections run with secure_delete") {
  sqlite_world w;
  w.complete_form(7, "alpha");
  CHECK(w.backend.db.settings().secure_delete);
}

// --- schema upgrade
// -------------------------------------------------------------------------------

TEST_CASE("a version-2 file is upgraded to version 3; its providers do not require intake") {
  temp_file file;
  {
    SQLite::Database raw(file.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("BEGIN");
    raw.exec(std::string(slotbook::sqlite_schema_steps()[0]));
    raw.exec(std::string(slotbook::sqlite_schema_steps()[1]));
    raw.exec("PRAGMA user_version = 2");
    raw.exec(
        "INSERT INTO providers (id, name, active, price_minor, currency, zone, schedule_active,"
        " slot_minutes, buffer_before_minutes, buffer_after_minutes, minimum_notice_minutes,"
        " maximum_advance_minutes, alignment) VALUES (42, 'Dr. Wanjiru', 1, 150000, 'KES',"
        " 'Africa/Nairobi', 1, 60, 0, 0, 1440, 43200, 'run_start')");
    raw.exec("COMMIT");
  }
  slotbook::sqlite_store store{file.path};
  CHECK(store.settings().schema_version == slotbook::sqlite_schema_version);
  slotbook::keyring ring = one_key_ring();
  {
    slotbook::transaction tx(store, slotbook::access::write);
    const auto p = store.find_provider(provider_id{42});
    REQUIRE(p.has_value());
    CHECK_FALSE(p->requires_intake);
    slotbook::intake_form f;
    f.id = store.next_intake_id();
    f.client = client_id{7};
    slotbook::stored_intake s;
    s.form = slotbook::seal_intake(f, ring);
    store.put_intake(s);
    CHECK(f.id == intake_id{1});
    tx.commit();
  }
  CHECK(store.integrity_check() == "ok");
}
