// Properties of sealed values and keyrings, each against the plain statement of what must hold:
// what was sealed opens to itself and to nothing else, and no change to a blob goes unnoticed.
#include "slotbook/crypto.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <rapidcheck/catch.h>
#include <catch2/catch.hpp>

using slotbook::errc;
using slotbook::key_material;
using slotbook::keyring;
using slotbook::record_key;
using slotbook::record_ref;
using slotbook::sealed_field;
using slotbook::wrapped_key;

namespace {

const std::vector<std::string> kinds{"intake_form", "session_note", "k"};
const std::vector<std::string> fields{"personal_info", "mental_health", "goals", "a", "a.b"};

rc::Gen<std::string> any_bytes() {
  return rc::gen::map(
      rc::gen::container<std::vector<std::uint8_t>>(rc::gen::arbitrary<std::uint8_t>()),
      [](const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); });
}

rc::Gen<std::uint64_t> any_id() {
  return rc::gen::oneOf(rc::gen::inRange<std::uint64_t>(1, 100),
                        rc::gen::inRange<std::uint64_t>(1, UINT64_MAX));
}

key_material random_key() {
  const auto bytes =
      *rc::gen::container<std::vector<std::uint8_t>>(32, rc::gen::arbitrary<std::uint8_t>());
  return key_material(bytes);
}

// A uniform choice in [lo, hi), whatever the current test size (rc::gen::inRange narrows its range
// at small sizes).
template <class T>
T uniform(T lo, T hi) {
  return *rc::gen::resize(100, rc::gen::inRange<T>(lo, hi));
}

// True when `f` throws slotbook::error with errc::crypto; fails the property on anything else.
template <class F>
bool fails_with_crypto(F&& f) {
  try {
    f();
  } catch (const slotbook::error& e) {
    RC_ASSERT(e.code() == errc::crypto);
    return true;
  }
  return false;
}

}  // namespace

TEST_CASE("any byte string sealed for a record and field opens back to itself") {
  const auto key = record_key::generate();
  rc::prop("open(seal(x)) == x and the blob is x's length plus 30", [&] {
    const std::string plaintext = *any_bytes();
    const std::string kind = *rc::gen::elementOf(kinds);
    const record_ref record{kind, *any_id()};
    const std::string field = *rc::gen::elementOf(fields);
    const auto blob = slotbook::seal(key, record, field, plaintext);
    RC_ASSERT(blob.bytes.size() == plaintext.size() + 30);
    RC_ASSERT(slotbook::open(key, record, field, blob) == plaintext);
  });
}

TEST_CASE("changing any byte of a sealed field in any way makes it fail to open") {
  const auto key = record_key::generate();
  rc::prop("open(blob with one byte xor-ed by a nonzero mask) throws errc::crypto", [&] {
    const std::string plaintext = *any_bytes();
    const record_ref record{"intake_form", *any_id()};
    auto blob = slotbook::seal(key, record, "goals", plaintext);
    const auto at = uniform<std::size_t>(0, blob.bytes.size());
    const auto mask = uniform(1, 256);
    blob.bytes[at] = static_cast<std::uint8_t>(blob.bytes[at] ^ mask);
    RC_ASSERT(fails_with_crypto([&] { (void)slotbook::open(key, record, "goals", blob); }));
  });
}

TEST_CASE("a sealed field opens for its own record and field only") {
  const auto key = record_key::generate();
  rc::prop("open under any other (kind, id, field) throws errc::crypto", [&] {
    const std::string kind_a = *rc::gen::elementOf(kinds);
    const std::string kind_b = *rc::gen::elementOf(kinds);
    const record_ref a{kind_a, *any_id()};
    const record_ref b{kind_b, *rc::gen::oneOf(rc::gen::just(a.id), any_id())};
    const std::string field_a = *rc::gen::elementOf(fields);
    const std::string field_b = *rc::gen::elementOf(fields);
    RC_PRE(a.kind != b.kind || a.id != b.id || field_a != field_b);
    const auto blob = slotbook::seal(key, a, field_a, *any_bytes());
    RC_ASSERT(fails_with_crypto([&] { (void)slotbook::open(key, b, field_b, blob); }));
  });
}

TEST_CASE("random bytes are never accepted as a sealed field or a wrapped key") {
  keyring ring;
  ring.add(1, key_material::generate());
  const auto key = record_key::generate();
  const record_ref record{"intake_form", 1};
  rc::prop("opening or unwrapping arbitrary bytes throws errc::crypto", [&] {
    auto bytes = *rc::gen::container<std::vector<std::uint8_t>>(rc::gen::arbitrary<std::uint8_t>());
    // Often give them a well-formed header, so the authentication itself is what refuses them.
    const int header = uniform(0, 3);
    if (header == 1) {
      bytes.resize(std::max<std::size_t>(bytes.size(), 2));
      bytes[0] = 1;  // format version
      bytes[1] = 2;  // kind: field
    } else if (header == 2) {
      bytes.resize(66);                                          // a wrapped key's exact size
      const std::uint8_t wrapped_header[] = {1, 1, 0, 0, 0, 1};  // version 1, kind 1, key 1
      std::copy(std::begin(wrapped_header), std::end(wrapped_header), bytes.begin());
    }
    RC_ASSERT(
        fails_with_crypto([&] { (void)slotbook::open(key, record, "f", sealed_field{bytes}); }));
    RC_ASSERT(fails_with_crypto([&] { (void)slotbook::unwrap(ring, record, wrapped_key{bytes}); }));
  });
}

TEST_CASE("a record key survives any sequence of rotations") {
  rc::prop("after each rewrap to a newer version (older keys maybe removed) the field still opens",
           [] {
             keyring ring;
             std::uint32_t version = *rc::gen::inRange<std::uint32_t>(1, 1000);
             ring.add(version, random_key());
             const record_ref record{"intake_form", *any_id()};
             const auto key = record_key::generate();
             const std::string plaintext = *any_bytes();
             const auto blob = slotbook::seal(key, record, "personal_info", plaintext);
             auto wrapped = slotbook::wrap(ring, record, key);
             const int rotations = *rc::gen::inRange(1, 6);
             for (int i = 0; i < rotations; ++i) {
               version += *rc::gen::inRange<std::uint32_t>(1, 1000);
               ring.add(version, random_key());
               wrapped = slotbook::rewrap(ring, record, wrapped);
               RC_ASSERT(slotbook::key_version(wrapped) == version);
               if (*rc::gen::arbitrary<bool>()) {
                 for (const auto old : ring.versions()) {
                   if (old != version) ring.remove(old);
                 }
               }
               const auto unwrapped = slotbook::unwrap(ring, record, wrapped);
               RC_ASSERT(slotbook::open(unwrapped, record, "personal_info", blob) == plaintext);
             }
           });
}

TEST_CASE("a key list written from any set of versions and keys parses back to them") {
  rc::prop("parse(join(version:base64)) holds exactly the generated keys", [] {
    const auto versions = *rc::gen::unique<std::vector<std::uint32_t>>(
        rc::gen::inRange<std::uint32_t>(1, UINT32_MAX));
    RC_PRE(!versions.empty());
    std::map<std::uint32_t, std::vector<std::uint8_t>> expected;
    std::string text;
    for (const auto v : versions) {
      const auto key = random_key();
      expected[v] = {key.bytes().begin(), key.bytes().end()};
      if (!text.empty()) text += *rc::gen::element<std::string>(",", " ,", ",\n", "\t, ");
      text += std::to_string(v) + *rc::gen::element<std::string>(":", " : ") + key.to_base64();
    }
    const auto ring = keyring::parse(text, "KEYS");
    std::vector<std::uint32_t> sorted = versions;
    std::sort(sorted.begin(), sorted.end());
    RC_ASSERT(ring.versions() == sorted);
    RC_ASSERT(ring.current_version() == sorted.back());
    for (const auto& [v, bytes] : expected) {
      const auto held = ring.key(v).bytes();
      RC_ASSERT(std::vector<std::uint8_t>(held.begin(), held.end()) == bytes);
    }
  });
}
