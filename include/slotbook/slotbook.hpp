#pragma once
/// \file slotbook.hpp
/// Everything public in one include, for hosts that prefer it to the one-concept headers.

#include "slotbook/error.hpp"
#include "slotbook/ids.hpp"
#include "slotbook/interval_index.hpp"
#include "slotbook/time.hpp"
#include "slotbook/version.hpp"
