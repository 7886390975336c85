#include "tools/replicate-sim/job_store.hpp"

#include <algorithm>

namespace jobsync::sim {

job* job_store::find(std::string_view id) {
  auto i = jobs_.find(std::string{id});
  return i == jobs_.end() ? nullptr : i->second.get();
}

const job* job_store::find(std::string_view id) const {
  auto i = jobs_.find(std::string{id});
  return i == jobs_.end() ? nullptr : i->second.get();
}

job& job_store::insert(job j) {
  auto kind = j.kind;
  list_key key{j.created, j.id};
  auto ptr = std::make_unique<job>(std::move(j));
  auto& ref = *ptr;
  jobs_[ref.id] = std::move(ptr);
  index_of(kind).insert(std::move(key));
  return ref;
}

bool job_store::erase(std::string_view id) {
  auto i = jobs_.find(std::string{id});
  if (i == jobs_.end())
    return false;
  auto& j = *i->second;
  index_of(j.kind).erase(list_key{j.created, j.id});
  jobs_.erase(i);
  return true;
}

std::vector<std::string> job_store::ids() const {
  std::vector<std::string> out;
  out.reserve(jobs_.size());
  for (auto& [id, j] : jobs_)
    out.push_back(id);
  return out;
}

page_result job_store::page(const page_request& request) const {
  auto& idx = index_of(request.kind);
  auto& f = request.filter;
  // The index is sorted newest first, so the created_* filters cut out one
  // contiguous range [first, last); only source=web needs a per-job test.
  auto first = idx.begin();
  if (f.created_before)
    first = idx.lower_bound(list_key{*f.created_before, std::string{}});
  auto last = idx.end();
  if (f.created_after) {
    // The first key created strictly before `created_after`.
    last = std::find_if(first, idx.end(), [&](const list_key& k) {
      return k.created < *f.created_after;
    });
  }
  auto matches = [&](index::const_iterator it) {
    if (!f.web_only)
      return true;
    auto* j = find(it->id);
    return j != nullptr && j->source == "web" && j->created >= f.web_since;
  };
  listed_before before;
  // Clamps an iterator into [first, last].
  auto clamp = [&](index::const_iterator it) {
    if (it == idx.end() || first == idx.end())
      return last;
    if (before(*it, *first))
      return first;
    if (last != idx.end() && !before(*it, *last))
      return last;
    return it;
  };
  auto any_match = [&](index::const_iterator from, index::const_iterator to) {
    for (auto it = from; it != to; ++it)
      if (matches(it))
        return true;
    return false;
  };
  page_result out;
  std::vector<index::const_iterator> hits;
  if (request.before) {
    // Walk back towards newer jobs from the cursor position.
    auto pos = clamp(idx.lower_bound(*request.before));
    auto it = pos;
    while (it != first && hits.size() < request.limit) {
      --it;
      if (matches(it))
        hits.push_back(it);
    }
    std::reverse(hits.begin(), hits.end());
    if (hits.empty()) {
      if (any_match(pos, last))
        out.next = *request.before;
      return out;
    }
    if (any_match(first, hits.front()))
      out.previous = *hits.front();
    if (any_match(std::next(hits.back()), last))
      out.next = *hits.back();
  } else {
    auto pos = request.after ? clamp(idx.upper_bound(*request.after)) : first;
    for (auto it = pos; it != last && hits.size() < request.limit; ++it)
      if (matches(it))
        hits.push_back(it);
    if (hits.empty()) {
      if (request.after && any_match(first, pos))
        out.previous = *request.after;
      return out;
    }
    if (any_match(first, hits.front()))
      out.previous = *hits.front();
    if (any_match(std::next(hits.back()), last))
      out.next = *hits.back();
  }
  for (auto it : hits)
    out.jobs.push_back(find(it->id));
  return out;
}

} // namespace jobsync::sim
