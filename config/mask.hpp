#pragma once

#include <string>

namespace jobsync::config {

/// A libpq connection string or URI with any password in it replaced by
/// "***": the user info of a URI (`postgresql://user:***@host/db`), and
/// `password=` in a URI's query or in `key=value` form (quoted values
/// included). Everything else is kept, so --print-config still shows where
/// the database is.
std::string mask_password(const std::string& url);

} // namespace jobsync::config
