#include "cli.hpp"

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "slotbook/detail/quote.hpp"
#include "values.hpp"

namespace slotbook::cli {

actor parse_actor(std::string_view text, std::string_view field) {
  if (text == "system") return actor::system();
  const auto colon = text.find(':');
  const std::string_view kind = text.substr(0, colon);
  if (colon == std::string_view::npos ||
      (kind != "admin" && kind != "provider" && kind != "client")) {
    throw error(errc::invalid_argument,
                fmt::format("{}: {} is not admin:ID, provider:ID, client:ID or system", field,
                            detail::quote(text)));
  }
  const std::uint64_t id = parse_id_value(text.substr(colon + 1), field);
  if (kind == "admin") return actor::admin(admin_id{id});
  if (kind == "provider") return actor::provider(provider_id{id});
  return actor::client(client_id{id});
}

context read_context(const parsed_args& args) {
  context ctx;
  if (const auto db = args.get("--db")) {
    if (db->empty()) throw error(errc::invalid_argument, "--db: the path is empty");
    ctx.db_path = *db;
    ctx.db_given = true;
  }
  ctx.json = args.has("--json");
  if (const auto as = args.get("--as")) {
    ctx.who = parse_actor(*as, "--as");
  } else if (const char* env = std::getenv("SLOTBOOK_AS"); env != nullptr && *env != '\0') {
    ctx.who = parse_actor(env, "SLOTBOOK_AS");
  }
  if (const auto now = args.get("--now")) ctx.now = parse_instant(*now, "--now");
  return ctx;
}

const date::time_zone& zone_option(const parsed_args& args, const std::string& fallback) {
  if (const auto tz = args.get("--tz")) return find_zone(*tz, "--tz");
  return find_zone(fallback);
}

workspace::workspace(const context& ctx, workspace_needs needs) {
  service_options options;
  if (needs.keys) {
    // Read before the database is opened: a missing key changes nothing.
    keys_ = std::make_unique<keyring>(keyring::from_env(keys_variable));
    options.keys = keys_.get();
  }
  const bool in_memory = ctx.db_path == ":memory:";
  if (!needs.create && !in_memory) {
    std::error_code ec;
    if (!std::filesystem::exists(ctx.db_path, ec)) {
      throw error(errc::storage,
                  fmt::format("--db: {} does not exist (run `slotbook init` to create it)",
                              detail::quote(ctx.db_path, 256)));
    }
  }
  store_ = std::make_unique<sqlite_store>(ctx.db_path);
  if (ctx.now) {
    clock_ = std::make_unique<settable_clock>(*ctx.now);
  } else {
    clock_ = std::make_unique<system_clock>();
  }
  service_ = std::make_unique<booking_service>(*store_, *clock_, std::move(options));
}

workspace::~workspace() = default;

}  // namespace slotbook::cli
