// slotbook: the command-line tool. Finds the command among the arguments, parses its options,
// runs it, and turns every failure into a message and an exit code (docs/cli.md):
//   0 ok, 1 a check found a problem, 2 usage, 3-10 one per slotbook::errc, 70 internal error.

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli.hpp"
#include "json_convert.hpp"
#include "slotbook/detail/quote.hpp"
#include "slotbook/version.hpp"

namespace slotbook::cli {
namespace {

std::vector<command> all_commands() {
  std::vector<command> all = booking_commands();
  for (auto part : {group_commands(), operation_commands(), calendar_commands(), privacy_commands(),
                    demo_commands()}) {
    for (command& c : part) all.push_back(std::move(c));
  }
  return all;
}

// "provider" for "provider add": commands of two words share a group.
bool is_group(const std::vector<command>& all, std::string_view word) {
  return std::any_of(all.begin(), all.end(), [&](const command& c) {
    return c.name.size() > word.size() && c.name.substr(0, word.size()) == word &&
           c.name[word.size()] == ' ';
  });
}

const command* find_command(const std::vector<command>& all, std::string_view name) {
  const auto it =
      std::find_if(all.begin(), all.end(), [&](const command& c) { return c.name == name; });
  return it == all.end() ? nullptr : &*it;
}

void print_options(std::span<const option_spec> options) {
  std::size_t width = 0;
  for (const option_spec& o : options) width = std::max(width, o.name.size() + 1 + o.value.size());
  for (const option_spec& o : options) {
    const std::string left =
        o.value.empty() ? std::string{o.name} : fmt::format("{} {}", o.name, o.value);
    fmt::print("  {:<{}}  {}{}\n", left, width, o.help, o.required ? " (required)" : "");
  }
}

constexpr std::string_view exit_code_text =
    "Exit status: 0 ok; 1 a check found a problem (audit verify, health); 2 usage error;\n"
    "3 invalid_argument, 4 not_found, 5 conflict, 6 outside_availability, 7 policy_denied,\n"
    "8 forbidden, 9 storage, 10 crypto; 70 internal error.\n";

constexpr std::string_view actor_text =
    "Who acts: every change goes through the booking service and is audited under the actor\n"
    "given by --as (admin:ID, provider:ID, client:ID or system), else $SLOTBOOK_AS, else\n"
    "admin:1 (the operator at the terminal). The service's access rules apply to that actor.\n";

void print_top_help(const std::vector<command>& all) {
  fmt::print("slotbook {}: book therapy sessions over an SQLite database.\n\n", version());
  fmt::print("Usage: slotbook [global options] COMMAND [arguments] [options]\n\nCommands:\n");
  for (const command& c : all) {
    fmt::print("  {:<22} {}\n", c.name, c.summary);
  }
  fmt::print("\nGlobal options (accepted by every command, anywhere on the line):\n");
  print_options(global_options());
  fmt::print("\n{}\n{}\n", actor_text, exit_code_text);
  fmt::print(
      "Run `slotbook COMMAND --help` for a command's arguments; docs/cli.md has them all.\n");
}

void print_group_help(const std::vector<command>& all, std::string_view group) {
  fmt::print("Usage: slotbook {} SUBCOMMAND ...\n\nSubcommands:\n", group);
  for (const command& c : all) {
    if (c.name.size() > group.size() && c.name.substr(0, group.size()) == group &&
        c.name[group.size()] == ' ') {
      fmt::print("  {:<22} {}\n", c.name, c.summary);
    }
  }
  fmt::print("\nRun `slotbook {} SUBCOMMAND --help` for its arguments.\n", group);
}

void print_command_help(const command& c) {
  fmt::print("Usage: slotbook {}{}{} [global options]\n\n", c.name, c.arguments.empty() ? "" : " ",
             c.arguments);
  std::string summary{c.summary};
  if (!summary.empty()) summary[0] = static_cast<char>(std::toupper(summary[0]));
  fmt::print("{}.\n", summary);
  if (!c.details.empty()) fmt::print("\n{}\n", c.details);
  if (!c.options.empty()) {
    fmt::print("\nOptions:\n");
    print_options(c.options);
  }
  fmt::print("\nGlobal options:\n");
  print_options(global_options());
}

int run(const std::vector<std::string>& args) {
  const std::vector<command> all = all_commands();
  // The command words are the first one or two arguments that are neither options nor the
  // values of global options written before the command.
  std::vector<std::size_t> word_at;
  bool help = false;
  for (std::size_t i = 0; i < args.size() && word_at.size() < 2; ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (a == "--help" || a == "-h") {
      help = true;
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      if (!word_at.empty()) break;  // options of the command itself: the words are done
      if (global_option_takes_value(a)) ++i;
      continue;
    }
    if (word_at.empty()) {
      word_at.push_back(i);
      if (!is_group(all, a)) break;
    } else {
      word_at.push_back(i);
    }
  }
  if (word_at.empty()) {
    if (help) {
      print_top_help(all);
      return exit_ok;
    }
    throw usage_error("", "no command given");
  }
  std::string name = args[word_at[0]];
  if (is_group(all, name)) {
    if (word_at.size() < 2) {
      if (help) {
        print_group_help(all, name);
        return exit_ok;
      }
      throw usage_error(name, fmt::format("{} needs a subcommand", name));
    }
    name += " " + args[word_at[1]];
  }
  const command* c = find_command(all, name);
  if (c == nullptr) {
    const std::string group = word_at.size() == 2 ? args[word_at[0]] : std::string{};
    throw usage_error(group, fmt::format("unknown command {}", detail::quote(name)));
  }
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (std::find(word_at.begin(), word_at.end(), i) == word_at.end()) rest.push_back(args[i]);
  }
  const parsed_args parsed =
      parse_args(c->name, rest, c->options, c->min_positional, c->max_positional);
  if (parsed.help) {
    print_command_help(*c);
    return exit_ok;
  }
  return c->run(read_context(parsed), parsed);
}

void report(bool json_mode, std::string_view code, const std::string& message,
            const std::string& hint) {
  std::fflush(stdout);
  if (json_mode) {
    const json j{{"error", json{{"code", code}, {"message", message}}}};
    fmt::print(stderr, "{}\n", dump(j));
  } else {
    fmt::print(stderr, "slotbook: {}: {}\n{}", code, message, hint);
  }
}

}  // namespace
}  // namespace slotbook::cli

int main(int argc, char** argv) {
  using namespace slotbook::cli;
  const std::vector<std::string> args(argv + 1, argv + argc);
  // Decided before parsing, so even a usage error is reported as JSON when asked for.
  bool json_mode = false;
  for (const std::string& a : args) {
    if (a == "--") break;
    if (a == "--json") json_mode = true;
  }
  try {
    return run(args);
  } catch (const usage_error& e) {
    const std::string hint =
        e.command().empty() ? "Run `slotbook --help` for the commands.\n"
                            : fmt::format("Run `slotbook {} --help` for its usage.\n", e.command());
    report(json_mode, "usage", e.what(), hint);
    return exit_usage;
  } catch (const slotbook::error& e) {
    report(json_mode, slotbook::to_string(e.code()), e.what(), "");
    return exit_code_for(e.code());
  } catch (const std::exception& e) {
    report(json_mode, "internal", e.what(), "This is a bug in slotbook; please report it.\n");
    return exit_internal;
  }
}
