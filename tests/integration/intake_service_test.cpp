// Intake forms, key rotation and the privacy operations through booking_service, against both
// stores (each TEMPLATE_TEST_CASE runs with memory_store and with sqlite_store on a file). The
// world is described in intake_fixture.hpp. What must hold on disk (SQLite only) is in
// intake_storage_test.cpp.
#include <nlohmann/json.hpp>

#include "integration/intake_fixture.hpp"

using namespace intake_test;
using Catch::Matchers::Contains;
using slotbook::audit_entry;
using slotbook::intake_form;
using slotbook::session_status;

#define INTAKE_TEST(name) TEMPLATE_TEST_CASE(name, "[intake]", memory_backend, sqlite_backend)

// --- saving and reading -----------------------------------------------------------------------

INTAKE_TEST("a form saved step by step reads back exactly as it was saved") {
  world<TestType> w;
  const session_id s = w.book(client7, 43, 7, wed10);
  const auto created = w.service.create_intake(client7, client_id{7}, s);
  CHECK(created.client == client_id{7});
  CHECK(created.session == s);
  CHECK(created.missing == std::vector<std::string>{"personal_info", "mental_health", "goals",
                                                    "consent.consent_to_treatment",
                                                    "consent.confidentiality_agreement",
                                                    "consent.data_processing_consent"});
  CHECK(created.key_version == 1);

  const intake_id id = created.id;
  auto summary = w.service.save_intake_step(client7, id, personal_info("alpha"));
  CHECK(summary.personal_info);
  CHECK_FALSE(summary.mental_health);
  CHECK_FALSE(summary.complete);
  w.clock.advance(5min);
  w.service.save_intake_step(client7, id, mental_health("alpha"));
  w.service.save_intake_step(client7, id, goals("alpha"));
  w.clock.advance(5min);
  const instant completed = w.clock.now();
  summary = w.service.save_intake_step(client7, id, all_consents);
  CHECK(summary.complete);
  CHECK(summary.missing.empty());
  CHECK(summary.completed_at == completed);

  intake_form expected;
  expected.id = id;
  expected.client = client_id{7};
  expected.session = s;
  expected.personal_info = personal_info("alpha");
  expected.mental_health = mental_health("alpha");
  expected.goals = goals("alpha");
  expected.consent = all_consents;
  expected.completed_at = completed;
  CHECK(w.service.read_intake(client7, id) == expected);

  // Saving a step again replaces it; withdrawing a consent makes the form incomplete again.
  w.service.save_intake_step(client7, id, personal_info("beta"));
  summary = w.service.save_intake_step(client7, id, slotbook::consent_step{true, true, false});
  CHECK_FALSE(summary.complete);
  CHECK_FALSE(summary.completed_at.has_value());
  CHECK(summary.missing == std::vector<std::string>{"consent.data_processing_consent"});
  expected.personal_info = personal_info("beta");
  expected.consent = {true, true, false};
  expected.completed_at.reset();
  CHECK(w.service.read_intake(client7, id) == expected);
}

INTAKE_TEST("an invalid step is refused naming the field, without echoing the answer") {
  world<TestType> w;
  const intake_id id = w.service.create_intake(client7, client_id{7}).id;
  w.service.save_intake_step(client7, id, mental_health("first"));
  const auto before = w.stored(id);
  auto bad = mental_health("secret-words");
  bad.severity_level = 11;
  const slotbook::error e = caught([&] { w.service.save_intake_step(client7, id, bad); });
  CHECK(e.code() == errc::invalid_argument);
  CHECK_THAT(e.what(), Contains("mental_health.severity_level: 11 is outside 1-10"));
  CHECK_FALSE(contains(e.what(), "secret-words"));
  CHECK(w.stored(id) == before);
  const auto refusals = w.audit("refused");
  REQUIRE_FALSE(refusals.empty());
  CHECK_THAT(refusals.back().detail, Contains("save_intake: invalid_argument"));

  auto blank = personal_info("x");
  blank.emergency_contact = "   ";
  CHECK_THAT(caught([&] { w.service.save_intake_step(client7, id, blank); }).what(),
             Contains("personal_info.emergency_contact: is required"));
  CHECK_THAT(
      caught([&] { w.service.save_intake_step(client7, id, slotbook::goals_step{}); }).what(),
      Contains("goals.therapy_goals: at least one goal is required"));
  CHECK(w.stored(id) == before);
}

INTAKE_TEST("only the form's client, an admin or the system may fill it in") {
  world<TestType> w;
  const intake_id id = w.service.create_intake(client7, client_id{7}).id;
  CHECK(caught([&] { w.service.save_intake_step(client8, id, personal_info("x")); }).code() ==
        errc::forbidden);
  CHECK(caught([&] { w.service.save_intake_step(provider42, id, all_consents); }).code() ==
        errc::forbidden);
  CHECK(caught([&] { w.service.create_intake(client8, client_id{7}); }).code() == errc::forbidden);
  CHECK(w.audit("denied").size() == 3);
  CHECK(w.service.save_intake_step(admin, id, personal_info("x")).personal_info);
  CHECK(w.service.save_intake_step(system_actor, id, all_consents).consent == all_consents);
}

INTAKE_TEST("a form may be filled in for one of the client's own sessions only") {
  world<TestType> w;
  const session_id s8 = w.book(client8, 43, 8, wed10);
  const slotbook::error e = caught([&] { w.service.create_intake(client7, client_id{7}, s8); });
  CHECK(e.code() == errc::invalid_argument);
  CHECK_THAT(e.what(), Contains("is not a session of client 7"));
  CHECK(caught([&] { w.service.create_intake(client7, client_id{7}, session_id{999}); }).code() ==
        errc::not_found);
}

INTAKE_TEST("without a keyring, sealing and opening are errc::crypto; consents need no key") {
  world<TestType> w;
  const intake_id id = w.complete_form(7, "alpha");
  slotbook::booking_service keyless{w.backend.db, w.clock};
  CHECK(caught([&] { keyless.read_intake(client7, id); }).code() == errc::crypto);
  CHECK(caught([&] { keyless.create_intake(client7, client_id{7}); }).code() == errc::crypto);
  CHECK(caught([&] { keyless.save_intake_step(client7, id, goals("b")); }).code() == errc::crypto);
  CHECK_FALSE(keyless.save_intake_step(client7, id, slotbook::consent_step{}).complete);
}

// --- who may read, and the audit of every read
// ------------------------------------------------------

INTAKE_TEST("a provider reads the form of a client who has a session with them; another may not") {
  world<TestType> w;
  w.book(client7, 43, 7, wed10);
  const intake_id id = w.complete_form(7, "alpha");
  const std::size_t reads_before = w.audit("read_intake").size();

  CHECK(w.service.read_intake(provider43, id).personal_info == personal_info("alpha"));
  const slotbook::error e = caught([&] { w.service.read_intake(provider44, id); });
  CHECK(e.code() == errc::forbidden);
  CHECK_THAT(e.what(), Contains("provider 44 may not read intake_form"));
  CHECK(caught([&] { w.service.read_intake(client8, id); }).code() == errc::forbidden);
  CHECK(caught([&] { w.service.client_intakes(provider44, client_id{7}); }).code() ==
        errc::forbidden);
  CHECK(w.service.client_intakes(provider43, client_id{7}).size() == 1);

  // The successful read is in the chain: who, when, which form; so are the refused ones.
  const auto reads = w.audit("read_intake");
  REQUIRE(reads.size() == reads_before + 1);
  const audit_entry& r = reads.back();
  CHECK(r.who_role == slotbook::role::provider);
  CHECK(r.who_id == 43);
  CHECK(r.at == w.clock.now());
  CHECK_THAT(r.detail, Contains("intake_form " + std::to_string(id.value) + " of client 7"));
  const auto denials = w.audit("denied");
  REQUIRE(denials.size() == 3);
  CHECK(denials[0].who_id == 44);
  CHECK_THAT(denials[0].detail, Contains("read_intake: forbidden"));
  CHECK(w.service.verify_audit().ok());
}

INTAKE_TEST("every decrypted read appends one audit entry, whoever reads") {
  world<TestType> w;
  w.book(client7, 44, 7, wed10);
  const intake_id id = w.complete_form(7, "alpha");
  const std::size_t before = w.audit().size();
  for (const actor& who : {client7, provider44, admin, system_actor, client7}) {
    w.service.read_intake(who, id);
  }
  const auto all = w.audit();
  REQUIRE(all.size() == before + 5);
  for (std::size_t i = before; i < all.size(); ++i) CHECK(all[i].action == "read_intake");
  CHECK(all[before + 1].who_role == slotbook::role::provider);
  CHECK(all[before + 2].who_role == slotbook::role::admin);
  CHECK(all[before + 3].who_role == slotbook::role::system);
  // Listing summaries decrypts nothing and is not a read of the content.
  w.service.client_intakes(client7, client_id{7});
  CHECK(w.audit().size() == before + 5);
  CHECK(w.service.verify_audit().ok());
}

INTAKE_TEST("a provider whose only session with the client was cancelled may not read the form") {
  world<TestType> w;
  const session_id s = w.book(client7, 44, 7, wed10);
  const intake_id id = w.complete_form(7, "alpha");
  CHECK_NOTHROW(w.service.read_intake(provider44, id));
  w.service.cancel(client7, s, "changed my mind");
  CHECK(caught([&] { w.service.read_intake(provider44, id); }).code() == errc::forbidden);
}

// --- the intake requirement ----------------------------------------------------------------------

INTAKE_TEST(
    "a session with a provider who requires intake is not confirmed without a complete form") {
  world<TestType> w;
  const session_id s = w.book(client7, 43, 7, wed10);  // free: scheduled at once
  const intake_id id = w.service.create_intake(client7, client_id{7}, s).id;
  w.service.save_intake_step(client7, id, personal_info("a"));

  const slotbook::error e =
      caught([&] { w.service.update_status(client7, s, {session_status::confirmed}); });
  CHECK(e.code() == errc::policy_denied);
  CHECK_THAT(e.what(), Contains("provider 43 requires a complete intake form"));
  CHECK_THAT(e.what(), Contains("is missing mental_health, goals, consent.consent_to_treatment"));
  CHECK(w.stored_session(s).status == session_status::scheduled);

  // Nor can the provider start it straight from scheduled.
  w.clock.set(wed10 - 10min);
  CHECK(caught([&] {
          w.service.update_status(provider43, s, {session_status::in_progress});
        }).code() == errc::policy_denied);

  w.service.save_intake_step(client7, id, mental_health("a"));
  w.service.save_intake_step(client7, id, goals("a"));
  w.service.save_intake_step(client7, id, all_consents);
  CHECK(w.service.update_status(client7, s, {session_status::confirmed}).updated.status ==
        session_status::confirmed);
}

INTAKE_TEST("a payment for a session that requires intake is refused until the form is complete") {
  world<TestType> w;
  const session_id s = w.book(client7, 42, 7, wed10);  // pending_payment
  const slotbook::error e =
      caught([&] { w.service.confirm_payment(system_actor, s, "mpesa", "QK7H2XYZ"); });
  CHECK(e.code() == errc::policy_denied);
  CHECK_THAT(e.what(), Contains("client 7 has no intake form"));
  CHECK(w.stored_session(s).status == session_status::pending_payment);
  CHECK(w.stored_session(s).payment == slotbook::payment_status::pending);

  w.complete_form(7, "a");
  CHECK(w.service.confirm_payment(system_actor, s, "mpesa", "QK7H2XYZ").outcome ==
        slotbook::payment_outcome::scheduled);
}

INTAKE_TEST("a provider who does not require intake confirms without any form") {
  world<TestType> w;
  const session_id s = w.book(client7, 44, 7, wed10);
  CHECK(w.service.update_status(client7, s, {session_status::confirmed}).updated.status ==
        session_status::confirmed);
}

INTAKE_TEST("a deleted form no longer satisfies the intake requirement") {
  world<TestType> w;
  const session_id s = w.book(client7, 43, 7, wed10);
  const intake_id id = w.complete_form(7, "a");
  w.service.delete_intake(client7, id, "client request");
  CHECK(caught([&] { w.service.update_status(client7, s, {session_status::confirmed}); }).code() ==
        errc::policy_denied);
}

// --- crypto-shredding
// -----------------------------------------------------------------------------

INTAKE_TEST("a deleted form is crypto-shredded: its key and steps are gone and it cannot be read") {
  world<TestType> w;
  w.book(client7, 44, 7, wed10);
  const intake_id id = w.complete_form(7, "alpha");
  const auto before = w.stored(id);
  w.clock.advance(1h);
  const auto result = w.service.delete_intake(client7, id, "client request");
  CHECK(result.at == w.clock.now());
  CHECK(result.scrubbed);

  const auto after = w.stored(id);
  CHECK(after.deleted_at == w.clock.now());
  CHECK(after.deletion_reason == "client request");
  CHECK(after.form.data_key.bytes.empty());
  CHECK_FALSE(after.form.personal_info.has_value());
  CHECK_FALSE(after.form.mental_health.has_value());
  CHECK_FALSE(after.form.goals.has_value());
  CHECK(after.form.consent == slotbook::consent_step{});
  CHECK(after.form.client == client_id{7});

  const slotbook::error e = caught([&] { w.service.read_intake(client7, id); });
  CHECK(e.code() == errc::not_found);
  CHECK_THAT(e.what(), Contains("was deleted"));
  CHECK(caught([&] { w.service.read_intake(admin, id); }).code() == errc::not_found);
  CHECK(caught([&] { w.service.save_intake_step(client7, id, goals("x")); }).code() ==
        errc::not_found);
  CHECK(caught([&] { w.service.delete_intake(client7, id, "again"); }).code() == errc::conflict);

  // Even with the keyring, the old blobs do not open under a new data key for the same form:
  // nothing else can open them (the only data key is gone).
  slotbook::sealed_intake forged = before.form;
  forged.data_key =
      slotbook::wrap(w.ring, slotbook::intake_record(id), slotbook::record_key::generate());
  CHECK(caught([&] { slotbook::open_intake(forged, w.ring); }).code() == errc::crypto);

  const auto deletions = w.audit("delete_intake");
  REQUIRE(deletions.size() == 1);
  CHECK(deletions[0].who_role == slotbook::role::client);
  CHECK_THAT(deletions[0].detail, Contains("crypto-shredded"));
  CHECK_THAT(deletions[0].detail, Contains("\"client request\""));

  const auto summaries = w.service.client_intakes(client7, client_id{7});
  REQUIRE(summaries.size() == 1);
  CHECK(summaries[0].deleted_at == w.clock.now());
  CHECK(summaries[0].key_version == 0);
  CHECK_FALSE(summaries[0].complete);
}

INTAKE_TEST("a provider may not delete a client's form, and a reason is required") {
  world<TestType> w;
  w.book(client7, 44, 7, wed10);
  const intake_id id = w.complete_form(7, "alpha");
  CHECK(caught([&] { w.service.delete_intake(provider44, id, "tidy up"); }).code() ==
        errc::forbidden);
  CHECK(caught([&] { w.service.delete_intake(client8, id, "x"); }).code() == errc::forbidden);
  CHECK(caught([&] { w.service.delete_intake(client7, id, ""); }).code() == errc::invalid_argument);
  CHECK(caught([&] { w.service.delete_intake(client7, id, std::string(201, 'r')); }).code() ==
        errc::invalid_argument);
  CHECK_FALSE(w.stored(id).deleted());
  CHECK(w.service.delete_intake(admin, id, "retention policy").scrubbed);
}

// --- key rotation -------------------------------------------------------------------------------

INTAKE_TEST("an interrupted rotation resumes, after which the old key can be removed") {
  world<TestType> w;
  std::vector<intake_id> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(w.complete_form(7, "form" + std::to_string(i)));
  std::vector<intake_form> expected;
  for (const intake_id id : ids) expected.push_back(w.service.read_intake(admin, id));
  const intake_id shredded = w.complete_form(7, "gone");
  w.service.delete_intake(client7, shredded, "client request");

  w.ring.add(2, slotbook::key_material::generate());
  // The host stops the first run after its first batch (a crash would do the same).
  struct stop_here {};
  std::vector<slotbook::rotation_progress> seen;
  CHECK_THROWS_AS(w.service.rotate_intake_keys(3,
                                               [&](const slotbook::rotation_progress& p) {
                                                 seen.push_back(p);
                                                 throw stop_here{};
                                               }),
                  stop_here);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].to_version == 2);
  CHECK(seen[0].batches == 1);
  CHECK(seen[0].rewrapped == 3);
  CHECK(seen[0].last == ids[2]);
  // Half-way: the first three forms are on version 2, the other four still on 1, and every one
  // of them reads back (the keyring has both versions).
  for (std::size_t i = 0; i < ids.size(); ++i) {
    INFO("form " << i);
    CHECK(slotbook::key_version(w.stored(ids[i]).form) == (i < 3 ? 2u : 1u));
    CHECK(w.service.read_intake(admin, ids[i]) == expected[i]);
  }

  // Running it again finishes the job: 4 forms in batches of 3 and 1.
  seen.clear();
  const auto report = w.service.rotate_intake_keys(3, [&](const auto& p) { seen.push_back(p); });
  CHECK(report == slotbook::rotation_report{2, 2, 4});
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].rewrapped == 4);
  CHECK(seen[1].last == ids[6]);

  CHECK(w.ring.remove(1));
  for (std::size_t i = 0; i < ids.size(); ++i) {
    INFO("form " << i);
    CHECK(slotbook::key_version(w.stored(ids[i]).form) == 2u);
    CHECK(w.service.read_intake(client7, ids[i]) == expected[i]);
  }
  // Nothing left: a third run does no batch and writes no audit entry.
  const std::size_t entries = w.audit().size();
  CHECK(w.service.rotate_intake_keys(3) == slotbook::rotation_report{2, 0, 0});
  CHECK(w.audit().size() == entries);
  // One audit entry per committed batch: 1 + 2.
  const auto batches = w.audit("rotate_intake_keys");
  REQUIRE(batches.size() == 3);
  CHECK_THAT(batches[0].detail, Contains("3 intake forms re-wrapped to key version 2 (3 from "
                                         "version 1)"));
  CHECK(w.service.verify_audit().ok());
}

INTAKE_TEST("rotation leaves the sealed steps untouched and only moves the data key") {
  world<TestType> w;
  const intake_id id = w.complete_form(7, "alpha");
  const auto before = w.stored(id);
  w.ring.add(2, slotbook::key_material::generate());
  w.service.rotate_intake_keys();
  const auto after = w.stored(id);
  CHECK(after.form.personal_info == before.form.personal_info);
  CHECK(after.form.mental_health == before.form.mental_health);
  CHECK(after.form.goals == before.form.goals);
  CHECK(after.form.data_key != before.form.data_key);
  CHECK(after.updated_at == before.updated_at);
}

INTAKE_TEST("a rotation stops at a form that does not unwrap, naming it, and writes nothing") {
  world<TestType> w;
  const intake_id first = w.complete_form(7, "alpha");
  w.complete_form(7, "beta");
  const auto before = w.stored(first);
  w.ring.add(2, slotbook::key_material::generate());
  w.ring.remove(1);  // removed too early: the forms are still on version 1
  const slotbook::error e = caught([&] { w.service.rotate_intake_keys(10); });
  CHECK(e.code() == errc::crypto);
  CHECK_THAT(e.what(), Contains("intake_form " + std::to_string(first.value)));
  CHECK_THAT(e.what(), Contains("key version 1"));
  CHECK(w.stored(first) == before);
  CHECK(w.audit("rotate_intake_keys").empty());
  CHECK(caught([&] { w.service.rotate_intake_keys(0); }).code() == errc::invalid_argument);
}

INTAKE_TEST("a form whose key version is missing from the keyring is errc::crypto naming it") {
  world<TestType> w;
  const intake_id id = w.complete_form(7, "alpha");
  w.ring.add(5, slotbook::key_material::generate());
  w.ring.remove(1);
  const slotbook::error e = caught([&] { w.service.read_intake(client7, id); });
  CHECK(e.code() == errc::crypto);
  CHECK_THAT(e.what(), Contains("key version 1, which is not in the keyring (it holds: 5)"));
  CHECK_FALSE(contains(e.what(), "alpha"));
  // The failed read is audited too.
  const auto refusals = w.audit("refused");
  REQUIRE_FALSE(refusals.empty());
  CHECK_THAT(refusals.back().detail, Contains("read_intake: crypto"));
}

// --- secure delete of sessions, retention and purge ----------------------------------------------

INTAKE_TEST("a secure delete redacts a finished session's free text and marks it deleted") {
  world<TestType> w;
  slotbook::booking_request r;
  r.provider = provider_id{44};
  r.client = client_id{7};
  r.scheduled_at = wed10;
  r.notes = "panic attacks at work";
  r.special_requests = "ground floor room";
  const session_id s = w.service.book(client7, r).session;
  const slotbook::error active =
      caught([&] { w.service.secure_delete_session(client7, s, "client request"); });
  CHECK(active.code() == errc::conflict);
  CHECK_THAT(active.what(), Contains("cancel it first"));

  w.service.cancel(client7, s, "feeling too anxious to come");
  CHECK(caught([&] { w.service.secure_delete_session(provider44, s, "x"); }).code() ==
        errc::forbidden);
  w.clock.advance(2h);
  const auto result = w.service.secure_delete_session(client7, s, "client request");
  CHECK(result.at == w.clock.now());
  CHECK(result.scrubbed);
  const slotbook::session after = w.stored_session(s);
  CHECK(after.notes == slotbook::redacted_text);
  CHECK(after.special_requests == slotbook::redacted_text);
  CHECK(after.cancellation_reason == slotbook::redacted_text);
  CHECK(after.status == session_status::cancelled);
  {
    slotbook::transaction tx(w.backend.db, slotbook::access::read);
    CHECK(w.backend.db.find_session_deletion(s) ==
          slotbook::session_deletion{s, w.clock.now(), "client request"});
  }
  const auto entries = w.audit("secure_delete");
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].session == s);
  CHECK_FALSE(contains(entries[0].detail, "anxious"));
  CHECK(caught([&] { w.service.secure_delete_session(admin, s, "again"); }).code() ==
        errc::conflict);
}

INTAKE_TEST("a reschedule's own cancellation reason is a code and survives a secure delete") {
  world<TestType> w;
  const session_id s = w.book(client7, 44, 7, wed10);
  const auto moved = w.service.reschedule(client7, s, wed10 + 2h);
  w.service.secure_delete_session(client7, s, "client request");
  CHECK(w.stored_session(s).cancellation_reason == "rescheduled");
  CHECK(w.stored_session(moved.replacement.id).status == session_status::scheduled);
}

INTAKE_TEST("purge removes deleted sessions and forms after the retention period, not before") {
  world<TestType> w{[](slotbook::service_options& o) { o.deleted_retention = 24h * 30; }};
  const session_id s = w.book(client7, 44, 7, wed10);
  w.service.cancel(client7, s, "");
  const session_id kept = w.book(client7, 44, 7, wed10 + 2h);
  const intake_id form = w.complete_form(7, "alpha");
  const intake_id live = w.complete_form(7, "beta");
  const instant deleted = w.clock.now();
  w.service.secure_delete_session(client7, s, "client request");
  w.service.delete_intake(client7, form, "client request");

  // Exactly 30 days later the records were deleted 30 days ago, not more: they stay.
  w.clock.set(deleted + 24h * 30);
  auto report = w.service.purge_expired();
  CHECK(report.cutoff == deleted);
  CHECK(report.sessions.empty());
  CHECK(report.intakes.empty());
  CHECK(w.audit("purge").empty());
  CHECK(w.stored_session(s).status == session_status::cancelled);

  w.clock.advance(1s);
  report = w.service.purge_expired();
  CHECK(report.sessions == std::vector{s});
  CHECK(report.intakes == std::vector{form});
  CHECK(report.scrubbed);
  {
    slotbook::transaction tx(w.backend.db, slotbook::access::read);
    CHECK_FALSE(w.backend.db.find_session(s).has_value());
    CHECK_FALSE(w.backend.db.find_session_deletion(s).has_value());
    CHECK(w.backend.db.session_reminders(s).empty());
    CHECK_FALSE(w.backend.db.find_intake(form).has_value());
    CHECK(w.backend.db.find_session(kept).has_value());
    CHECK(w.backend.db.find_intake(live).has_value());
  }
  const auto purges = w.audit("purge");
  REQUIRE(purges.size() == 1);
  CHECK(purges[0].who_role == slotbook::role::system);
  CHECK_THAT(purges[0].detail, Contains("1 sessions (" + std::to_string(s.value) + ")"));
  CHECK(w.service.purge_expired().sessions.empty());
  CHECK(w.service.verify_audit().ok());
}

INTAKE_TEST("a negative or absurd retention period is refused") {
  world<TestType> w;
  slotbook::service_options o;
  o.deleted_retention = -1s;
  CHECK_THROWS_AS(slotbook::validate(o), slotbook::error);
  o.deleted_retention = std::chrono::hours{24 * 365 * 200};
  CHECK_THROWS_AS(slotbook::validate(o), slotbook::error);
  o.deleted_retention = 0s;
  CHECK_NOTHROW(slotbook::validate(o));
}

// --- subject-access export -----------------------------------------------------------------------

INTAKE_TEST("a client's export holds their sessions and decrypted forms, and is audited") {
  world<TestType> w;
  const session_id s1 = w.book(client7, 44, 7, wed10);
  const session_id s2 = w.book(client7, 43, 7, wed10 + 2h);
  w.book(client8, 44, 8, wed10 + 4h);
  const intake_id form = w.complete_form(7, "alpha \"quoted\" \\ \u00e9");
  const intake_id gone = w.complete_form(7, "beta");
  w.service.delete_intake(client7, gone, "client request");
  w.service.cancel(client7, s1, "");
  w.service.secure_delete_session(client7, s1, "client request");

  CHECK(caught([&] { w.service.export_client_data(provider44, client_id{7}); }).code() ==
        errc::forbidden);
  CHECK(caught([&] { w.service.export_client_data(client8, client_id{7}); }).code() ==
        errc::forbidden);

  const auto e = w.service.export_client_data(client7, client_id{7});
  CHECK(e.client == client_id{7});
  REQUIRE(e.sessions.size() == 2);
  CHECK(e.sessions[0].id == s1);
  CHECK(e.sessions[1].id == s2);
  REQUIRE(e.deleted_sessions.size() == 1);
  CHECK(e.deleted_sessions[0].session == s1);
  REQUIRE(e.intake_forms.size() == 1);
  CHECK(e.intake_forms[0] == w.service.read_intake(client7, form));
  REQUIRE(e.deleted_intakes.size() == 1);
  CHECK(e.deleted_intakes[0].id == gone);

  const auto exports = w.audit("export_client_data");
  REQUIRE(exports.size() == 1);
  CHECK(exports[0].who_role == slotbook::role::client);
  CHECK_THAT(exports[0].detail,
             Contains("1 intake forms decrypted (" + std::to_string(form.value) + ")"));

  // The JSON text parses and says the same.
  const nlohmann::json j = nlohmann::json::parse(slotbook::to_json(e));
  CHECK(j["client"] == 7);
  REQUIRE(j["sessions"].size() == 2);
  CHECK(j["sessions"][0]["id"] == s1.value);
  CHECK(j["sessions"][0]["notes"] == "");
  CHECK(j["sessions"][1]["status"] == "scheduled");
  CHECK(j["sessions"][1]["amount"]["currency"] == "KES");
  CHECK(j["deleted_sessions"][0]["reason"] == "client request");
  REQUIRE(j["intake_forms"].size() == 1);
  CHECK(j["intake_forms"][0]["personal_info"]["allergies"] == "penicillin alpha \"quoted\" \\ \u00e9");
  CHECK(j["intake_forms"][0]["mental_health"]["severity_level"] == 6);
  CHECK(j["intake_forms"][0]["goals"]["therapy_goals"][0] ==
        "sleep through the night alpha \"quoted\" \\ \u00e9");
  CHECK(j["intake_forms"][0]["consent"]["data_processing_consent"] == true);
  CHECK(j["deleted_intakes"][0]["id"] == gone.value);
}

TEST_CASE("the JSON export escapes control characters and replaces bytes that are not UTF-8") {
  slotbook::client_data_export e;
  e.client = client_id{7};
  slotbook::session s;
  s.id = session_id{1};
  s.notes = std::string("tab\there \x01 bad \xff end \xC3\xA9");
  e.sessions.push_back(s);
  const std::string text = slotbook::to_json(e);
  CHECK(contains(text, R"("tab\there \u0001 bad )"));
  const nlohmann::json j = nlohmann::json::parse(text);
  CHECK(j["sessions"][0]["notes"] == "tab\there \x01 bad \xEF\xBF\xBD end \xC3\xA9");
  CHECK(j["sessions"][0]["joined_at"].is_null());
  CHECK(j["sessions"][0]["rescheduled_to"].is_null());
}
