// Sealed values with Botan 2: AES-256/GCM, random 96-bit nonces, 128-bit tags, associated data
// binding each blob to its record, field and header. The layout is in docs/security.md; keep the
// two in step.
#include "slotbook/crypto.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>

#include <botan/aead.h>
#include <botan/base64.h>
#include <botan/exceptn.h>
#include <botan/mem_ops.h>
#include <botan/secmem.h>
#include <botan/system_rng.h>
#include <fmt/format.h>

#include "slotbook/detail/quote.hpp"

namespace slotbook {

namespace detail {

void wipe_secret(void* data, std::size_t size) noexcept { Botan::secure_scrub_memory(data, size); }

// The one door to a record key's bytes, so they never need a public accessor.
struct record_key_access {
  static const key_material& material(const record_key& key) noexcept { return key.key_; }
  static record_key make(const key_material& material) { return record_key(material); }
};

}  // namespace detail

namespace {

constexpr std::size_t nonce_size = 12;  // 96 bits: GCM's native nonce, no GHASH derivation
constexpr std::size_t tag_size = 16;    // 128 bits: the full GCM tag
constexpr char algorithm[] = "AES-256/GCM";

// Blob kinds (second header byte). A wrapped key and a field never open as each other: the kind is
// in the associated data, and the two use different keys anyway.
constexpr std::uint8_t kind_wrapped_key = 1;
constexpr std::uint8_t kind_field = 2;

// Header sizes: format version + kind (+ key version, big-endian, for wrapped keys).
constexpr std::size_t field_header_size = 2;
constexpr std::size_t wrapped_header_size = 6;
constexpr std::size_t wrapped_key_size =
    wrapped_header_size + nonce_size + key_material::size + tag_size;              // 66
constexpr std::size_t field_overhead = field_header_size + nonce_size + tag_size;  // 30

using bytes_view = std::span<const std::uint8_t>;

bool is_name_char(char c, bool allow_dot) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (allow_dot && c == '.');
}

void check_name(std::string_view name, std::string_view what, bool allow_dot) {
  const bool ok =
      !name.empty() && name.size() <= 64 &&
      std::all_of(name.begin(), name.end(), [&](char c) { return is_name_char(c, allow_dot); });
  if (!ok) {
    throw error(errc::invalid_argument,
                fmt::format("{}: {} is not 1 to 64 characters of [a-z0-9_{}]", what,
                            detail::quote(name), allow_dot ? "." : ""));
  }
}

void check_record(record_ref record) {
  check_name(record.kind, "record kind", false);
  if (record.id == 0) {
    throw error(errc::invalid_argument,
                fmt::format("record id: 0 is not an id ({} records are sealed after the store "
                            "assigns their id)",
                            record.kind));
  }
}

// `intake_form 42, field "allergies"` — names only, never data.
std::string describe(record_ref record, std::string_view field) {
  if (field.empty()) return fmt::format("{} {}", record.kind, record.id);
  return fmt::format("{} {}, field {}", record.kind, record.id, field);
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(v >> shift));
  }
}

void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(v >> shift));
  }
}

std::uint32_t get_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// Associated data: the blob's own header, then the record kind, record id and field, each length-
// prefixed so no two (kind, id, field) triples encode alike. A wrapped key's field is empty.
std::vector<std::uint8_t> associated_data(bytes_view header, record_ref record,
                                          std::string_view field) {
  std::vector<std::uint8_t> ad;
  ad.reserve(header.size() + 2 + record.kind.size() + 8 + field.size());
  ad.insert(ad.end(), header.begin(), header.end());
  ad.push_back(static_cast<std::uint8_t>(record.kind.size()));
  ad.insert(ad.end(), record.kind.begin(), record.kind.end());
  put_u64(ad, record.id);
  ad.push_back(static_cast<std::uint8_t>(field.size()));
  ad.insert(ad.end(), field.begin(), field.end());
  return ad;
}

// One encryption and one decryption object per thread, created once (creating one costs about as
// much as sealing a short field) and keyed afresh for every call. `keyed_cipher` clears the key
// schedule when the call ends, so no key outlives the call in these objects either.
class keyed_cipher {
 public:
  keyed_cipher(Botan::Cipher_Dir direction, std::span<const std::uint8_t, key_material::size> key)
      : mode_(instance(direction)) {
    mode_.set_key(key.data(), key.size());
  }
  ~keyed_cipher() { mode_.clear(); }
  keyed_cipher(const keyed_cipher&) = delete;
  keyed_cipher& operator=(const keyed_cipher&) = delete;
  Botan::AEAD_Mode* operator->() const noexcept { return &mode_; }

 private:
  static Botan::AEAD_Mode& instance(Botan::Cipher_Dir direction) {
    thread_local std::unique_ptr<Botan::AEAD_Mode> encrypt, decrypt;
    auto& mode = direction == Botan::ENCRYPTION ? encrypt : decrypt;
    if (!mode) mode = Botan::AEAD_Mode::create_or_throw(algorithm, direction);
    return *mode;
  }
  Botan::AEAD_Mode& mode_;
};

// Appends nonce || ciphertext || tag to `out` (which already holds the header).
void aead_seal(std::vector<std::uint8_t>& out,
               std::span<const std::uint8_t, key_material::size> key,
               const std::vector<std::uint8_t>& ad, bytes_view plaintext) {
  const keyed_cipher mode(Botan::ENCRYPTION, key);
  mode->set_associated_data(ad.data(), ad.size());
  std::array<std::uint8_t, nonce_size> nonce{};
  Botan::system_rng().randomize(nonce.data(), nonce.size());
  mode->start(nonce.data(), nonce.size());
  Botan::secure_vector<std::uint8_t> buffer(plaintext.begin(), plaintext.end());
  mode->finish(buffer);  // encrypts in place and appends the tag
  out.insert(out.end(), nonce.begin(), nonce.end());
  out.insert(out.end(), buffer.begin(), buffer.end());
}

// Opens nonce || ciphertext || tag (`body`); throws errc::crypto when it does not authenticate.
Botan::secure_vector<std::uint8_t> aead_open(std::span<const std::uint8_t, key_material::size> key,
                                             const std::vector<std::uint8_t>& ad, bytes_view body,
                                             const std::string& what) {
  try {
    const keyed_cipher mode(Botan::DECRYPTION, key);
    mode->set_associated_data(ad.data(), ad.size());
    mode->start(body.data(), nonce_size);
    Botan::secure_vector<std::uint8_t> buffer(body.begin() + nonce_size, body.end());
    mode->finish(buffer);  // checks the tag, then decrypts in place and drops it
    return buffer;
  } catch (const Botan::Invalid_Authentication_Tag&) {
    throw error(errc::crypto,
                fmt::format("{}: the ciphertext does not authenticate (tampered with, sealed for "
                            "another record or field, or under another key)",
                            what));
  } catch (const Botan::Exception& e) {
    throw error(errc::crypto, fmt::format("{}: cannot be opened ({})", what, e.what()));
  }
}

[[noreturn]] void malformed(const std::string& what, const std::string& why) {
  throw error(errc::crypto, fmt::format("{}: not a sealed value: {}", what, why));
}

// Checks the parts of a header that do not need a key: format version and kind.
void check_header(bytes_view blob, std::uint8_t kind, std::size_t min_size,
                  const std::string& what) {
  if (blob.empty()) malformed(what, "it is empty");
  if (blob[0] != sealed_format_version) {
    malformed(what, fmt::format("unknown format version {} (this build reads {})", blob[0],
                                sealed_format_version));
  }
  if (blob.size() < 2 || blob[1] != kind) {
    malformed(what, kind == kind_wrapped_key ? "it is not a wrapped key" : "it is not a field");
  }
  if (blob.size() < min_size) {
    malformed(what, fmt::format("{} bytes is shorter than the {} a {} needs", blob.size(), min_size,
                                kind == kind_wrapped_key ? "wrapped key" : "field"));
  }
}

// ASCII whitespace, as it may surround entries of a key list read from a file or variable.
std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\r\n\f\v";
  const auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(space);
  return s.substr(first, last - first + 1);
}

// A decimal version 1..4294967295, or nullopt. Never echoed when invalid: it might be key material
// typed into the wrong place.
std::optional<std::uint32_t> parse_version(std::string_view text) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v == 0 || v > 0xffffffffULL) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

std::string list_versions(const std::vector<std::uint32_t>& versions) {
  if (versions.empty()) return "none";
  return fmt::format("{}", fmt::join(versions, ", "));
}

}  // namespace

// --- key_material -----------------------------------------------------------------------------

key_material::key_material(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != size) {
    throw error(errc::invalid_argument,
                fmt::format("key material: {} bytes, but an AES-256 key is exactly {} bytes",
                            bytes.size(), size));
  }
  std::copy(bytes.begin(), bytes.end(), bytes_.begin());
}

key_material key_material::from_base64(std::string_view text, std::string_view field) {
  // 32 bytes are 43 base64 characters and one '=' of padding. Checked before decoding so Botan's
  // own message (which may quote the offending character) never reaches ours.
  constexpr std::size_t encoded_size = 44;
  if (text.size() != encoded_size) {
    throw error(errc::invalid_argument,
                fmt::format("{}: key material must be {} base64 characters encoding {} bytes, not "
                            "{} characters",
                            field, encoded_size, size, text.size()));
  }
  try {
    const Botan::secure_vector<std::uint8_t> decoded =
        Botan::base64_decode(text.data(), text.size(), /*ignore_ws=*/false);
    return key_material(decoded);
  } catch (const Botan::Exception&) {
  } catch (const error&) {
  }
  throw error(errc::invalid_argument,
              fmt::format("{}: key material is not standard base64 of {} bytes", field, size));
}

key_material key_material::generate() {
  Botan::secure_vector<std::uint8_t> bytes(size);
  Botan::system_rng().randomize(bytes.data(), bytes.size());
  return key_material(bytes);
}

std::string key_material::to_base64() const {
  return Botan::base64_encode(bytes_.data(), bytes_.size());
}

// --- keyring ----------------------------------------------------------------------------------

keyring keyring::parse(std::string_view text, std::string_view source) {
  keyring ring;
  if (trim(text).empty()) {
    throw error(
        errc::invalid_argument,
        fmt::format("{}: holds no keys (expected 1:<base64 of 32 bytes>,2:<...>,...)", source));
  }
  std::size_t entry_number = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string_view entry = trim(text.substr(pos, comma - pos));
    ++entry_number;
    const std::string where = fmt::format("{}: entry {}", source, entry_number);
    if (entry.empty()) {
      throw error(
          errc::invalid_argument,
          fmt::format("{} is empty (entries are <version>:<base64>, separated by commas)", where));
    }
    const std::size_t colon = entry.find(':');
    if (colon == std::string_view::npos) {
      throw error(errc::invalid_argument,
                  fmt::format("{} has no ':' (entries are <version>:<base64>)", where));
    }
    const auto version = parse_version(trim(entry.substr(0, colon)));
    if (!version) {
      throw error(errc::invalid_argument,
                  fmt::format("{}: the key version before ':' must be a decimal number from 1 to "
                              "4294967295",
                              where));
    }
    const std::string key_field = fmt::format("{} (key version {})", where, *version);
    if (ring.contains(*version)) {
      throw error(errc::invalid_argument,
                  fmt::format("{}: key version {} appears twice", where, *version));
    }
    ring.keys_.emplace(*version,
                       key_material::from_base64(trim(entry.substr(colon + 1)), key_field));
    pos = comma + 1;
  }
  return ring;
}

keyring keyring::from_env(std::string_view variable) {
  const std::string name(variable);
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    throw error(errc::crypto, fmt::format("{} is not set: no keys to seal or open with (expected "
                                          "1:<base64 of 32 bytes>,...)",
                                          name));
  }
  return parse(value, name);
}

keyring keyring::from_source(std::span<const std::uint32_t> versions, const key_source& source) {
  if (versions.empty()) {
    throw error(errc::invalid_argument, "key source: no key versions asked for");
  }
  keyring ring;
  for (const std::uint32_t version : versions) {
    if (version == 0 || ring.contains(version)) {
      throw error(
          errc::invalid_argument,
          fmt::format("key source: key version {} is {}", version,
                      version == 0 ? "not a version (versions start at 1)" : "asked for twice"));
    }
    std::optional<key_material> key = source(version);
    if (!key) {
      throw error(errc::crypto,
                  fmt::format("key version {}: the host's key source has no key for it", version));
    }
    ring.keys_.emplace(version, *key);
  }
  return ring;
}

void keyring::add(std::uint32_t version, const key_material& key) {
  if (version == 0) {
    throw error(errc::invalid_argument, "key version: 0 is not a version (versions start at 1)");
  }
  if (!keys_.emplace(version, key).second) {
    throw error(errc::invalid_argument,
                fmt::format("key version {}: already in the keyring", version));
  }
}

bool keyring::remove(std::uint32_t version) noexcept { return keys_.erase(version) != 0; }

std::vector<std::uint32_t> keyring::versions() const {
  std::vector<std::uint32_t> out;
  out.reserve(keys_.size());
  for (const auto& entry : keys_) out.push_back(entry.first);
  return out;
}

std::uint32_t keyring::current_version() const {
  if (keys_.empty()) throw error(errc::crypto, "the keyring is empty: no key to seal with");
  return keys_.rbegin()->first;
}

const key_material& keyring::key(std::uint32_t version) const {
  const auto it = keys_.find(version);
  if (it == keys_.end()) {
    throw error(errc::crypto, fmt::format("key version {} is not in the keyring (it holds: {})",
                                          version, list_versions(versions())));
  }
  return it->second;
}

// --- record keys ------------------------------------------------------------------------------

record_key record_key::generate() { return record_key(key_material::generate()); }

wrapped_key wrap(const keyring& ring, record_ref record, const record_key& key) {
  check_record(record);
  const std::uint32_t version = ring.current_version();
  wrapped_key out;
  out.bytes.reserve(wrapped_key_size);
  out.bytes.push_back(sealed_format_version);
  out.bytes.push_back(kind_wrapped_key);
  put_u32(out.bytes, version);
  const auto ad = associated_data(out.bytes, record, {});
  aead_seal(out.bytes, ring.key(version).bytes(), ad,
            detail::record_key_access::material(key).bytes());
  return out;
}

std::uint32_t key_version(const wrapped_key& wrapped) {
  check_header(wrapped.bytes, kind_wrapped_key, wrapped_header_size, "wrapped key");
  return get_u32(wrapped.bytes.data() + 2);
}

record_key unwrap(const keyring& ring, record_ref record, const wrapped_key& wrapped) {
  check_record(record);
  const std::string what = "wrapped key of " + describe(record, {});
  const bytes_view blob = wrapped.bytes;
  check_header(blob, kind_wrapped_key, wrapped_key_size, what);
  if (blob.size() != wrapped_key_size) {
    malformed(what, fmt::format("{} bytes, but a wrapped key is exactly {}", blob.size(),
                                wrapped_key_size));
  }
  const std::uint32_t version = get_u32(blob.data() + 2);
  if (!ring.contains(version)) {
    throw error(errc::crypto,
                fmt::format("{}: wrapped under key version {}, which is not in the keyring (it "
                            "holds: {})",
                            what, version, list_versions(ring.versions())));
  }
  const auto ad = associated_data(blob.first(wrapped_header_size), record, {});
  const auto plain = aead_open(ring.key(version).bytes(), ad, blob.subspan(wrapped_header_size),
                               fmt::format("{} (key version {})", what, version));
  return detail::record_key_access::make(key_material(plain));
}

wrapped_key rewrap(const keyring& ring, record_ref record, const wrapped_key& wrapped) {
  const record_key key = unwrap(ring, record, wrapped);  // authenticates, whatever the version
  if (key_version(wrapped) == ring.current_version()) return wrapped;
  return wrap(ring, record, key);
}

// --- fields -----------------------------------------------------------------------------------

sealed_field seal(const record_key& key, record_ref record, std::string_view field,
                  std::string_view plaintext) {
  check_record(record);
  check_name(field, "field name", true);
  sealed_field out;
  out.bytes.reserve(field_overhead + plaintext.size());
  out.bytes.push_back(sealed_format_version);
  out.bytes.push_back(kind_field);
  const auto ad = associated_data(out.bytes, record, field);
  aead_seal(out.bytes, detail::record_key_access::material(key).bytes(), ad,
            bytes_view(reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size()));
  return out;
}

std::string open(const record_key& key, record_ref record, std::string_view field,
                 const sealed_field& sealed) {
  check_record(record);
  check_name(field, "field name", true);
  const std::string what = describe(record, field);
  const bytes_view blob = sealed.bytes;
  check_header(blob, kind_field, field_overhead, what);
  const auto ad = associated_data(blob.first(field_header_size), record, field);
  const auto plain = aead_open(detail::record_key_access::material(key).bytes(), ad,
                               blob.subspan(field_header_size), what);
  return std::string(plain.begin(), plain.end());
}

}  // namespace slotbook
