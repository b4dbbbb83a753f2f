// libFuzzer target: opening arbitrary bytes as a sealed value never crashes and never returns
// garbage. The first input byte picks what the rest is fed to:
//   0  open() as field "personal_info" of intake_form 1, under a fixed record key
//   1  unwrap() as the wrapped key of intake_form 1, with a fixed keyring (versions 1 and 2)
//   2-4  parse_personal_info / parse_mental_health / parse_goals (the sealed steps' plaintext)
// Anything refused must be a slotbook::error with errc::crypto (opening) or errc::invalid_argument
// (parsing); anything accepted must round-trip. The seed corpus (corpus/sealed_open/) holds valid
// blobs under these fixed keys; its files were made with the public API (seal, wrap, serialize).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "slotbook/crypto.hpp"
#include "slotbook/intake.hpp"

namespace {

// Test keys only: 32 bytes of 0x01 (version 1) and 0x02 (version 2).
const slotbook::keyring& test_ring() {
  static const slotbook::keyring ring = [] {
    slotbook::keyring r;
    r.add(1, slotbook::key_material(std::vector<std::uint8_t>(32, 0x01)));
    r.add(2, slotbook::key_material(std::vector<std::uint8_t>(32, 0x02)));
    return r;
  }();
  return ring;
}

constexpr slotbook::record_ref record{"intake_form", 1};

// The record key of intake_form 1, wrapped under test key version 1 when the corpus was made.
const slotbook::record_key& test_record_key() {
  static const slotbook::record_key key = slotbook::unwrap(
      test_ring(), record,
      slotbook::wrapped_key{{0x01, 0x01, 0x00, 0x00, 0x00, 0x01, 0x7c, 0x41, 0x63, 0xb5, 0x25,
                             0xe7, 0x65, 0x6a, 0x55, 0x6d, 0xb5, 0xc0, 0xf8, 0xe3, 0x7e, 0xf9,
                             0x50, 0x94, 0x20, 0xa0, 0xa0, 0x64, 0xe5, 0x65, 0xd8, 0xd4, 0x5a,
                             0xdf, 0x05, 0x5b, 0xf9, 0x2d, 0xc9, 0x3f, 0x87, 0xbf, 0x32, 0x58,
                             0x58, 0x2e, 0xfe, 0x50, 0xc5, 0x87, 0x3c, 0x8e, 0xc9, 0x67, 0xc6,
                             0x0b, 0x76, 0x6a, 0xbb, 0x1b, 0xcb, 0xa6, 0x2b, 0xf2, 0x5b, 0x8e}});
  return key;
}

void expect(const slotbook::error& e, slotbook::errc code) {
  if (e.code() != code) std::abort();
}

template <class Step, class Parse>
void parse_round_trip(std::string_view text, Parse parse) {
  try {
    const Step step = parse(text);
    if (slotbook::serialize(step) != text) std::abort();  // only canonical bytes are accepted
  } catch (const slotbook::error& e) {
    expect(e, slotbook::errc::invalid_argument);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::vector<std::uint8_t> bytes(data + 1, data + size);
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0:
      try {
        const std::string plain = slotbook::open(test_record_key(), record, "personal_info",
                                                 slotbook::sealed_field{bytes});
        const auto again = slotbook::seal(test_record_key(), record, "personal_info", plain);
        if (slotbook::open(test_record_key(), record, "personal_info", again) != plain)
          std::abort();
      } catch (const slotbook::error& e) {
        expect(e, slotbook::errc::crypto);
      }
      break;
    case 1:
      try {
        const auto key = slotbook::unwrap(test_ring(), record, slotbook::wrapped_key{bytes});
        const auto field = slotbook::seal(key, record, "goals", "x");
        if (slotbook::open(key, record, "goals", field) != "x") std::abort();
        if (slotbook::rewrap(test_ring(), record, slotbook::wrapped_key{bytes}).bytes.size() !=
            66) {
          std::abort();
        }
      } catch (const slotbook::error& e) {
        expect(e, slotbook::errc::crypto);
      }
      break;
    case 2:
      parse_round_trip<slotbook::personal_info_step>(
          text, [](std::string_view t) { return slotbook::parse_personal_info(t); });
      break;
    case 3:
      parse_round_trip<slotbook::mental_health_step>(
          text, [](std::string_view t) { return slotbook::parse_mental_health(t); });
      break;
    default:
      parse_round_trip<slotbook::goals_step>(
          text, [](std::string_view t) { return slotbook::parse_goals(t); });
      break;
  }
  return 0;
}
