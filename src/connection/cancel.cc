// The interrupt flag every transport reads: set once by the SIGINT/SIGTERM handler, never cleared.
#include <atomic>

#include "provision/connection/connection.h"

namespace prov::conn {

namespace {
std::atomic<bool> g_cancelled{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");
}  // namespace

void cancel_commands() { g_cancelled.store(true); }

bool commands_cancelled() { return g_cancelled.load(); }

}  // namespace prov::conn
