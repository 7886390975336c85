#pragma once

#include "model/polling_preference.hpp"
#include "model/result.hpp"
#include "storage/job_store.hpp"

#include <string>
#include <vector>

namespace jobsync::storage {

/// The polling preferences stored (`PUT /api/cloud/polling/setting`): the
/// record for all providers and those of the providers named. Read at
/// start, and again by replicas sharing a database, which learn of a
/// setting made through another replica this way.
result<polling_preferences>
read_polling_preferences(const read_view& view,
                         const std::vector<std::string>& providers);

} // namespace jobsync::storage
