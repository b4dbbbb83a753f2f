#include "args.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "slotbook/detail/quote.hpp"

namespace slotbook::cli {

namespace {

constexpr std::array<option_spec, 5> globals{{
    {"--db", "PATH", "the database file (default slotbook.db)"},
    {"--json", "", "print one JSON document on stdout; errors as JSON on stderr"},
    {"--as", "WHO", "act as admin:ID, provider:ID, client:ID or system (default admin:1)"},
    {"--now", "TIME", "take TIME (ISO-8601, e.g. 2026-01-12T08:00:00Z) as the current time"},
    {"--help", "", "show this help"},
}};

const option_spec* find_option(std::string_view name, std::span<const option_spec> options) {
  for (const option_spec& o : options) {
    if (o.name == name) return &o;
  }
  for (const option_spec& o : globals) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

}  // namespace

std::span<const option_spec> global_options() { return globals; }

bool global_option_takes_value(std::string_view arg) {
  return std::any_of(globals.begin(), globals.end(),
                     [&](const option_spec& o) { return o.name == arg && !o.value.empty(); });
}

parsed_args parse_args(std::string_view command, std::span<const std::string> args,
                       std::span<const option_spec> options, std::size_t min_positional,
                       std::size_t max_positional) {
  const std::string cmd{command};
  parsed_args out;
  bool options_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended || arg.size() < 2 || arg[0] != '-' || (arg[1] != '-' && arg != "-h")) {
      // A lone "-" and negative-looking values ("-5") are arguments, not options.
      out.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      out.help = true;
      continue;
    }
    const auto eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const option_spec* spec = find_option(name, options);
    if (spec == nullptr) {
      throw usage_error(cmd, fmt::format("unknown option {}", detail::quote(name)));
    }
    std::string value;
    if (spec->value.empty()) {
      if (eq != std::string::npos) {
        throw usage_error(cmd, fmt::format("{} takes no value", name));
      }
    } else if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      throw usage_error(cmd, fmt::format("{} needs a value ({})", name, spec->value));
    }
    if (!out.values.emplace(name, std::move(value)).second) {
      throw usage_error(cmd, fmt::format("{} is given more than once", name));
    }
  }
  if (out.help) return out;
  for (const option_spec& o : options) {
    if (o.required && !out.has(o.name)) {
      throw usage_error(cmd, fmt::format("{} {} is required", o.name, o.value));
    }
  }
  if (out.positional.size() < min_positional) {
    throw usage_error(cmd, fmt::format("expected {} argument{}, got {}", min_positional,
                                       min_positional == 1 ? "" : "s", out.positional.size()));
  }
  if (out.positional.size() > max_positional) {
    throw usage_error(
        cmd, fmt::format("unexpected argument {}", detail::quote(out.positional[max_positional])));
  }
  return out;
}

}  // namespace slotbook::cli
