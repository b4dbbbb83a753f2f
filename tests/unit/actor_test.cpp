// Actors: a role and the id of whoever acts in it.
#include "slotbook/actor.hpp"

#include <string>

#include <catch2/catch.hpp>
#include "support/checks.hpp"

using slotbook::actor;
using slotbook::errc;
using slotbook::role;

using slotbook::testing::expect_error;

namespace {}  // namespace

TEST_CASE("a client actor carries a client id and no other") {
  const actor a = actor::client(slotbook::client_id{7});
  CHECK(a.kind() == role::client);
  CHECK(a.as_client() == slotbook::client_id{7});
  CHECK_FALSE(a.as_provider().has_value());
  CHECK_FALSE(a.as_admin().has_value());
}

TEST_CASE("a provider actor carries a provider id and no other") {
  const actor a = actor::provider(slotbook::provider_id{42});
  CHECK(a.kind() == role::provider);
  CHECK(a.as_provider() == slotbook::provider_id{42});
  CHECK_FALSE(a.as_client().has_value());
}

TEST_CASE("an admin actor carries an admin id and the system none") {
  CHECK(actor::admin(slotbook::admin_id{3}).as_admin() == slotbook::admin_id{3});
  const actor s = actor::system();
  CHECK(s.kind() == role::system);
  CHECK_FALSE(s.as_client().has_value());
  CHECK_FALSE(s.as_provider().has_value());
  CHECK_FALSE(s.as_admin().has_value());
}

TEST_CASE("a client and a provider with the same number are different actors") {
  CHECK(actor::client(slotbook::client_id{5}) != actor::provider(slotbook::provider_id{5}));
  CHECK(actor::client(slotbook::client_id{5}) == actor::client(slotbook::client_id{5}));
}

TEST_CASE("an actor with id zero is invalid_argument") {
  expect_error([] { (void)actor::client(slotbook::client_id{}); }, errc::invalid_argument,
               {"actor:", "client id 0"});
  expect_error([] { (void)actor::provider(slotbook::provider_id{0}); }, errc::invalid_argument,
               {"provider id 0"});
  expect_error([] { (void)actor::admin(slotbook::admin_id{0}); }, errc::invalid_argument,
               {"admin id 0"});
}

TEST_CASE("roles read and print as their lowercase names") {
  CHECK(slotbook::to_string(role::client) == "client");
  CHECK(slotbook::to_string(role::provider) == "provider");
  CHECK(slotbook::to_string(role::admin) == "admin");
  CHECK(slotbook::to_string(role::system) == "system");
  for (role r : {role::client, role::provider, role::admin, role::system}) {
    CHECK(slotbook::parse_role(slotbook::to_string(r)) == r);
  }
}

TEST_CASE("an unknown role name is invalid_argument naming the field and the text") {
  expect_error([] { (void)slotbook::parse_role("Client", "actor.role"); }, errc::invalid_argument,
               {"actor.role:", "\"Client\"", "is not a role"});
  expect_error([] { (void)slotbook::parse_role(""); }, errc::invalid_argument, {"role:", "\"\""});
}

TEST_CASE("an actor prints as its role and id") {
  CHECK(slotbook::to_string(actor::client(slotbook::client_id{7})) == "client 7");
  CHECK(slotbook::to_string(actor::provider(slotbook::provider_id{42})) == "provider 42");
  CHECK(slotbook::to_string(actor::admin(slotbook::admin_id{3})) == "admin 3");
  CHECK(slotbook::to_string(actor::system()) == "system");
}
