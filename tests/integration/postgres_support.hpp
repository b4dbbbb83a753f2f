#pragma once
// What the PostgreSQL tests share: the server's connection string (from SLOTBOOK_PG), scratch
// schemas that vanish after a test, plain-SQL connections that bypass slotbook, and the backend
// the store conformance suite runs against.
//
// The server: ctest starts a throwaway cluster (scripts/pg-cluster, fixture slotbook_postgres) and
// sets SLOTBOOK_PG. By hand:
//     export SLOTBOOK_PG="$(scripts/pg-cluster start /tmp/slotbook-pg)"
//     ./build/integration_postgres_store_test
//     scripts/pg-cluster stop /tmp/slotbook-pg
// Without SLOTBOOK_PG every test that needs the server fails saying so: never a silent skip.

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <pqxx/pqxx>

#include "slotbook/postgres_store.hpp"

namespace slotbook_test {

/// The libpq connection string of the test server.
inline std::string pg_connection_string() {
  const char* value = std::getenv("SLOTBOOK_PG");
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(
        "SLOTBOOK_PG is not set: the PostgreSQL tests need a server. ctest starts one; by hand: "
        "export SLOTBOOK_PG=\"$(scripts/pg-cluster start /tmp/slotbook-pg)\"");
  }
  return value;
}

/// A schema name no other test (in this process or another) uses at the same time.
inline std::string unique_schema_name(std::string_view tag) {
  static std::atomic<int> counter{0};
  return "slotbook_test_" + std::string(tag) + "_" + std::to_string(::getpid()) + "_" +
         std::to_string(++counter);
}

/// A plain libpqxx connection with `search_path` set to `schema`: SQL that bypasses slotbook.
inline std::unique_ptr<pqxx::connection> raw_connection(const std::string& schema) {
  auto c = std::make_unique<pqxx::connection>(pg_connection_string());
  c->set_variable("search_path", c->quote_name(schema));
  c->set_variable("client_min_messages", "warning");
  c->set_variable("TimeZone", "'UTC'");
  return c;
}

/// A fresh schema name for one test; the schema (if a store created it) is dropped with
/// everything in it when this goes out of scope.
class scratch_schema {
 public:
  explicit scratch_schema(std::string_view tag = "store") : name_(unique_schema_name(tag)) {}
  scratch_schema(const scratch_schema&) = delete;
  scratch_schema& operator=(const scratch_schema&) = delete;
  ~scratch_schema() {
    try {
      pqxx::connection c{pg_connection_string()};
      pqxx::nontransaction tx{c};
      tx.exec("SET client_min_messages = warning");
      tx.exec("DROP SCHEMA IF EXISTS " + c.quote_name(name_) + " CASCADE");
    } catch (...) {
      // A schema left behind is garbage in a throwaway cluster, not a test failure.
    }
  }

  const std::string& name() const noexcept { return name_; }

  /// Store options for this schema.
  slotbook::postgres_store_options options() const {
    slotbook::postgres_store_options o;
    o.schema = name_;
    return o;
  }

 private:
  std::string name_;
};

/// The store conformance suite's backend: a `postgres_store` in a scratch schema.
///
/// The suite states the `store` interface, which lets sessions of one provider or client overlap
/// (tests store overlapping scheduled sessions to check the range queries). The PostgreSQL schema
/// is stricter on purpose: its exclusion constraints refuse overlapping occupying sessions. So
/// this backend drops the two constraints from its own scratch schema, and
/// postgres_store_test.cpp tests them separately.
struct postgres_conformance_backend {
  scratch_schema schema{"conformance"};
  slotbook::postgres_store store{pg_connection_string(), schema.options()};

  postgres_conformance_backend() {
    const auto c = raw_connection(schema.name());
    pqxx::work tx{*c};
    tx.exec(
        "ALTER TABLE sessions DROP CONSTRAINT sessions_provider_no_overlap,"
        " DROP CONSTRAINT sessions_client_no_overlap");
    tx.commit();
  }
};

}  // namespace slotbook_test
