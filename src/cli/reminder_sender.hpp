#pragma once
/// \file reminder_sender.hpp
/// "Where do reminders go from the command line?": the notifier behind `reminders run`, which
/// either prints each reminder (the operator or a log is the recipient) or pipes it as JSON into
/// a command the host provides (`--exec`), one process per reminder.

#include <optional>
#include <string>
#include <vector>

#include "json_convert.hpp"
#include "slotbook/booking_service.hpp"
#include "slotbook/notifier.hpp"

namespace slotbook::cli {

/// One reminder handled during a run, and how it went.
struct sent_reminder {
  reminder_message message;
  delivery result;
};

/// A notifier for `reminders run`. Without a command, `send` prints the reminder (unless
/// `quiet`, which `--json` uses to print everything at the end as one document) and reports it
/// delivered. With a command, `send` runs `/bin/sh -c COMMAND` with the reminder as one JSON
/// document on its stdin and its stdout sent to our stderr (our stdout is the tool's output);
/// exit status 0 means delivered, anything else failed (retried later with backoff).
///
///     reminder_sender out{service, std::nullopt, false};
///     service.run_reminders(out, 100);
class reminder_sender final : public notifier {
 public:
  reminder_sender(booking_service& service, std::optional<std::string> command, bool quiet);

  delivery send(const reminder_message& message) override;

  /// Every reminder `send` saw, in order.
  const std::vector<sent_reminder>& sent() const noexcept { return sent_; }

 private:
  delivery run_command(const std::string& input);
  void print(const reminder_message& message);

  booking_service* service_;
  std::optional<std::string> command_;
  bool quiet_;
  std::vector<sent_reminder> sent_;
};

}  // namespace slotbook::cli
