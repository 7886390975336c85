#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>

namespace jobsync {

/// Follows a provider's newest-first list from page to page and says when
/// the links end: the last page (no `next`), the page budget spent, or a
/// `next` seen before (the links go round in a circle). Callers add their
/// own reasons to stop (enough jobs, pages older than they need).
class page_walk {
public:
  /// Why the walk cannot go on.
  enum class end { none, last_page, budget, circle };

  /// A walk of at most `max_pages` pages.
  explicit page_walk(size_t max_pages) : max_pages_(max_pages) {}

  /// The cursor of the page to fetch now: "" for the first page.
  const std::string& cursor() const {
    return cursor_;
  }

  /// Pages read so far.
  size_t pages() const {
    return pages_;
  }

  /// Whether no page was read yet.
  bool at_start() const {
    return pages_ == 0;
  }

  /// Whether another page may be fetched (the walk has not ended).
  bool may_go_on() const {
    return end_ == end::none && pages_ < max_pages_;
  }

  /// Takes the `next` link of the page just read; afterwards cursor() is
  /// the page to fetch, unless the walk ended (see ended()).
  end take(const std::optional<std::string>& next) {
    ++pages_;
    if (!next)
      end_ = end::last_page;
    else if (!visited_.insert(*next).second)
      end_ = end::circle;
    else if (pages_ >= max_pages_)
      end_ = end::budget;
    else
      cursor_ = *next;
    return end_;
  }

  /// Why the walk ended; end::none while it goes on.
  end ended() const {
    return end_;
  }

private:
  size_t max_pages_;
  size_t pages_ = 0;
  std::string cursor_;
  std::set<std::string> visited_;
  end end_ = end::none;
};

} // namespace jobsync
