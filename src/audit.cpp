// The audit chain: canonical text, SHA-256 links (Botan 2) and the verifier. The format is in
// docs/service.md ("Audit chain"); keep the two in step, since changing a single byte here makes
// every stored log fail verification.
#include <botan/hash.h>
#include <fmt/format.h>

#include <memory>
#include <string>

#include "slotbook/booking_service.hpp"

namespace slotbook {

namespace {

// Free text goes in length-prefixed (`<bytes>:<text>`), so no content of `action` or `detail`
// can imitate a field boundary: two different entries never have the same canonical text.
void append_text(std::string& out, std::string_view key, std::string_view text) {
  out += key;
  out += '=';
  out += std::to_string(text.size());
  out += ':';
  out += text;
  out += '\n';
}

void append_status(std::string& out, std::string_view key, const std::optional<session_status>& s) {
  out += key;
  out += '=';
  out += s ? to_string(*s) : std::string_view{"-"};
  out += '\n';
}

}  // namespace

std::string audit_canonical_text(const audit_entry& e) {
  std::string out = "slotbook-audit/1\n";
  out += "at=" + format_instant(e.at) + '\n';
  out += fmt::format("role={}\nactor={}\n", to_string(e.who_role), e.who_id);
  append_text(out, "action", e.action);
  out += fmt::format("session={}\n", e.session.value);
  append_status(out, "before", e.before);
  append_status(out, "after", e.after);
  append_text(out, "detail", e.detail);
  return out;
}

std::string audit_hash(const audit_entry& e) {
  const std::unique_ptr<Botan::HashFunction> sha = Botan::HashFunction::create_or_throw("SHA-256");
  sha->update(e.previous_hash);
  sha->update(audit_canonical_text(e));
  const Botan::secure_vector<std::uint8_t> digest = sha->final();
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (const std::uint8_t b : digest) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 0xf]);
  }
  return out;
}

audit_verifier::audit_verifier(std::optional<audit_head> expected)
    : expected_(std::move(expected)) {
  if (expected_ && expected_->sequence < 0) {
    throw error(errc::invalid_argument,
                fmt::format("expected.sequence: {} is negative", expected_->sequence));
  }
}

bool audit_verifier::fail(audit_problem p, std::int64_t sequence, std::string message) {
  result_.problem = p;
  result_.sequence = sequence;
  result_.message = std::move(message);
  return false;
}

bool audit_verifier::next(const audit_entry& e) {
  if (!result_.ok()) return false;
  const std::int64_t want = head_.sequence + 1;
  if (e.sequence > want) {
    return fail(audit_problem::missing_entry, want,
                want + 1 == e.sequence
                    ? fmt::format("audit entry {} is missing (deleted): the log goes from {} to {}",
                                  want, head_.sequence, e.sequence)
                    : fmt::format("audit entries {} to {} are missing (deleted): the log goes "
                                  "from {} to {}",
                                  want, e.sequence - 1, head_.sequence, e.sequence));
  }
  if (e.sequence < want) {
    return fail(audit_problem::out_of_order, e.sequence,
                fmt::format("audit entry {} comes after entry {}: the log is out of order",
                            e.sequence, head_.sequence));
  }
  // The entry's own hash first: an entry whose contents (its previous_hash included) were changed
  // is "edited", whatever else is wrong with it.
  if (audit_hash(e) != e.hash) {
    return fail(
        audit_problem::edited, e.sequence,
        fmt::format("audit entry {} was edited: its hash does not match its contents", e.sequence));
  }
  if (e.previous_hash != head_.hash) {
    return fail(audit_problem::out_of_order, e.sequence,
                fmt::format("audit entry {} does not follow entry {}: the entries were reordered "
                            "(or entry {} was replaced and re-hashed)",
                            e.sequence, head_.sequence, head_.sequence));
  }
  if (expected_ && e.sequence == expected_->sequence && e.hash != expected_->hash) {
    return fail(audit_problem::head_mismatch, e.sequence,
                fmt::format("audit entry {} is not the entry recorded as the head earlier: the log "
                            "was rewritten from there or before",
                            e.sequence));
  }
  head_ = audit_head{e.sequence, e.hash};
  ++result_.checked;
  return true;
}

const audit_verification& audit_verifier::finish() {
  if (result_.ok() && expected_ && expected_->sequence > head_.sequence) {
    fail(audit_problem::head_mismatch, head_.sequence + 1,
         fmt::format("the audit log ends at entry {}, but entry {} was recorded as the head "
                     "earlier: entries were deleted from the end",
                     head_.sequence, expected_->sequence));
  }
  return result_;
}

}  // namespace slotbook
