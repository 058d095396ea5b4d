#pragma once
#include "state.h"

namespace prov::exec {

/// Runs one serial batch of a play: facts, sections, blocks with rescue/always, includes, handlers, strategies.
void run_play_batch(PlayState& play);

}  // namespace prov::exec
