#pragma once
/// \file crypto.hpp
/// "Who can read this?": sealed (encrypted and authenticated) values, versioned keyrings and
/// per-record data keys.
///
/// Envelope encryption, in two layers, both AES-256/GCM with a fresh random 96-bit nonce and a
/// 128-bit tag:
/// - every record (an intake form) gets its own random 256-bit `record_key`; its fields are sealed
///   with it (`seal`/`open`);
/// - the record key is stored *wrapped* (sealed) under the newest key of the host's `keyring`
///   (`wrap`/`unwrap`). Rotating the keyring re-wraps only these 66-byte blobs (`rewrap`), never
///   the fields, and the caller never sees plaintext while doing it. Deleting a record's wrapped
///   key destroys the record for good (crypto-shredding): nothing else can open its fields.
///
/// The associated data of every blob binds it to its record (kind and id), its field name and its
/// own header (format version, blob kind and key version), so a blob copied to another record or
/// field, or one whose header byte was changed, fails to open with `errc::crypto`. The byte layout
/// and the threat model are in docs/security.md.
///
/// Thread safety: every function here is safe to call concurrently; a `keyring` may be shared
/// between threads as long as nobody calls `add`/`remove` on it at the same time.
///
///     auto ring = slotbook::keyring::from_env("SLOTBOOK_KEYS");
///     const slotbook::record_ref form{"intake_form", 42};
///     const auto key = slotbook::record_key::generate();
///     const auto wrapped = slotbook::wrap(ring, form, key);          // store this with the record
///     const auto allergies = slotbook::seal(key, form, "allergies", "penicillin");
///     // later:
///     const auto opened = slotbook::open(slotbook::unwrap(ring, form, wrapped), form, "allergies",
///                                        allergies);              // "penicillin"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "slotbook/error.hpp"

namespace slotbook {

namespace detail {
/// Overwrites `size` bytes at `data` with zeros in a way the compiler may not elide.
void wipe_secret(void* data, std::size_t size) noexcept;
struct record_key_access;
}  // namespace detail

/// The layout version of every blob slotbook seals (the first byte of the blob).
inline constexpr std::uint8_t sealed_format_version = 1;

/// 256 bits of secret key material (an AES-256 key). The bytes are wiped when the object is
/// destroyed; copies are independent and wipe themselves. Never printed by slotbook.
///
///     auto k = slotbook::key_material::generate();                   // from the system RNG
///     auto same = slotbook::key_material::from_base64(k.to_base64(), "my_key");
class key_material {
 public:
  static constexpr std::size_t size = 32;

  /// Exactly 32 bytes; any other length is `errc::invalid_argument`.
  explicit key_material(std::span<const std::uint8_t> bytes);
  /// Standard base64 (with `=` padding) of exactly 32 bytes. A bad value is
  /// `errc::invalid_argument` naming `field`; the message never repeats the value.
  static key_material from_base64(std::string_view text, std::string_view field);
  /// 32 bytes from the operating system's random number generator.
  static key_material generate();

  key_material(const key_material& other) noexcept = default;
  key_material& operator=(const key_material& other) noexcept = default;
  ~key_material() { detail::wipe_secret(bytes_.data(), bytes_.size()); }

  /// The key as standard base64, e.g. to put into `SLOTBOOK_KEYS`. The returned string is not
  /// wiped: keep it short-lived.
  std::string to_base64() const;
  /// The raw key bytes.
  std::span<const std::uint8_t, size> bytes() const noexcept { return bytes_; }

 private:
  std::array<std::uint8_t, size> bytes_{};
};

/// The host's master keys, by version. `wrap` uses the newest (highest) version; `unwrap` uses the
/// version recorded in the wrapped key. Versions are 1 to 4294967295; 0 is not a version.
///
/// Keys come from the host, never from the repository: `from_env` (a variable such as
/// `SLOTBOOK_KEYS="1:<base64>,2:<base64>"`), `from_source` (a callback into a KMS or secrets
/// manager), or `add`.
///
///     auto ring = slotbook::keyring::from_env("SLOTBOOK_KEYS");
///     ring.current_version();   // 2
class keyring {
 public:
  /// Asked for the key of one version; `std::nullopt` when the host has none.
  using key_source = std::function<std::optional<key_material>(std::uint32_t version)>;

  /// An empty keyring: it can neither wrap nor unwrap until keys are added.
  keyring() = default;

  /// Parses `1:<base64 of 32 bytes>,2:<base64 of 32 bytes>,...`: entries separated by commas,
  /// each a decimal key version, a colon and standard base64 (44 characters with one `=`).
  /// ASCII whitespace around entries is ignored; order does not matter. Malformed text, a
  /// duplicate version or an empty list is `errc::invalid_argument` naming `source` and the entry
  /// number (1-based); messages never repeat key material.
  static keyring parse(std::string_view text, std::string_view source);
  /// `parse` of the environment variable `variable`. An unset variable is `errc::crypto`.
  static keyring from_env(std::string_view variable = "SLOTBOOK_KEYS");
  /// Asks `source` for each of `versions` once, now. A version the source has no key for is
  /// `errc::crypto` naming the version; exceptions from `source` propagate unchanged.
  static keyring from_source(std::span<const std::uint32_t> versions, const key_source& source);

  /// Adds `key` as `version`. Version 0 or one already present is `errc::invalid_argument`.
  void add(std::uint32_t version, const key_material& key);
  /// Removes `version` (its bytes are wiped); false when it was not there.
  bool remove(std::uint32_t version) noexcept;

  bool empty() const noexcept { return keys_.empty(); }
  bool contains(std::uint32_t version) const noexcept { return keys_.count(version) != 0; }
  /// The versions held, ascending.
  std::vector<std::uint32_t> versions() const;
  /// The newest (highest) version, the one `wrap` uses. An empty keyring is `errc::crypto`.
  std::uint32_t current_version() const;
  /// The key of `version`; a version not held is `errc::crypto` naming it.
  const key_material& key(std::uint32_t version) const;

 private:
  std::map<std::uint32_t, key_material> keys_;
};

/// One record's own data key (random, 256 bits). It exists in the clear only in memory; at rest
/// it is always a `wrapped_key`. The bytes are wiped on destruction.
///
///     auto key = slotbook::record_key::generate();
class record_key {
 public:
  /// A fresh random key from the operating system's random number generator.
  static record_key generate();

 private:
  explicit record_key(const key_material& key) : key_(key) {}
  key_material key_;
  friend struct detail::record_key_access;
};

/// Which record a blob belongs to: its kind (e.g. `"intake_form"`) and id. Both are bound into the
/// associated data, so a blob cannot move to another record, nor to a record of another kind that
/// happens to have the same id. `kind` is 1 to 64 characters of `[a-z0-9_]`; `id` is not 0.
/// The view must stay valid for the call it is passed to.
struct record_ref {
  std::string_view kind{};
  std::uint64_t id{};
};

/// A record key sealed under one keyring version (66 bytes). Store it with the record; deleting it
/// crypto-shreds the record.
struct wrapped_key {
  std::vector<std::uint8_t> bytes{};
  friend bool operator==(const wrapped_key&, const wrapped_key&) = default;
};

/// One field's value sealed under its record's key (30 bytes plus the plaintext's length).
struct sealed_field {
  std::vector<std::uint8_t> bytes{};
  friend bool operator==(const sealed_field&, const sealed_field&) = default;
};

/// Wraps `key` for `record` under the keyring's current (newest) version. An empty keyring is
/// `errc::crypto`; a bad `record` is `errc::invalid_argument`.
wrapped_key wrap(const keyring& ring, record_ref record, const record_key& key);

/// Unwraps `record`'s key with the keyring version recorded in `wrapped`. A version the keyring
/// does not hold is `errc::crypto` naming it; a blob that is malformed, tampered with, wrapped for
/// another record or under a different key of that version is `errc::crypto`.
record_key unwrap(const keyring& ring, record_ref record, const wrapped_key& wrapped);

/// The same record key, wrapped under the keyring's current version: rotation without plaintext.
/// The blob is always authenticated first (errors as `unwrap`); one already wrapped under the
/// current version is returned unchanged, so a rotation resumed after an interruption redoes no
/// work.
wrapped_key rewrap(const keyring& ring, record_ref record, const wrapped_key& wrapped);

/// The keyring version `wrapped` was wrapped under, read from its header without any key (e.g. to
/// find the records a rotation has not reached yet). A blob that is not a wrapped key is
/// `errc::crypto`. The version is authenticated only when the key is unwrapped.
std::uint32_t key_version(const wrapped_key& wrapped);

/// Seals `plaintext` as `field` of `record` under the record's `key`, with a fresh random nonce.
/// `field` is 1 to 64 characters of `[a-z0-9_.]` (`errc::invalid_argument` otherwise). The blob
/// reveals the plaintext's exact length: pad first if that matters.
sealed_field seal(const record_key& key, record_ref record, std::string_view field,
                  std::string_view plaintext);

/// Opens what `seal` sealed for the same `record` and `field`. Anything else (a malformed or
/// tampered blob, another record's or field's blob, another key) is `errc::crypto`; garbage is
/// never returned.
std::string open(const record_key& key, record_ref record, std::string_view field,
                 const sealed_field& sealed);

}  // namespace slotbook
