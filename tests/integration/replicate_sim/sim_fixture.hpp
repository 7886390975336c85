#pragma once

#include "tests/support/child_process.hpp"
#include "tests/support/http.hpp"

#include <rapidjson/document.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace jobsync::test {

/// The token every test sim accepts.
inline const std::string sim_token = "r8_sim_token";

/// The virtual start time of test sims (their clock is frozen).
inline const std::string sim_start = "2025-06-08T12:00:00Z";

/// A running `replicate-sim` on an ephemeral port with a frozen clock
/// (`--speed 0`), so that job state only changes when a test says so.
class sim_process {
public:
  /// Starts the binary with the default test flags plus `extra`.
  explicit sim_process(std::vector<std::string> extra = {});

  /// Port it listens on.
  uint16_t port() const {
    return port_;
  }

  /// `http://127.0.0.1:<port>`.
  const std::string& root() const {
    return root_;
  }

  /// `http://127.0.0.1:<port>/v1`.
  std::string base() const {
    return root_ + "/v1";
  }

  /// The process (for signals and output).
  child_process& process() {
    return *process_;
  }

  /// An authenticated `/v1` request (`path` starts with `/`).
  http_response api(const std::string& method, const std::string& path,
                    const std::string& body = {},
                    std::map<std::string, std::string> headers = {}) const;

  /// Authenticated GET of an absolute URL (e.g. a `next` link).
  http_response get_url(const std::string& url) const;

  /// An admin request (`path` after `/_admin`).
  http_response admin(const std::string& method, const std::string& path,
                      const std::string& body = {}) const;

  /// `POST /_admin/jobs` with `body`; the ids, newest first.
  std::vector<std::string> create_jobs(const std::string& body) const;

  /// `POST /v1/predictions` for the default model; the new id.
  std::string create_prediction(const std::string& extra_fields = {},
                                std::map<std::string, std::string> headers
                                = {}) const;

  /// `GET /_admin/jobs/{id}` parsed.
  rapidjson::Document job(const std::string& id) const;

  /// `POST /_admin/clock {"advance_seconds": s}`.
  void advance_clock(double seconds) const;

  /// `POST /_admin/jobs/{id}/advance`; the HTTP status.
  long advance(const std::string& id, const std::string& to) const;

  /// `GET /_admin/stats` parsed.
  rapidjson::Document stats() const;

private:
  std::unique_ptr<child_process> process_;
  uint16_t port_ = 0;
  std::string root_;
};

/// Parses JSON (test fails on invalid JSON with the text shown).
rapidjson::Document parse_json(const std::string& text);

/// JSON type name of `obj[key]`: missing, null, bool, number, string,
/// array or object.
std::string type_of(const rapidjson::Value& obj, const char* key);

/// `obj[key]` as a string ("" when not a string).
std::string str(const rapidjson::Value& obj, const char* key);

/// Compact text of `obj[key]` ("<missing>" when absent).
std::string text_of(const rapidjson::Value& obj, const char* key);

/// The `ids` of every page from `first_url` on, following `next`.
std::vector<std::string> walk_pages(const sim_process& sim,
                                    const std::string& first_url,
                                    std::vector<size_t>* page_sizes = nullptr);

/// Number of fractional digits of an RFC 3339 timestamp.
int fraction_digits(const std::string& timestamp);

} // namespace jobsync::test
