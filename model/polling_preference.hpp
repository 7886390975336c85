#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jobsync {

/// Background polling as set at runtime (`PUT /api/cloud/polling/setting`):
/// whether it runs (nullopt: the configured rule decides) and how often
/// (nullopt: the configured interval).
struct polling_preference {
  std::optional<bool> enabled;
  std::optional<int> interval_seconds;

  bool operator==(const polling_preference& o) const {
    return enabled == o.enabled && interval_seconds == o.interval_seconds;
  }
  bool operator!=(const polling_preference& o) const {
    return !(*this == o);
  }
};

/// One request of `PUT /api/cloud/polling/setting`, already checked.
struct polling_setting {
  /// The provider it is for; empty: every provider.
  std::string provider;
  /// true, false, or nullopt: back to the configured rule.
  std::optional<bool> enabled;
  /// Given only when the request named one.
  std::optional<int> interval_seconds;
};

/// What the server answers after a setting is stored and applied.
struct polling_setting_outcome {
  std::optional<bool> enabled;
  /// Some poller runs background cycles now.
  bool is_active = false;
};

/// The stored preferences: one for every provider, and a provider's own,
/// whose fields win over it when set.
struct polling_preferences {
  polling_preference all;
  std::map<std::string, polling_preference> providers;

  /// What applies to `provider`: its own fields, else those for all.
  polling_preference of(const std::string& provider) const;

  /// After `s`: for one provider, its own record takes the setting (its
  /// interval only when given); for all, the record for all does, and the
  /// providers' own fields it sets are cleared, so that all means all.
  polling_preferences with(const polling_setting& s) const;

  /// The store keys whose records differ from `before` (the prefix alone
  /// for the record for all).
  std::vector<std::string>
  changed_keys(const polling_preferences& before) const;

  /// The record stored under a key of changed_keys.
  polling_preference at_key(std::string_view key) const;

  bool operator==(const polling_preferences& o) const {
    return all == o.all && providers == o.providers;
  }
  bool operator!=(const polling_preferences& o) const {
    return !(*this == o);
  }
};

/// The store key of a provider's record (empty provider: the one for all).
std::string polling_preference_key(const std::string& provider);

/// The record as stored: `{"enabled": true|false|null, "interval_seconds":
/// n|null}`.
std::string encode_polling_preference(const polling_preference& p);

/// nullopt for text that is not such a record.
std::optional<polling_preference>
decode_polling_preference(std::string_view text);

} // namespace jobsync
