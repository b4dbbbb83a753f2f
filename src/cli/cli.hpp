#pragma once
/// \file cli.hpp
/// "What does every command share?": the global options (database, output mode, actor, time),
/// exit codes, the opened workspace and the command table of the `slotbook` tool.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "args.hpp"
#include "slotbook/actor.hpp"
#include "slotbook/booking_service.hpp"
#include "slotbook/clock.hpp"
#include "slotbook/crypto.hpp"
#include "slotbook/error.hpp"
#include "slotbook/sqlite_store.hpp"
#include "slotbook/time.hpp"

namespace slotbook::cli {

/// Exit codes that are not an error class (those are `exit_code_for(errc)`, 3 to 10).
inline constexpr int exit_ok = 0;
/// A check ran and found a problem: `audit verify` on a broken chain, `health` when unhealthy.
inline constexpr int exit_check_failed = 1;
/// The command line was malformed.
inline constexpr int exit_usage = 2;
/// Something slotbook did not expect (a bug): the message says what.
inline constexpr int exit_internal = 70;

/// The exit code of an error class: invalid_argument 3, not_found 4, conflict 5,
/// outside_availability 6, policy_denied 7, forbidden 8, storage 9, crypto 10.
///
///     exit_code_for(slotbook::errc::conflict);  // 5
constexpr int exit_code_for(errc code) noexcept {
  switch (code) {
    case errc::invalid_argument:
      return 3;
    case errc::not_found:
      return 4;
    case errc::conflict:
      return 5;
    case errc::outside_availability:
      return 6;
    case errc::policy_denied:
      return 7;
    case errc::forbidden:
      return 8;
    case errc::storage:
      return 9;
    case errc::crypto:
      return 10;
  }
  return exit_internal;
}

/// The global options, read once per run.
struct context {
  std::string db_path{"slotbook.db"};
  bool db_given = false;  ///< `--db` was on the command line
  bool json = false;
  /// Who acts: `--as`, else `$SLOTBOOK_AS`, else admin 1 (the operator at the terminal).
  actor who = actor::admin(admin_id{1});
  /// `--now`: every operation of this run happens at this instant; unset = the system clock.
  std::optional<instant> now;
};

/// Reads `--as`: `admin:ID`, `provider:ID`, `client:ID` or `system`; anything else is
/// `errc::invalid_argument` naming `field`.
///
///     parse_actor("provider:42", "--as");  // actor::provider(provider_id{42})
actor parse_actor(std::string_view text, std::string_view field);

/// The global options of `args` (with the environment's `SLOTBOOK_AS`).
context read_context(const parsed_args& args);

/// The zone a command reads and shows times in: `--tz` when given (an unknown name is
/// `errc::invalid_argument` naming `--tz`), else `fallback` (usually the provider's zone).
const date::time_zone& zone_option(const parsed_args& args, const std::string& fallback);

/// What a command needs of its workspace.
struct workspace_needs {
  /// Create the database file when it does not exist (only `init` and `demo`).
  bool create = false;
  /// The intake keyring, from `$SLOTBOOK_KEYS` (`errc::crypto` when unset or unusable).
  bool keys = false;
};

/// The environment variable the intake keyring is read from: `1:<base64>,2:<base64>`.
inline constexpr std::string_view keys_variable = "SLOTBOOK_KEYS";

/// The database, the clock and the booking service of one run. All writes go through
/// `service()`, so they are checked and audited; `store()` is for reads the service does not
/// offer (listing providers).
class workspace {
 public:
  /// Opens `ctx.db_path`. Unless `needs.create`, the file must exist already (`errc::storage`
  /// otherwise: run `slotbook init` first), so a typo in `--db` never creates a stray database.
  explicit workspace(const context& ctx, workspace_needs needs = {});
  ~workspace();
  workspace(const workspace&) = delete;
  workspace& operator=(const workspace&) = delete;

  sqlite_store& store() noexcept { return *store_; }
  booking_service& service() noexcept { return *service_; }
  /// The current instant as the service sees it.
  instant now() { return clock_->now(); }

 private:
  std::unique_ptr<keyring> keys_;
  std::unique_ptr<sqlite_store> store_;
  std::unique_ptr<clock> clock_;
  std::unique_ptr<booking_service> service_;
};

/// Runs one command; returns the exit code. Errors are thrown (`slotbook::error`,
/// `usage_error`) and reported by main.
using handler = int (*)(const context& ctx, const parsed_args& args);

/// One command of the tool.
struct command {
  std::string_view name;       ///< "provider add"
  std::string_view arguments;  ///< "ID --name NAME [--price AMOUNT]", for the usage line
  std::string_view summary;    ///< one line, for `slotbook --help`
  std::string_view details;    ///< paragraphs for `slotbook NAME --help`
  std::vector<option_spec> options;
  std::size_t min_positional = 0;
  std::size_t max_positional = 0;
  handler run = nullptr;
};

/// The commands of each part of the tool, in the order `--help` lists them.
std::vector<command> booking_commands();
std::vector<command> group_commands();
std::vector<command> operation_commands();
std::vector<command> demo_commands();
std::vector<command> privacy_commands();
std::vector<command> calendar_commands();

}  // namespace slotbook::cli
