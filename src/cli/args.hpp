#pragma once
/// \file args.hpp
/// "What did the user type?": the command table's shape, and parsing one command's arguments.
///
/// A command line is `slotbook [global options] WORD [WORD] [arguments and options]`. Options are
/// `--name VALUE`, `--name=VALUE` or a bare `--flag`; `--` ends the options. The global options
/// (`--db`, `--json`, `--as`, `--now`, `--help`) are accepted anywhere. Anything malformed (an
/// unknown option, a missing value or argument, an option given twice) is a `usage_error`, which
/// the tool reports with exit code 2; values themselves are checked later, by slotbook's own
/// parsers, and are `errc::invalid_argument`.

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slotbook::cli {

/// The command line does not have the shape a command expects.
class usage_error : public std::runtime_error {
 public:
  /// `command` is the command's name (e.g. "slots"), or empty for the top level.
  usage_error(std::string command, const std::string& message)
      : std::runtime_error(message), command_(std::move(command)) {}
  const std::string& command() const noexcept { return command_; }

 private:
  std::string command_;
};

/// One option a command accepts.
///
///     {"--from", "DATE", "first day (in the provider's zone)"}
struct option_spec {
  std::string_view name;   ///< "--from"
  std::string_view value;  ///< what follows it ("DATE"); empty for a flag
  std::string_view help;   ///< one line
  bool required = false;
};

/// A command's arguments after parsing.
struct parsed_args {
  std::vector<std::string> positional;
  std::map<std::string, std::string, std::less<>> values;  ///< option name -> value ("" for flags)
  bool help = false;

  /// True when the option (or flag) was given.
  bool has(std::string_view name) const { return values.find(name) != values.end(); }
  /// The option's value, if given.
  std::optional<std::string> get(std::string_view name) const {
    const auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
};

/// Parses `args` (everything after the command words) against `options` plus the global
/// options, expecting between `min_positional` and `max_positional` positional arguments. With
/// `--help` among them, only the options' shape is checked (so `slotbook book --help` works
/// without the required options).
///
///     auto a = parse_args("slots", {"42", "--from", "2026-01-12"}, spec.options, 1, 1);
parsed_args parse_args(std::string_view command, std::span<const std::string> args,
                       std::span<const option_spec> options, std::size_t min_positional,
                       std::size_t max_positional);

/// The options every command accepts.
std::span<const option_spec> global_options();

/// True when `arg` is a global option that takes a value (`--db`, `--as`, `--now`), written
/// without `=`; used to find the command words among leading global options.
bool global_option_takes_value(std::string_view arg);

}  // namespace slotbook::cli
