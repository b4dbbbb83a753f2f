#pragma once
/// \file version.hpp
/// "Which slotbook is this?"

namespace slotbook {

/// The library version as `major.minor.patch`, e.g. `"0.1.0"`; from the compiled library, so a host
/// sees the version it actually linked.
const char* version() noexcept;

}  // namespace slotbook
