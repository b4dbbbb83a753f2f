// The commands an operator or a scheduled job runs: reminders run, holds expire, audit verify,
// health.

#include <fmt/format.h>

#include "cli.hpp"
#include "json_convert.hpp"
#include "output.hpp"
#include "reminder_sender.hpp"
#include "slotbook/detail/quote.hpp"
#include "values.hpp"

namespace slotbook::cli {

namespace {

int run_reminders(const context& ctx, const parsed_args& args) {
  const std::size_t limit =
      args.has("--limit") ? parse_count(*args.get("--limit"), "--limit", 1, 100000) : 100;
  std::optional<std::string> command = args.get("--exec");
  if (command && command->empty()) {
    throw error(errc::invalid_argument, "--exec: the command is empty");
  }
  workspace w{ctx};
  reminder_sender sender{w.service(), command, ctx.json};
  const reminder_run run = w.service().run_reminders(sender, limit);
  json list = json::array();
  for (const sent_reminder& s : sender.sent()) {
    json j = reminder_json(s.message);
    j["delivered"] = s.result.delivered;
    j["error"] = s.result.error;
    list.push_back(std::move(j));
  }
  const json j{{"claimed", run.claimed},
               {"sent", run.sent},
               {"retrying", run.retrying},
               {"givenUp", run.given_up},
               {"reminders", std::move(list)}};
  emit(ctx, j, [&] {
    for (const sent_reminder& s : sender.sent()) {
      if (!s.result.delivered) {
        fmt::print("reminder {} not delivered: {}\n", s.message.reminder,
                   printable(s.result.error));
      }
    }
    if (run.claimed == 0) {
      fmt::print("No reminders are due.\n");
    } else {
      fmt::print("Claimed {} due reminder{}: {} sent, {} to retry later, {} given up.\n",
                 run.claimed, run.claimed == 1 ? "" : "s", run.sent, run.retrying, run.given_up);
    }
  });
  return exit_ok;
}

int run_holds_expire(const context& ctx, const parsed_args& args) {
  const std::size_t limit =
      args.has("--limit") ? parse_count(*args.get("--limit"), "--limit", 1, 100000) : 1000;
  workspace w{ctx};
  const std::size_t expired = w.service().expire_holds(limit);
  emit(ctx, json{{"expired", expired}}, [&] {
    fmt::print("{} unpaid hold{} expired and cancelled.\n", expired, expired == 1 ? "" : "s");
  });
  return exit_ok;
}

audit_head parse_head(std::string_view text) {
  const auto colon = text.find(':');
  const auto bad = [&] {
    return error(errc::invalid_argument,
                 fmt::format("--head: {} is not SEQUENCE:HASH (e.g. 42:<64 hex digits>, as "
                             "`audit verify` prints it)",
                             detail::quote(text)));
  };
  if (colon == std::string_view::npos) throw bad();
  audit_head head;
  try {
    head.sequence = static_cast<std::int64_t>(parse_id_value(text.substr(0, colon), "--head"));
  } catch (const error&) {
    throw bad();
  }
  head.hash = std::string{text.substr(colon + 1)};
  if (head.hash.size() != 64 ||
      head.hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
    throw bad();
  }
  return head;
}

int run_audit_verify(const context& ctx, const parsed_args& args) {
  std::optional<audit_head> expected;
  if (const auto h = args.get("--head")) expected = parse_head(*h);
  workspace w{ctx};
  const audit_verification v = w.service().verify_audit(expected);
  const audit_head head = w.service().current_audit_head();
  emit(ctx, audit_json(v, head), [&] {
    if (v.ok()) {
      fmt::print("The audit chain is intact: {} entr{} checked{}.\n", v.checked,
                 v.checked == 1 ? "y" : "ies",
                 expected ? fmt::format(", and it still reaches entry {}", expected->sequence)
                          : std::string{});
    } else {
      fmt::print("The audit chain is BROKEN at entry {} ({}): {}\n", v.sequence,
                 to_string(v.problem), printable(v.message));
    }
    fmt::print("Head: {}:{}\n", head.sequence, head.hash);
    if (v.ok()) {
      fmt::print("Keep the head somewhere else and check later with `audit verify --head {}:{}`.\n",
                 head.sequence, head.hash);
    }
  });
  return v.ok() ? exit_ok : exit_check_failed;
}

// A probe wants an answer, not an error: a database that cannot be opened is `unhealthy`.
health_report check_health(const context& ctx) {
  try {
    workspace w{ctx};
    return w.service().health();
  } catch (const error& e) {
    if (e.code() != errc::storage) throw;
    health_report h;
    h.status = health_status::unhealthy;
    h.at = ctx.now ? *ctx.now : system_clock{}.now();
    h.storage_reachable = false;
    h.error = e.what();
    return h;
  }
}

int run_health(const context& ctx, const parsed_args&) {
  const health_report h = check_health(ctx);
  emit(ctx, health_json(h), [&] {
    fmt::print("{}: storage {}, {} reminder{} due, {} waiting", to_string(h.status),
               h.storage_reachable ? "reachable" : "NOT reachable", h.reminders_due,
               h.reminders_due == 1 ? "" : "s", h.reminders_waiting);
    if (h.oldest_due_age) fmt::print(", the oldest due for {} s", h.oldest_due_age->count());
    fmt::print("\n");
    if (!h.error.empty()) fmt::print("error: {}\n", printable(h.error));
  });
  return h.status == health_status::unhealthy ? exit_check_failed : exit_ok;
}

}  // namespace

std::vector<command> operation_commands() {
  return {
      {"reminders run",
       "[--limit N] [--exec CMD]",
       "send the reminders that are due",
       "Claims up to N due reminders (default 100) and delivers each: without --exec by\n"
       "printing it, with --exec by running `/bin/sh -c CMD` with the reminder as one JSON\n"
       "document on stdin (docs/cli.md lists its fields). Exit status 0 means delivered;\n"
       "anything else is a failure, retried later with backoff. The command's stdout goes to\n"
       "stderr. Run it every minute from cron or a systemd timer; two runs at once never send\n"
       "the same reminder.",
       {{"--limit", "N", "claim at most N reminders (default 100)"},
        {"--exec", "CMD", "deliver each reminder through this shell command"}},
       0,
       0,
       run_reminders},
      {"holds expire",
       "[--limit N]",
       "cancel unpaid holds whose time ran out",
       "Cancels up to N (default 1000) pending_payment sessions whose hold expired, as the\n"
       "system. Bookings do not depend on it (an expired hold never blocks a slot). The freed\n"
       "time is offered to the waitlist, and waitlist offers past their deadline lapse in the\n"
       "same transaction (not counted here; `waitlist expire` counts the ones it lapses).",
       {{"--limit", "N", "expire at most N holds (default 1000)"}},
       0,
       0,
       run_holds_expire},
      {"audit verify",
       "[--head SEQ:HASH]",
       "check the hash chain of the audit log",
       "Walks the whole audit log and reports the first entry that was edited, deleted or\n"
       "reordered. With --head (as printed by an earlier run) also checks that the log still\n"
       "reaches that entry unchanged. Exit status 1 when the chain is broken.",
       {{"--head", "SEQ:HASH", "a head recorded earlier"}},
       0,
       0,
       run_audit_verify},
      {"health",
       "",
       "storage reachability and the reminder backlog",
       "healthy, degraded (1000 or more reminders due) or unhealthy: the database cannot be\n"
       "opened or does not answer (exit status 1, the reason in `error`).",
       {},
       0,
       0,
       run_health},
  };
}

}  // namespace slotbook::cli
