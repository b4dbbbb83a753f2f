// Sealed fields, wrapped record keys and keyrings: round trips, tamper and swap detection, key
// versions, rotation, and the key-list format of SLOTBOOK_KEYS.
#include "slotbook/crypto.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include "support/checks.hpp"

using slotbook::errc;
using slotbook::key_material;
using slotbook::keyring;
using slotbook::record_key;
using slotbook::record_ref;
using slotbook::sealed_field;
using slotbook::wrapped_key;

using slotbook::testing::expect_error;
namespace {

key_material filled(std::uint8_t byte) {
  const std::vector<std::uint8_t> bytes(32, byte);
  return key_material(bytes);
}

keyring ring_of(std::initializer_list<std::pair<std::uint32_t, std::uint8_t>> keys) {
  keyring ring;
  for (const auto& [version, byte] : keys) ring.add(version, filled(byte));
  return ring;
}

// Base64 of 32 zero bytes: 256 zero bits make 42 full sextets ('A') plus 4 bits padded to a sixth
// ('A'), then one '=' for the missing byte.
const std::string zeros_b64 = std::string(43, 'A') + "=";
// 32 bytes of 0xff: 42 sextets of 111111 ('/'), then 1111 + 00 = 60 ('8'), then '='.
const std::string ones_b64 = std::string(42, '/') + "8=";

const record_ref form42{"intake_form", 42};

}  // namespace

// --- fields -----------------------------------------------------------------------------------

TEST_CASE("a sealed field opens back to its plaintext") {
  const auto key = record_key::generate();
  const auto blob = slotbook::seal(key, form42, "allergies", "penicillin, peanuts");
  CHECK(slotbook::open(key, form42, "allergies", blob) == "penicillin, peanuts");
}

TEST_CASE("the empty plaintext and plaintext with zero bytes seal and open") {
  const auto key = record_key::generate();
  CHECK(slotbook::open(key, form42, "notes", slotbook::seal(key, form42, "notes", "")).empty());
  const std::string binary("a\0b\0\xff", 5);
  CHECK(slotbook::open(key, form42, "notes", slotbook::seal(key, form42, "notes", binary)) ==
        binary);
}

TEST_CASE("a sealed field is a 2-byte header, a 12-byte nonce, the ciphertext and a 16-byte tag") {
  const auto key = record_key::generate();
  const std::string marker = "MARKER-allergic-to-latex";
  const auto blob = slotbook::seal(key, form42, "allergies", marker);
  REQUIRE(blob.bytes.size() == 2 + 12 + marker.size() + 16);
  CHECK(blob.bytes[0] == slotbook::sealed_format_version);
  CHECK(blob.bytes[0] == 1);
  CHECK(blob.bytes[1] == 2);  // kind: field
  const std::string raw(blob.bytes.begin(), blob.bytes.end());
  CHECK(raw.find(marker) == std::string::npos);
  CHECK(raw.find("latex") == std::string::npos);
}

TEST_CASE("sealing the same plaintext twice uses a fresh nonce each time") {
  const auto key = record_key::generate();
  const auto a = slotbook::seal(key, form42, "allergies", "penicillin");
  const auto b = slotbook::seal(key, form42, "allergies", "penicillin");
  const std::vector<std::uint8_t> nonce_a(a.bytes.begin() + 2, a.bytes.begin() + 14);
  const std::vector<std::uint8_t> nonce_b(b.bytes.begin() + 2, b.bytes.begin() + 14);
  CHECK(nonce_a != nonce_b);
  CHECK(a != b);
  CHECK(slotbook::open(key, form42, "allergies", a) == slotbook::open(key, form42, "allergies", b));
}

TEST_CASE("changing any byte of a sealed field makes it fail to open with errc::crypto") {
  const auto key = record_key::generate();
  const auto blob = slotbook::seal(key, form42, "allergies", "penicillin");
  for (std::size_t i = 0; i < blob.bytes.size(); ++i) {
    for (const unsigned mask : {0x01u, 0x80u, 0xffu}) {
      auto tampered = blob;
      tampered.bytes[i] = static_cast<std::uint8_t>(tampered.bytes[i] ^ mask);
      INFO("byte " << i << " xor " << mask);
      try {
        (void)slotbook::open(key, form42, "allergies", tampered);
        FAIL("a tampered blob opened");
      } catch (const slotbook::error& e) {
        CHECK(e.code() == errc::crypto);
      }
    }
  }
}

TEST_CASE("a sealed field cut short or extended fails to open with errc::crypto") {
  const auto key = record_key::generate();
  const auto blob = slotbook::seal(key, form42, "allergies", "penicillin");
  for (std::size_t n = 0; n < blob.bytes.size(); ++n) {
    sealed_field cut{{blob.bytes.begin(), blob.bytes.begin() + static_cast<std::ptrdiff_t>(n)}};
    INFO("first " << n << " bytes");
    expect_error([&] { (void)slotbook::open(key, form42, "allergies", cut); }, errc::crypto, {});
  }
  auto longer = blob;
  longer.bytes.push_back(0);
  expect_error([&] { (void)slotbook::open(key, form42, "allergies", longer); }, errc::crypto, {});
}

TEST_CASE("a field copied to another record fails to open") {
  const auto key = record_key::generate();
  const auto blob = slotbook::seal(key, form42, "allergies", "penicillin");
  expect_error(
      [&] {
        (void)slotbook::open(key, {"intake_form", 43}, "allergies", blob);
      },
      errc::crypto, {"intake_form 43", "allergies", "does not authenticate"});
}

TEST_CASE("a field copied to a record of another kind with the same id fails to open") {
  const auto key = record_key::generate();
  const auto blob = slotbook::seal(key, form42, "allergies", "penicillin");
  expect_error(
      [&] {
        (void)slotbook::open(key, {"session_note", 42}, "allergies", blob);
      },
      errc::crypto, {"session_note 42"});
}

TEST_CASE("a field copied to another field of the same record fails to open") {
  const auto key = record_key::generate();
  const auto blob = slotbook::seal(key, form42, "allergies", "penicillin");
  expect_error([&] { (void)slotbook::open(key, form42, "current_medications", blob); },
               errc::crypto, {"current_medications"});
  // Names of the same length, so only the names themselves tell the two apart.
  const auto step = slotbook::seal(key, form42, "personal_info", "contact");
  expect_error([&] { (void)slotbook::open(key, form42, "mental_health", step); }, errc::crypto,
               {"mental_health"});
}

TEST_CASE("a field does not open under another record's key") {
  const auto key = record_key::generate();
  const auto other = record_key::generate();
  const auto blob = slotbook::seal(key, form42, "allergies", "penicillin");
  expect_error([&] { (void)slotbook::open(other, form42, "allergies", blob); }, errc::crypto,
               {"does not authenticate"});
}

TEST_CASE("errors from opening name the record and field but never the plaintext") {
  const auto key = record_key::generate();
  auto blob = slotbook::seal(key, form42, "allergies", "MARKER-penicillin");
  blob.bytes.back() ^= 1;
  const std::string message =
      expect_error([&] { (void)slotbook::open(key, form42, "allergies", blob); }, errc::crypto,
                   {"intake_form 42", "allergies"});
  CHECK(message.find("MARKER") == std::string::npos);
}

TEST_CASE("a blob with an unknown format version is refused naming the version") {
  const auto key = record_key::generate();
  auto blob = slotbook::seal(key, form42, "allergies", "penicillin");
  blob.bytes[0] = 7;
  expect_error([&] { (void)slotbook::open(key, form42, "allergies", blob); }, errc::crypto,
               {"format version 7"});
}

TEST_CASE("a wrapped key is not accepted as a field, nor a field as a wrapped key") {
  const auto ring = ring_of({{1, 0x11}});
  const auto key = record_key::generate();
  const auto wrapped = slotbook::wrap(ring, form42, key);
  const auto blob = slotbook::seal(key, form42, "allergies", std::string(36, 'x'));
  expect_error([&] { (void)slotbook::open(key, form42, "allergies", sealed_field{wrapped.bytes}); },
               errc::crypto, {"not a field"});
  expect_error([&] { (void)slotbook::unwrap(ring, form42, wrapped_key{blob.bytes}); }, errc::crypto,
               {"not a wrapped key"});
  expect_error([&] { (void)slotbook::key_version(wrapped_key{blob.bytes}); }, errc::crypto,
               {"not a wrapped key"});
}

TEST_CASE("record kinds, record ids and field names outside their alphabet are invalid_argument") {
  const auto key = record_key::generate();
  for (const std::string_view kind : {"", "Intake", "intake-form", "intake form"}) {
    INFO("kind " << kind);
    expect_error(
        [&] {
          (void)slotbook::seal(key, {kind, 1}, "allergies", "x");
        },
        errc::invalid_argument, {"record kind"});
  }
  const std::string long_kind(65, 'a');
  expect_error(
      [&] {
        (void)slotbook::seal(key, {long_kind, 1}, "allergies", "x");
      },
      errc::invalid_argument, {"record kind"});
  expect_error(
      [&] {
        (void)slotbook::seal(key, {"intake_form", 0}, "allergies", "x");
      },
      errc::invalid_argument, {"record id: 0"});
  for (const std::string_view field : {"", "Allergies", "allergies list", "a/b"}) {
    INFO("field " << field);
    expect_error([&] { (void)slotbook::seal(key, form42, field, "x"); }, errc::invalid_argument,
                 {"field name"});
  }
  const auto blob = slotbook::seal(key, form42, "personal_info.allergies_2", "x");
  CHECK(slotbook::open(key, form42, "personal_info.allergies_2", blob) == "x");
  CHECK(slotbook::open(key, {std::string(64, 'k'), 1}, "f",
                       slotbook::seal(key, {std::string(64, 'k'), 1}, "f", "y")) == "y");
}

// --- wrapped keys -----------------------------------------------------------------------------

TEST_CASE("a wrapped key is 66 bytes: header with the big-endian key version, nonce, key, tag") {
  const auto ring = ring_of({{258, 0x11}});
  const auto wrapped = slotbook::wrap(ring, form42, record_key::generate());
  REQUIRE(wrapped.bytes.size() == 66);
  CHECK(wrapped.bytes[0] == 1);  // format version
  CHECK(wrapped.bytes[1] == 1);  // kind: wrapped key
  // 258 = 0x00000102
  CHECK(wrapped.bytes[2] == 0);
  CHECK(wrapped.bytes[3] == 0);
  CHECK(wrapped.bytes[4] == 1);
  CHECK(wrapped.bytes[5] == 2);
  CHECK(slotbook::key_version(wrapped) == 258);
}

TEST_CASE("an unwrapped record key opens the fields sealed with it") {
  const auto ring = ring_of({{1, 0x11}});
  const auto key = record_key::generate();
  const auto wrapped = slotbook::wrap(ring, form42, key);
  const auto blob = slotbook::seal(key, form42, "allergies", "penicillin");
  CHECK(slotbook::open(slotbook::unwrap(ring, form42, wrapped), form42, "allergies", blob) ==
        "penicillin");
}

TEST_CASE("changing any byte of a wrapped key makes it fail to unwrap with errc::crypto") {
  const auto ring = ring_of({{1, 0x11}, {2, 0x22}, {3, 0x33}});
  const auto wrapped = slotbook::wrap(ring, form42, record_key::generate());
  for (std::size_t i = 0; i < wrapped.bytes.size(); ++i) {
    for (const unsigned mask : {0x01u, 0x80u, 0xffu}) {
      auto tampered = wrapped;
      tampered.bytes[i] = static_cast<std::uint8_t>(tampered.bytes[i] ^ mask);
      INFO("byte " << i << " xor " << mask);
      try {
        (void)slotbook::unwrap(ring, form42, tampered);
        FAIL("a tampered wrapped key unwrapped");
      } catch (const slotbook::error& e) {
        CHECK(e.code() == errc::crypto);
      }
    }
  }
}

TEST_CASE("a wrapped key copied to another record fails to unwrap") {
  const auto ring = ring_of({{1, 0x11}});
  const auto wrapped = slotbook::wrap(ring, form42, record_key::generate());
  expect_error(
      [&] {
        (void)slotbook::unwrap(ring, {"intake_form", 43}, wrapped);
      },
      errc::crypto, {"intake_form 43", "does not authenticate"});
  expect_error(
      [&] {
        (void)slotbook::unwrap(ring, {"other_kind", 42}, wrapped);
      },
      errc::crypto, {"other_kind 42"});
}

TEST_CASE("a wrapped key relabelled with another key version of the keyring fails to unwrap") {
  const auto ring = ring_of({{1, 0x11}, {2, 0x22}});
  auto wrapped = slotbook::wrap(ring, form42, record_key::generate());
  REQUIRE(slotbook::key_version(wrapped) == 2);
  wrapped.bytes[5] = 1;  // now claims key version 1, which the keyring has
  expect_error([&] { (void)slotbook::unwrap(ring, form42, wrapped); }, errc::crypto,
               {"key version 1", "does not authenticate"});
}

TEST_CASE("unwrapping under a key version the keyring lacks is errc::crypto naming the version") {
  const auto full = ring_of({{1, 0x11}, {7, 0x77}});
  const auto wrapped = slotbook::wrap(full, form42, record_key::generate());
  const auto partial = ring_of({{1, 0x11}, {2, 0x22}});
  expect_error([&] { (void)slotbook::unwrap(partial, form42, wrapped); }, errc::crypto,
               {"key version 7", "not in the keyring", "1, 2"});
}

TEST_CASE("the right key version with the wrong key material fails to unwrap") {
  const auto right = ring_of({{1, 0x11}});
  const auto wrong = ring_of({{1, 0x12}});
  const auto wrapped = slotbook::wrap(right, form42, record_key::generate());
  expect_error([&] { (void)slotbook::unwrap(wrong, form42, wrapped); }, errc::crypto,
               {"key version 1", "does not authenticate"});
}

TEST_CASE("wrap uses the newest key version of the keyring") {
  const auto ring = ring_of({{1, 0x11}, {5, 0x55}, {3, 0x33}});
  CHECK(ring.current_version() == 5);
  CHECK(slotbook::key_version(slotbook::wrap(ring, form42, record_key::generate())) == 5);
}

TEST_CASE("an empty keyring can neither wrap nor unwrap") {
  const keyring empty;
  CHECK(empty.empty());
  expect_error([&] { (void)slotbook::wrap(empty, form42, record_key::generate()); }, errc::crypto,
               {"keyring is empty"});
  const auto wrapped = slotbook::wrap(ring_of({{1, 0x11}}), form42, record_key::generate());
  expect_error([&] { (void)slotbook::unwrap(empty, form42, wrapped); }, errc::crypto,
               {"key version 1", "holds: none"});
}

TEST_CASE("rotation re-wraps to the new key version and fields open after the old key is gone") {
  auto ring = ring_of({{1, 0x11}});
  const auto key = record_key::generate();
  const auto wrapped_v1 = slotbook::wrap(ring, form42, key);
  const auto blob = slotbook::seal(key, form42, "allergies", "penicillin");

  ring.add(2, filled(0x22));
  const auto wrapped_v2 = slotbook::rewrap(ring, form42, wrapped_v1);
  CHECK(slotbook::key_version(wrapped_v2) == 2);

  CHECK(ring.remove(1));
  CHECK(slotbook::open(slotbook::unwrap(ring, form42, wrapped_v2), form42, "allergies", blob) ==
        "penicillin");
  expect_error([&] { (void)slotbook::unwrap(ring, form42, wrapped_v1); }, errc::crypto,
               {"key version 1"});
}

TEST_CASE("rewrap returns a key already at the newest version unchanged") {
  const auto ring = ring_of({{1, 0x11}, {2, 0x22}});
  const auto wrapped = slotbook::wrap(ring, form42, record_key::generate());
  CHECK(slotbook::rewrap(ring, form42, wrapped) == wrapped);
}

TEST_CASE("rewrap refuses a tampered wrapped key instead of re-wrapping it") {
  auto ring = ring_of({{1, 0x11}});
  auto wrapped = slotbook::wrap(ring, form42, record_key::generate());
  wrapped.bytes[20] ^= 0x04;
  ring.add(2, filled(0x22));
  expect_error([&] { (void)slotbook::rewrap(ring, form42, wrapped); }, errc::crypto,
               {"does not authenticate"});
  wrapped.bytes[20] ^= 0x04;
  expect_error(
      [&] {
        (void)slotbook::rewrap(ring, {"intake_form", 1}, wrapped);
      },
      errc::crypto, {"intake_form 1"});
}

TEST_CASE("a record shredded by deleting its wrapped key cannot be opened with a new key") {
  const auto ring = ring_of({{1, 0x11}});
  const auto key = record_key::generate();
  const auto blob = slotbook::seal(key, form42, "allergies", "penicillin");
  // The wrapped key is deleted; all that is left is the keyring and the blob. A fresh key for the
  // same record (the only key the keyring can now produce for it) does not open the blob.
  const auto fresh =
      slotbook::unwrap(ring, form42, slotbook::wrap(ring, form42, record_key::generate()));
  expect_error([&] { (void)slotbook::open(fresh, form42, "allergies", blob); }, errc::crypto,
               {"does not authenticate"});
  expect_error([&] { (void)slotbook::unwrap(ring, form42, wrapped_key{}); }, errc::crypto,
               {"empty"});
}

// --- key material and keyrings ----------------------------------------------------------------

TEST_CASE("key material is exactly 32 bytes") {
  for (const std::size_t n : {0u, 16u, 31u, 33u, 64u}) {
    const std::vector<std::uint8_t> bytes(n, 1);
    INFO(n << " bytes");
    expect_error([&] { (void)key_material(bytes); }, errc::invalid_argument,
                 {"key material", std::to_string(n) + " bytes"});
  }
  const std::vector<std::uint8_t> ok(32, 9);
  const key_material k(ok);
  CHECK(std::equal(k.bytes().begin(), k.bytes().end(), ok.begin(), ok.end()));
}

TEST_CASE("key material reads standard base64 and writes it back") {
  const auto zeros = key_material::from_base64(zeros_b64, "test");
  CHECK(std::all_of(zeros.bytes().begin(), zeros.bytes().end(), [](auto b) { return b == 0; }));
  CHECK(zeros.to_base64() == zeros_b64);
  const auto ones = key_material::from_base64(ones_b64, "test");
  CHECK(std::all_of(ones.bytes().begin(), ones.bytes().end(), [](auto b) { return b == 0xff; }));
  CHECK(ones.to_base64() == ones_b64);
  const auto random = key_material::generate();
  const auto back = key_material::from_base64(random.to_base64(), "test");
  CHECK(std::equal(random.bytes().begin(), random.bytes().end(), back.bytes().begin()));
}

TEST_CASE("two generated keys differ") {
  const auto a = key_material::generate();
  const auto b = key_material::generate();
  CHECK_FALSE(std::equal(a.bytes().begin(), a.bytes().end(), b.bytes().begin()));
}

TEST_CASE("a key list gives the keyring its versions and keys, in any order, spaces ignored") {
  const auto ring = keyring::parse(" 2:" + ones_b64 + " ,\n 1 : " + zeros_b64 + "\n", "KEYS");
  CHECK(ring.versions() == std::vector<std::uint32_t>{1, 2});
  CHECK(ring.current_version() == 2);
  CHECK(ring.key(1).bytes()[0] == 0x00);
  CHECK(ring.key(2).bytes()[31] == 0xff);
  const auto big = keyring::parse("4294967295:" + zeros_b64, "KEYS");
  CHECK(big.current_version() == 4294967295u);
}

TEST_CASE("a malformed key list is invalid_argument naming the entry, never the key material") {
  // A secret-looking key: base64 of 32 bytes that must never appear in a message.
  const std::string secret = "c2VjcmV0LWtleS1tYXRlcmlhbC0zMi1ieXRlcyEhISE=";
  REQUIRE(secret.size() == 44);
  struct bad {
    std::string text;
    std::string fragment;
  };
  const std::vector<bad> cases{
      {"", "holds no keys"},
      {" \n ", "holds no keys"},
      {"1:" + secret + ",", "entry 2 is empty"},
      {"1:" + secret + ",,2:" + zeros_b64, "entry 2 is empty"},
      {secret, "entry 1 has no ':'"},
      {"0:" + secret, "entry 1: the key version"},
      {"4294967296:" + secret, "entry 1: the key version"},
      {"-1:" + secret, "entry 1: the key version"},
      {"v1:" + secret, "entry 1: the key version"},
      {":" + secret, "entry 1: the key version"},
      {secret.substr(0, 10) + ":" + secret, "entry 1: the key version"},
      {"1:" + zeros_b64 + ",1:" + secret, "entry 2: key version 1 appears twice"},
      {"1:" + secret.substr(0, 43), "entry 1 (key version 1): key material must be 44"},
      {"1:", "entry 1 (key version 1): key material must be 44"},
      {"3:" + secret.substr(0, 20) + "!" + secret.substr(21), "entry 1 (key version 3)"},
      {"1:" + secret.substr(0, 42) + "==", "not standard base64 of 32 bytes"},  // 31 bytes
      {"1:" + secret.substr(0, 20) + " " + secret.substr(21), "entry 1 (key version 1)"},
  };
  for (const auto& c : cases) {
    INFO("case: " << c.fragment);
    const std::string message = expect_error([&] { (void)keyring::parse(c.text, "SLOTBOOK_KEYS"); },
                                             errc::invalid_argument, {"SLOTBOOK_KEYS", c.fragment});
    CHECK(message.find(secret.substr(0, 10)) == std::string::npos);
    CHECK(message.find(secret.substr(30, 10)) == std::string::npos);
  }
}

TEST_CASE("from_env reads the named variable, and an unset variable is errc::crypto") {
  const char* name = "SLOTBOOK_TEST_CRYPTO_KEYS";
  REQUIRE(::setenv(name, ("1:" + zeros_b64 + ",2:" + ones_b64).c_str(), 1) == 0);
  const auto ring = keyring::from_env(name);
  CHECK(ring.versions() == std::vector<std::uint32_t>{1, 2});
  REQUIRE(::setenv(name, "1:not-base64", 1) == 0);
  expect_error([&] { (void)keyring::from_env(name); }, errc::invalid_argument,
               {"SLOTBOOK_TEST_CRYPTO_KEYS: entry 1"});
  REQUIRE(::unsetenv(name) == 0);
  expect_error([&] { (void)keyring::from_env(name); }, errc::crypto,
               {"SLOTBOOK_TEST_CRYPTO_KEYS is not set"});
}

TEST_CASE("from_source asks the host's callback once per version") {
  std::vector<std::uint32_t> asked;
  const std::vector<std::uint32_t> versions{3, 1};
  const auto ring = keyring::from_source(versions, [&](std::uint32_t v) {
    asked.push_back(v);
    return std::optional<key_material>(filled(static_cast<std::uint8_t>(v)));
  });
  CHECK(asked == std::vector<std::uint32_t>{3, 1});
  CHECK(ring.versions() == std::vector<std::uint32_t>{1, 3});
  CHECK(ring.key(3).bytes()[0] == 3);
}

TEST_CASE("a version the host's key source lacks is errc::crypto naming it") {
  const std::vector<std::uint32_t> versions{1, 2};
  expect_error(
      [&] {
        (void)keyring::from_source(versions, [](std::uint32_t v) {
          return v == 2 ? std::nullopt : std::optional<key_material>(filled(1));
        });
      },
      errc::crypto, {"key version 2"});
  const std::vector<std::uint32_t> twice{1, 1};
  expect_error([&] { (void)keyring::from_source(twice, [](std::uint32_t) { return filled(1); }); },
               errc::invalid_argument, {"key version 1", "twice"});
}

TEST_CASE("a keyring refuses version 0 and duplicates, and remove says whether it removed") {
  keyring ring;
  expect_error([&] { ring.add(0, filled(1)); }, errc::invalid_argument, {"0 is not a version"});
  ring.add(4, filled(4));
  expect_error([&] { ring.add(4, filled(5)); }, errc::invalid_argument,
               {"key version 4", "already"});
  CHECK(ring.key(4).bytes()[0] == 4);  // the first key stays
  CHECK(ring.contains(4));
  CHECK(ring.remove(4));
  CHECK_FALSE(ring.remove(4));
  CHECK_FALSE(ring.contains(4));
  expect_error([&] { (void)ring.current_version(); }, errc::crypto, {"empty"});
}

TEST_CASE("asking a keyring for a version it lacks is errc::crypto naming it and what it holds") {
  const auto ring = ring_of({{1, 0x11}, {3, 0x33}});
  expect_error([&] { (void)ring.key(2); }, errc::crypto,
               {"key version 2 is not in the keyring", "1, 3"});
}
