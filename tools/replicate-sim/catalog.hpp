#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jobsync::sim {

/// One model the emulator knows, with its single version.
struct model_entry {
  /// `owner/name`.
  std::string name;
  /// 64 lowercase hex digits.
  std::string version;
};

/// A model and version resolved from a request.
struct resolved_version {
  /// `owner/name`.
  std::string model;
  /// The 64-hex version id.
  std::string version;
};

/// The models and versions that exist: creating a prediction for anything
/// else gets Replicate's 422 "Invalid version or not permitted".
class catalog {
public:
  /// The built-in models (SimpleTuner's trainers, an SDXL and a LoRA
  /// trainer) plus `extra`, each `owner/name` or `owner/name:<64 hex>`.
  /// Invalid extra entries are reported in `error`.
  explicit catalog(const std::vector<std::string>& extra = {});

  /// The deterministic version id the emulator gives a model that was
  /// declared without one: SHA-256 of "replicate-sim:<owner/name>".
  static std::string default_version(std::string_view model);

  /// Whether `s` is 64 lowercase hex digits.
  static bool is_version_id(std::string_view s);

  /// Whether `s` is `owner/name` with non-empty parts and no extra slash.
  static bool is_model_name(std::string_view s);

  /// Resolves the `version` field of a create request in its three forms:
  /// `owner/name`, `owner/name:<version>`, or a bare version id.
  std::optional<resolved_version> resolve(std::string_view version) const;

  /// Looks a model up by `owner/name`.
  const model_entry* find_model(std::string_view name) const;

  /// Every model, in declaration order.
  const std::vector<model_entry>& models() const {
    return models_;
  }

  /// Describes the first invalid `extra` entry; empty when all were valid.
  const std::string& error() const {
    return error_;
  }

private:
  std::vector<model_entry> models_;
  std::string error_;
};

} // namespace jobsync::sim
