#include "slotbook/version.hpp"

namespace slotbook {

const char* version() noexcept { return SLOTBOOK_VERSION_STRING; }

}  // namespace slotbook
