#pragma once
/// \file output.hpp
/// "How is it shown?": printing a result either as one JSON document or as plain sentences, and
/// the human forms of times, sessions and money the commands share.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

#include <date/tz.h>
#include <fmt/format.h>

#include "cli.hpp"
#include "json_convert.hpp"
#include "slotbook/session.hpp"
#include "slotbook/store.hpp"

namespace slotbook::cli {

/// Prints `j` on stdout with `--json`, otherwise calls `human()` (which prints sentences).
///
///     emit(ctx, session_json(s), [&] { print_session(w, s); });
template <class Human>
void emit(const context& ctx, const json& j, Human&& human) {
  if (ctx.json) {
    fmt::print("{}\n", dump(j));
  } else {
    std::forward<Human>(human)();
  }
}

/// `text` safe for a terminal: control characters (escape sequences, carriage returns) become
/// `?`, so a name or note cannot rewrite what the operator sees. UTF-8 passes through.
std::string printable(std::string_view text);
/// `Mon 2026-01-12 10:00 EAT`.
std::string local_time(instant t, const date::time_zone& zone);
/// `Mon 2026-01-12 10:00-11:00 EAT`.
std::string local_span(const interval& i, const date::time_zone& zone);
/// The provider's profile, or a stand-in in UTC named "provider N" when it cannot be read (a
/// session whose provider was never stored by this tool, e.g. a test fixture).
provider_profile provider_or_placeholder(booking_service& service, provider_id id);
/// Several lines describing a session, in its provider's zone.
void print_session(booking_service& service, const session& s);
/// One line: `BK-2026-000001  Mon 2026-01-12 10:00-11:00 EAT  scheduled  client 7`; a group
/// session names its seats instead of a client (`group of 3 seats`).
std::string session_line(const session& s, const date::time_zone& zone);

/// A session named on the command line: its id, or its booking reference (`BK-2026-000001`),
/// looked up as `who`. A malformed id is `errc::invalid_argument` naming `SESSION`.
///
///     resolve_session(w.service(), ctx.who, "BK-2026-000001");
session_id resolve_session(booking_service& service, const actor& who, std::string_view text);
/// `51 h notice`, `23 h 30 min notice`, `5 min after the start`.
std::string notice_text(std::chrono::seconds notice);
/// What became of a refund, in words (the CLI has no payment gateway: `not_configured` says to
/// pay it out by other means).
std::string refund_sentence(const refund_outcome& r);

}  // namespace slotbook::cli
