#include "reminder_sender.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "output.hpp"

extern char** environ;

namespace slotbook::cli {

namespace {

// Ignores SIGPIPE while alive, so a command that exits without reading its input makes our write
// fail with EPIPE (a failed delivery) instead of killing the tool.
class ignore_sigpipe {
 public:
  ignore_sigpipe() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    active_ = sigaction(SIGPIPE, &ignore, &previous_) == 0;
  }
  ~ignore_sigpipe() {
    if (active_) sigaction(SIGPIPE, &previous_, nullptr);
  }
  ignore_sigpipe(const ignore_sigpipe&) = delete;
  ignore_sigpipe& operator=(const ignore_sigpipe&) = delete;

 private:
  struct sigaction previous_ {};
  bool active_ = false;
};

class file_actions {
 public:
  file_actions() { ok_ = posix_spawn_file_actions_init(&actions_) == 0; }
  ~file_actions() {
    if (ok_) posix_spawn_file_actions_destroy(&actions_);
  }
  file_actions(const file_actions&) = delete;
  file_actions& operator=(const file_actions&) = delete;
  bool ok() const noexcept { return ok_; }
  posix_spawn_file_actions_t* get() noexcept { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
  bool ok_ = false;
};

std::string system_error_text(int code) { return std::strerror(code); }

}  // namespace

reminder_sender::reminder_sender(booking_service& service, std::optional<std::string> command,
                                 bool quiet)
    : service_(&service), command_(std::move(command)), quiet_(quiet) {}

delivery reminder_sender::send(const reminder_message& message) {
  delivery result = delivery::ok();
  if (command_) {
    result = run_command(dump(reminder_json(message)) + "\n");
  } else if (!quiet_) {
    print(message);
  }
  sent_.push_back({message, result});
  return result;
}

void reminder_sender::print(const reminder_message& m) {
  const provider_profile p = provider_or_placeholder(*service_, m.provider);
  const date::time_zone& zone = find_zone(p.hours.zone);
  fmt::print("reminder {} ({} to client {}, {} before): {} with {} at {}\n", m.reminder,
             to_string(m.channel), m.client.value, reminder_label(m.before), m.booking_reference,
             printable(m.provider_name), local_time(m.scheduled_at, zone));
  std::fflush(stdout);
}

delivery reminder_sender::run_command(const std::string& input) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return delivery::failed("cannot create a pipe: " + system_error_text(errno));
  }
  file_actions actions;
  if (!actions.ok() || posix_spawn_file_actions_adddup2(actions.get(), fds[0], 0) != 0 ||
      posix_spawn_file_actions_adddup2(actions.get(), 2, 1) != 0) {
    close(fds[0]);
    close(fds[1]);
    return delivery::failed("cannot prepare the command");
  }
  std::string shell = "/bin/sh";
  std::string dash_c = "-c";
  std::string command = *command_;
  char* argv[] = {shell.data(), dash_c.data(), command.data(), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, "/bin/sh", actions.get(), nullptr, argv, environ);
  close(fds[0]);
  if (spawned != 0) {
    close(fds[1]);
    return delivery::failed("cannot start /bin/sh: " + system_error_text(spawned));
  }
  std::string write_error;
  {
    const ignore_sigpipe guard;
    std::size_t written = 0;
    while (written < input.size()) {
      const ssize_t n = write(fds[1], input.data() + written, input.size() - written);
      if (n < 0) {
        if (errno == EINTR) continue;
        write_error = system_error_text(errno);
        break;
      }
      written += static_cast<std::size_t>(n);
    }
    close(fds[1]);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      return delivery::failed("cannot wait for the command: " + system_error_text(errno));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    // A command that exits 0 without reading all of its input still said "delivered".
    return delivery::ok();
  }
  if (WIFEXITED(status)) {
    return delivery::failed(fmt::format("command exited with status {}{}", WEXITSTATUS(status),
                                        write_error.empty() ? "" : " (" + write_error + ")"));
  }
  if (WIFSIGNALED(status)) {
    return delivery::failed(fmt::format("command killed by signal {}", WTERMSIG(status)));
  }
  return delivery::failed("command ended abnormally");
}

}  // namespace slotbook::cli
