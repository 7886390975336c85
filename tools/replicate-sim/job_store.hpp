#pragma once

#include "tools/replicate-sim/job.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace jobsync::sim {

/// A job's position in list order: newest `created` first, ties broken by
/// id (descending) so that the order is total and stable.
struct list_key {
  /// Creation time.
  nanos created = 0;
  /// Job id.
  std::string id;
};

/// Strict weak order "a is listed before b".
struct listed_before {
  /// Newest first, then larger id first.
  bool operator()(const list_key& a, const list_key& b) const {
    return a.created != b.created ? a.created > b.created : a.id > b.id;
  }
};

/// The list filters of `GET /v1/predictions`.
struct list_filter {
  /// `created_after`: at or after.
  std::optional<nanos> created_after;
  /// `created_before`: strictly before.
  std::optional<nanos> created_before;
  /// `source=web`: only web jobs created at or after `web_since`.
  bool web_only = false;
  /// The 14-day horizon of `source=web`.
  nanos web_since = 0;
};

/// One page to fetch.
struct page_request {
  /// Which collection.
  job_kind kind = job_kind::prediction;
  /// Continue after this position (a `next` cursor).
  std::optional<list_key> after;
  /// Fetch the page just before this position (a `previous` cursor).
  std::optional<list_key> before;
  /// Filters.
  list_filter filter;
  /// Page size.
  size_t limit = 100;
};

/// One fetched page.
struct page_result {
  /// The jobs, in list order.
  std::vector<const job*> jobs;
  /// When more matching jobs follow: the position to continue after.
  std::optional<list_key> next;
  /// When matching jobs precede: the position to go back from.
  std::optional<list_key> previous;
};

/// All jobs by id plus one ordered index per collection. Cursors are
/// positions, not offsets, so pages neither skip nor repeat jobs when jobs
/// are created or deleted between fetches. Not thread-safe.
class job_store {
public:
  /// Looks a job up.
  job* find(std::string_view id);

  /// Looks a job up.
  const job* find(std::string_view id) const;

  /// Adds a job (its id must be new) and returns the stored copy.
  job& insert(job j);

  /// Forgets a job; false when unknown.
  bool erase(std::string_view id);

  /// Fetches one page.
  page_result page(const page_request& request) const;

  /// Every job id (any order).
  std::vector<std::string> ids() const;

  /// Number of jobs.
  size_t size() const {
    return jobs_.size();
  }

private:
  using index = std::set<list_key, listed_before>;

  const index& index_of(job_kind kind) const {
    return kind == job_kind::training ? trainings_ : predictions_;
  }

  index& index_of(job_kind kind) {
    return kind == job_kind::training ? trainings_ : predictions_;
  }

  std::unordered_map<std::string, std::unique_ptr<job>> jobs_;
  index predictions_;
  index trainings_;
};

} // namespace jobsync::sim
