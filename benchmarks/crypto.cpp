// Sealing cost: whole intake forms per second (about 2 KB of client text each), the cost of one
// field, one key wrap and one rotation step, and a whole key rotation through booking_service
// (forms per second, batches of 100, on memory_store and on a durable sqlite_store file).
//
//   bench_crypto --benchmark_counters_tabular=true
//
// Every seal draws a fresh 96-bit nonce from the system RNG and sets up a new AES-256/GCM object;
// both are included in the figures, as they are in real use.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "slotbook/booking_service.hpp"
#include "slotbook/crypto.hpp"
#include "slotbook/intake.hpp"
#include "slotbook/memory_store.hpp"
#include "slotbook/sqlite_store.hpp"

namespace {

using namespace std::chrono_literals;

slotbook::keyring bench_ring() {
  slotbook::keyring ring;
  ring.add(1, slotbook::key_material::generate());
  return ring;
}

std::string text(std::size_t n, char base) {
  std::string s;
  s.reserve(n);
  static constexpr std::string_view words[] = {"sleep ",    "work ",  "anxious ", "family ",
                                               "mornings ", "since ", "the ",     "and "};
  for (std::size_t i = 0; s.size() < n; ++i) s += words[(i + static_cast<std::size_t>(base)) % 8];
  s.resize(n);
  return s;
}

// A complete form with about 2 KB of text, as a thorough client would write it.
slotbook::intake_form realistic_form() {
  slotbook::intake_form form;
  form.id = slotbook::intake_id{1234};
  form.session = slotbook::session_id{99};
  form.client = slotbook::client_id{42};
  slotbook::personal_info_step p;
  p.emergency_contact = "Amina Odhiambo (sister), +254 700 000 000";
  p.medical_history = text(600, 1);
  p.current_medications = text(150, 2);
  p.allergies = text(50, 3);
  slotbook::mental_health_step m;
  m.previous_therapy = true;
  m.current_symptoms = {text(30, 1), text(30, 2), text(30, 3), text(30, 4), text(30, 5)};
  m.severity_level = 6;
  m.trigger_factors = {text(30, 6), text(30, 7), text(30, 0)};
  m.coping_mechanisms = {text(30, 1), text(30, 2), text(30, 3)};
  slotbook::goals_step g;
  g.therapy_goals = {text(60, 1), text(60, 2), text(60, 3)};
  g.expectations = text(400, 4);
  g.preferred_approach = "CBT, some mindfulness";
  form.personal_info = p;
  form.mental_health = m;
  form.goals = g;
  form.consent = {true, true, true};
  form.completed_at = slotbook::instant{1'767'225'600s};
  return form;
}

std::size_t text_bytes(const slotbook::intake_form& f) {
  std::size_t n = f.personal_info->emergency_contact.size() +
                  f.personal_info->medical_history.size() +
                  f.personal_info->current_medications.size() + f.personal_info->allergies.size() +
                  f.goals->expectations.size() + f.goals->preferred_approach.size();
  for (const auto* list : {&f.mental_health->current_symptoms, &f.mental_health->trigger_factors,
                           &f.mental_health->coping_mechanisms, &f.goals->therapy_goals}) {
    for (const auto& item : *list) n += item.size();
  }
  return n;
}

void BM_seal_intake(benchmark::State& state) {
  const auto ring = bench_ring();
  const auto form = realistic_form();
  for (auto _ : state) benchmark::DoNotOptimize(slotbook::seal_intake(form, ring));
  state.SetItemsProcessed(state.iterations());  // forms
  state.counters["text_bytes"] = static_cast<double>(text_bytes(form));
}
BENCHMARK(BM_seal_intake);

void BM_open_intake(benchmark::State& state) {
  const auto ring = bench_ring();
  const auto form = realistic_form();
  const auto sealed = slotbook::seal_intake(form, ring);
  for (auto _ : state) benchmark::DoNotOptimize(slotbook::open_intake(sealed, ring));
  state.SetItemsProcessed(state.iterations());  // forms
  state.counters["text_bytes"] = static_cast<double>(text_bytes(form));
}
BENCHMARK(BM_open_intake);

// Validation alone, to see how much of seal_intake it is.
void BM_validate_intake(benchmark::State& state) {
  const auto form = realistic_form();
  for (auto _ : state) benchmark::DoNotOptimize(slotbook::problems(form));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_validate_intake);

void BM_seal_field(benchmark::State& state) {
  const auto key = slotbook::record_key::generate();
  const slotbook::record_ref record{"intake_form", 1234};
  const std::string plain = text(static_cast<std::size_t>(state.range(0)), 0);
  for (auto _ : state) benchmark::DoNotOptimize(slotbook::seal(key, record, "allergies", plain));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_seal_field)->Arg(16)->Arg(256)->Arg(4096);

void BM_open_field(benchmark::State& state) {
  const auto key = slotbook::record_key::generate();
  const slotbook::record_ref record{"intake_form", 1234};
  const auto blob =
      slotbook::seal(key, record, "allergies", text(static_cast<std::size_t>(state.range(0)), 0));
  for (auto _ : state) benchmark::DoNotOptimize(slotbook::open(key, record, "allergies", blob));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_open_field)->Arg(16)->Arg(256)->Arg(4096);

void BM_wrap(benchmark::State& state) {
  const auto ring = bench_ring();
  const auto key = slotbook::record_key::generate();
  for (auto _ : state) {
    benchmark::DoNotOptimize(slotbook::wrap(ring, {"intake_form", 1234}, key));
  }
}
BENCHMARK(BM_wrap);

void BM_unwrap(benchmark::State& state) {
  const auto ring = bench_ring();
  const auto wrapped =
      slotbook::wrap(ring, {"intake_form", 1234}, slotbook::record_key::generate());
  for (auto _ : state) {
    benchmark::DoNotOptimize(slotbook::unwrap(ring, {"intake_form", 1234}, wrapped));
  }
}
BENCHMARK(BM_unwrap);

// One form's share of a rotation: unwrap under the old version, wrap under the new.
void BM_reseal_intake(benchmark::State& state) {
  auto ring = bench_ring();
  const auto sealed = slotbook::seal_intake(realistic_form(), ring);
  ring.add(2, slotbook::key_material::generate());
  for (auto _ : state) benchmark::DoNotOptimize(slotbook::reseal(sealed, ring));
  state.SetItemsProcessed(state.iterations());  // forms
}
BENCHMARK(BM_reseal_intake);

// 32 bytes from the system RNG: what a new form pays for its data key (a seal's 12-byte nonce
// comes from the same source).
void BM_generate_record_key(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(slotbook::record_key::generate());
}
BENCHMARK(BM_generate_record_key);

// A whole rotation through the service: `forms` realistic forms in a store, re-wrapped from the
// previous keyring version to a new one in batches of `batch` (one write transaction and one
// audit entry per batch). Each iteration adds a version and rotates every form once; the figure
// is forms per second of wall-clock time (the SQLite one waits for one durable commit per batch),
// including the store reads and writes and the audit entries.
template <class Store>
void rotate_through_service(benchmark::State& state, Store& store) {
  const auto forms = static_cast<std::size_t>(state.range(0));
  constexpr std::size_t batch = 100;
  slotbook::keyring ring;
  std::uint32_t version = 1;
  ring.add(version, slotbook::key_material::generate());
  slotbook::settable_clock clock{slotbook::instant{1'767'225'600s}};
  slotbook::service_options options;
  options.keys = &ring;
  slotbook::booking_service service{store, clock, options};
  {
    slotbook::transaction tx(store, slotbook::access::write);
    for (std::size_t i = 0; i < forms; ++i) {
      slotbook::intake_form form = realistic_form();
      form.id = store.next_intake_id();
      slotbook::stored_intake f;
      f.form = slotbook::seal_intake(form, ring);
      f.created_at = f.updated_at = clock.now();
      store.put_intake(f);
    }
    tx.commit();
  }
  for (auto _ : state) {
    state.PauseTiming();
    ring.add(++version, slotbook::key_material::generate());
    state.ResumeTiming();
    const auto report = service.rotate_intake_keys(batch);
    if (report.rewrapped != forms) state.SkipWithError("not every form was rotated");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));  // forms
}

void BM_rotate_service_memory(benchmark::State& state) {
  slotbook::memory_store store;
  rotate_through_service(state, store);
}
BENCHMARK(BM_rotate_service_memory)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_rotate_service_sqlite_file(benchmark::State& state) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("slotbook-bench-rotate-" + std::to_string(::getpid()) + ".db"))
                               .string();
  {
    slotbook::sqlite_store store{path};
    rotate_through_service(state, store);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}
BENCHMARK(BM_rotate_service_sqlite_file)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
