#pragma once

#include "model/job.hpp"
#include "model/timestamp.hpp"

#include <chrono>
#include <optional>
#include <string_view>

// A job its provider no longer knows: the provider answers 404 for it (its
// data was deleted, or it belongs to another account). The first such
// answer is noted in the job; a confirmation of the job (a list sighting,
// a fetch, a verified webhook) clears the note; a note older than the
// provider's lost_after makes the job lost: failed, for good.

namespace jobsync {

/// The metadata member that holds when the provider first answered 404
/// (an RFC 3339 text, shown in the API).
inline constexpr std::string_view not_found_since_key
    = "provider_not_found_since";

/// When the provider began answering 404 for `x`, if it does.
std::optional<unix_ms> not_found_since(const job& x);

/// Notes that the provider answered 404 at `now`, unless an earlier answer
/// is noted already. True when the job changed.
bool note_not_found(job& x, unix_ms now);

/// Forgets the note (the provider confirmed the job). True when the job
/// changed.
bool clear_not_found(job& x);

/// Whether the provider has not known `x` for `lost_after` at `now` (never
/// with a zero `lost_after`, never for a terminal job).
bool is_lost(const job& x, unix_ms now, std::chrono::milliseconds lost_after);

/// Ends a lost job: failed, provider_status "not_found", an error message
/// saying since when `provider_label` has not known it, completed now.
void declare_lost(job& x, unix_ms now, std::string_view provider_label);

/// Whether `x` ended by declare_lost (a guess, which the provider's word
/// about the job replaces).
bool declared_lost(const job& x);

} // namespace jobsync
