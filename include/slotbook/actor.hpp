#pragma once
/// \file actor.hpp
/// "Who is doing this?": the role someone acts in (client, provider, admin, system) and their id.
///
/// Every decision that depends on who asks (may this person start, cancel, reschedule this
/// session?) takes an `actor`. A client actor carries a `client_id` and a provider actor a
/// `provider_id`, so the rules can check that they are the session's own client or provider; the
/// type system keeps the two apart. `system` is slotbook's host acting on its own (a payment
/// webhook, the job that expires unpaid holds) and has no id.

#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "slotbook/detail/quote.hpp"
#include "slotbook/error.hpp"
#include "slotbook/ids.hpp"

namespace slotbook {

/// An administrator of the platform (the host's user id).
using admin_id = strong_id<struct admin_tag>;

/// The capacity someone acts in.
enum class role {
  client,    ///< the person who booked the session
  provider,  ///< the psychologist or other provider who gives it
  admin,     ///< platform staff, acting on any session
  system,    ///< the host itself: payment webhooks, scheduled jobs
};

/// The lowercase name: `"client"`, `"provider"`, `"admin"`, `"system"`.
constexpr std::string_view to_string(role r) noexcept {
  switch (r) {
    case role::client:
      return "client";
    case role::provider:
      return "provider";
    case role::admin:
      return "admin";
    case role::system:
      return "system";
  }
  return "unknown";
}

/// Reads a role's lowercase name; anything else is `errc::invalid_argument` naming `field`.
///
///     slotbook::parse_role("provider");  // role::provider
inline role parse_role(std::string_view text, std::string_view field = "role") {
  for (role r : {role::client, role::provider, role::admin, role::system}) {
    if (text == to_string(r)) return r;
  }
  throw error(errc::invalid_argument,
              fmt::format("{}: {} is not a role (client, provider, admin or system)", field,
                          detail::quote(text)));
}

/// A role and the id of whoever acts in it. Build one with the named constructors; a zero id is
/// `errc::invalid_argument`.
///
///     const auto who = slotbook::actor::client(slotbook::client_id{7});
///     who.kind();       // role::client
///     who.as_client();    // client_id{7}
///     who.as_provider();  // std::nullopt
class actor {
 public:
  /// A client acting on their own bookings.
  static actor client(client_id id) {
    check(id.ok(), "client", id.value);
    return actor{role::client, id.value};
  }
  /// A provider acting on sessions assigned to them.
  static actor provider(provider_id id) {
    check(id.ok(), "provider", id.value);
    return actor{role::provider, id.value};
  }
  /// An administrator, who may act on any session.
  static actor admin(admin_id id) {
    check(id.ok(), "admin", id.value);
    return actor{role::admin, id.value};
  }
  /// The host acting on its own (payment confirmation, hold expiry).
  static constexpr actor system() noexcept { return actor{role::system, 0}; }

  /// The role.
  constexpr role kind() const noexcept { return role_; }
  /// The client id when acting as a client.
  constexpr std::optional<client_id> as_client() const noexcept {
    if (role_ != role::client) return std::nullopt;
    return client_id{id_};
  }
  /// The provider id when acting as a provider.
  constexpr std::optional<provider_id> as_provider() const noexcept {
    if (role_ != role::provider) return std::nullopt;
    return provider_id{id_};
  }
  /// The admin id when acting as an admin.
  constexpr std::optional<admin_id> as_admin() const noexcept {
    if (role_ != role::admin) return std::nullopt;
    return admin_id{id_};
  }

  friend constexpr bool operator==(const actor&, const actor&) noexcept = default;

 private:
  constexpr actor(role r, std::uint64_t id) noexcept : role_(r), id_(id) {}

  static void check(bool ok, std::string_view what, std::uint64_t id) {
    if (!ok) {
      throw error(errc::invalid_argument,
                  fmt::format("actor: {} id {} is not an id (ids start at 1)", what, id));
    }
  }

  role role_;
  std::uint64_t id_;
};

/// `client 7`, `provider 42`, `admin 3`, `system`: for messages and audit lines.
inline std::string to_string(const actor& a) {
  if (const auto c = a.as_client()) return "client " + to_string(*c);
  if (const auto p = a.as_provider()) return "provider " + to_string(*p);
  if (const auto d = a.as_admin()) return "admin " + to_string(*d);
  return "system";
}

}  // namespace slotbook
